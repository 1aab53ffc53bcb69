import type { AddressKindInfo } from '@sopflow/core/api';
import { describe, expect, it } from 'vitest';
import { orderChannels, recipientKindFor } from './recipients';

const kind = (name: string, channels: string[], of: 'contact' | 'group' = 'contact'): AddressKindInfo => ({
  name,
  label: { en: name, zh: name },
  of,
  input: 'text',
  channels,
});
const KINDS = [
  kind('email', ['email']),
  kind('groupId', [], 'group'),
  kind('openId', ['wechat_oa']),
  kind('phone', ['sms']),
  kind('wecomExternalUserId', ['wechat']),
  kind('wecomUserId', ['wechat']),
];
const nameFor = (channel: string, declared: string | undefined) =>
  recipientKindFor(channel, declared, KINDS)?.name;

describe('recipientKindFor', () => {
  it('asks for the address the connector declares, else one that reaches the channel', () => {
    expect(nameFor('wechat', 'wecomUserId')).toBe('wecomUserId');
    expect(nameFor('wechat', 'wecomExternalUserId')).toBe('wecomExternalUserId');
    expect(nameFor('wechat_group', 'groupId')).toBe('groupId');
    expect(nameFor('sms', undefined)).toBe('phone');
    expect(nameFor('email', undefined)).toBe('email');
    expect(nameFor('wechat_oa', undefined)).toBe('openId');
    // A kind the server does not declare falls back to the channel's; an unknown channel to the first kind.
    expect(nameFor('email', 'fax')).toBe('email');
    expect(nameFor('line', undefined)).toBe('email');
    expect(recipientKindFor('sms', undefined, [])).toBeUndefined();
  });
});

describe('orderChannels', () => {
  it("lists sopflow's channels first, then others a connector declares, once each", () => {
    expect(
      orderChannels(['sms', 'line', 'email', 'wechat', 'sms', 'wechat_oa', 'discord', 'wechat_group']),
    ).toEqual(['wechat', 'wechat_group', 'wechat_oa', 'email', 'sms', 'discord', 'line']);
  });
});
