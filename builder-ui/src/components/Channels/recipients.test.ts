import { describe, expect, it } from 'vitest';
import { inputTypeOf, orderChannels, recipientKindFor } from './recipients';

describe('recipientKindFor', () => {
  it('asks for the address the connector declares, else the one the channel implies', () => {
    expect(recipientKindFor('wechat', 'wecomUserId')).toBe('wecomUserId');
    expect(recipientKindFor('wechat', 'wecomExternalUserId')).toBe('wecomExternalUserId');
    expect(recipientKindFor('wechat_group', 'groupId')).toBe('groupId');
    expect(recipientKindFor('sms', undefined)).toBe('phone');
    expect(recipientKindFor('email', undefined)).toBe('email');
    expect(recipientKindFor('wechat_oa', undefined)).toBe('openId');
    // A kind this builder does not know (a newer server) falls back to the channel's.
    expect(recipientKindFor('email', 'fax')).toBe('email');
    expect(recipientKindFor('line', undefined)).toBe('phone');
  });

  it('fits the input to the address', () => {
    expect(inputTypeOf('phone')).toBe('tel');
    expect(inputTypeOf('email')).toBe('email');
    expect(inputTypeOf('openId')).toBe('text');
  });
});

describe('orderChannels', () => {
  it("lists sopflow's channels first, then others a connector declares, once each", () => {
    expect(
      orderChannels(['sms', 'line', 'email', 'wechat', 'sms', 'wechat_oa', 'discord', 'wechat_group']),
    ).toEqual(['wechat', 'wechat_group', 'wechat_oa', 'email', 'sms', 'discord', 'line']);
  });
});
