import { describe, expect, it } from 'vitest';
import { inputTypeOf, orderChannels, recipientKindFor } from './recipients';

describe('recipientKindFor', () => {
  it('asks for the address the connector sends to, else the one the channel implies', () => {
    expect(recipientKindFor('sms', 'aliyun-sms')).toBe('phone');
    expect(recipientKindFor('wechat', 'wecom-app')).toBe('wecomUserId');
    expect(recipientKindFor('wechat', 'wecom-mass')).toBe('wecomExternalUserId');
    expect(recipientKindFor('wechat_group', 'wecom-group-robot')).toBe('groupId');
    expect(recipientKindFor('wechat_oa', 'wechat-oa')).toBe('openId');
    expect(recipientKindFor('email', 'smtp')).toBe('email');
    expect(recipientKindFor('email', 'some-esp')).toBe('email');
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
