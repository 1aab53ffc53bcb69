/** Whom a channel's test message can go to, and which address fits the channel best. */

export const RECIPIENT_KINDS = [
  'phone',
  'email',
  'wecomUserId',
  'wecomExternalUserId',
  'openId',
  'groupId',
] as const;

export type RecipientKind = (typeof RECIPIENT_KINDS)[number];

// A connector says more than its channel: `wechat` is a member via wecom-app but a customer via wecom-mass.
const BY_CONNECTOR: Record<string, RecipientKind | undefined> = {
  'wecom-app': 'wecomUserId',
  'wecom-mass': 'wecomExternalUserId',
  'wecom-group-robot': 'groupId',
  'wechat-oa': 'openId',
  smtp: 'email',
};

const BY_CHANNEL: Record<string, RecipientKind | undefined> = {
  sms: 'phone',
  email: 'email',
  wechat: 'wecomUserId',
  wechat_group: 'groupId',
  wechat_oa: 'openId',
};

/** The address a test through this channel and connector needs; a phone number when nothing says. */
export function recipientKindFor(channel: string, connector: string | undefined): RecipientKind {
  return (connector && BY_CONNECTOR[connector]) || BY_CHANNEL[channel] || 'phone';
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
