/** Whom a channel's test message can go to, and which address fits the channel best. */

import type { AddressKindInfo } from '../../api/channels';

/**
 * The address a test through this channel needs, among the kinds the connectors declare: the one
 * the route's connector sends to (a connector says more than its channel: `wechat` is a member via
 * wecom-app but a customer via wecom-mass), else one that reaches the channel, else the first.
 */
export function recipientKindFor(
  channel: string,
  declared: string | undefined,
  kinds: readonly AddressKindInfo[],
): AddressKindInfo | undefined {
  return (
    kinds.find((kind) => kind.name === declared) ??
    kinds.find((kind) => kind.channels.includes(channel)) ??
    kinds[0]
  );
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
