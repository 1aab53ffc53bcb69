/** Whom a channel's test message can go to, and which address fits the channel best. */

import { ADDRESS_KINDS, type AddressKind } from '@sopflow/core/api';

export const RECIPIENT_KINDS = ADDRESS_KINDS;
export type RecipientKind = AddressKind;

const BY_CHANNEL: Record<string, RecipientKind | undefined> = {
  sms: 'phone',
  email: 'email',
  wechat: 'wecomUserId',
  wechat_group: 'groupId',
  wechat_oa: 'openId',
};

const isKind = (kind: string | undefined): kind is RecipientKind =>
  kind !== undefined && (RECIPIENT_KINDS as readonly string[]).includes(kind);

/**
 * The address a test through this channel needs: the one its connector declares (a connector says
 * more than its channel: `wechat` is a member via wecom-app but a customer via wecom-mass), else
 * the channel's usual one, else a phone number.
 */
export function recipientKindFor(channel: string, declared: string | undefined): RecipientKind {
  return (isKind(declared) && declared) || BY_CHANNEL[channel] || 'phone';
}

export function inputTypeOf(kind: RecipientKind): 'tel' | 'email' | 'text' {
  return kind === 'phone' ? 'tel' : kind === 'email' ? 'email' : 'text';
}

/** The channels in the order operators think of them, then any others a connector declares. */
const KNOWN_ORDER = ['wechat', 'wechat_group', 'wechat_oa', 'email', 'sms'];

export function orderChannels(channels: Iterable<string>): string[] {
  const unique = [...new Set(channels)];
  const rank = (c: string) => {
    const i = KNOWN_ORDER.indexOf(c);
    return i === -1 ? KNOWN_ORDER.length : i;
  };
  return unique.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
