import { contactAddresses } from '../flow/contact-addresses';
import type { Plan } from '../flow/plan';
import type { Contact } from '../flow/schema';

/**
 * Whom each built-in channel reached before plans carried the connectors' declarations
 * (`Plan.reach`): a plan compiled then is replayed with this, so its runs decide as they did.
 * New plans never read it.
 */
const REACH_OF_PLANS_BEFORE_DECLARATIONS: Readonly<Record<string, readonly string[]>> = {
  wechat: ['wecomUserId', 'wecomExternalUserId'],
  wechat_oa: ['openId'],
  email: ['email'],
  sms: ['phone'],
};

/** The reach a plan runs with: its own, or for a plan compiled before plans carried one, the old one. */
export function reachOf(reach: Plan['reach']): Readonly<Record<string, readonly string[]>> {
  return reach ?? REACH_OF_PLANS_BEFORE_DECLARATIONS;
}

/**
 * Why a contact cannot get a message on a channel, or undefined when they can: opted out, or
 * none of the address kinds that reach the channel (any one will do). A channel no connector
 * needs an address for (the outbox, group robots) reaches everyone.
 */
export function unreachableReason(
  contact: Contact,
  channel: string,
  planReach: Plan['reach'],
): 'opted-out' | 'no-address' | undefined {
  if (contact.unsubscribed.includes(channel)) return 'opted-out';
  const reach = reachOf(planReach);
  // Own properties only: a connector's channel may be called `constructor`.
  const kinds = Object.hasOwn(reach, channel) ? reach[channel] : undefined;
  if (!kinds) return undefined;
  const addresses = contactAddresses(contact);
  return kinds.some((kind) => Object.hasOwn(addresses, kind) && addresses[kind]) ? undefined : 'no-address';
}
