import type { Contact } from '../flow/schema';

type Address = 'wecomUserId' | 'wecomExternalUserId' | 'openId' | 'email' | 'phone';

/** The contact fields each built-in channel can deliver to (any one will do). Group robots post to a group. */
export const CHANNEL_ADDRESS: Readonly<Record<string, readonly Address[] | undefined>> = {
  wechat: ['wecomUserId', 'wecomExternalUserId'],
  wechat_oa: ['openId'],
  email: ['email'],
  sms: ['phone'],
};

/** Why a contact cannot get a message on a channel, or undefined when they can. */
export function unreachableReason(contact: Contact, channel: string): 'opted-out' | 'no-address' | undefined {
  if (contact.unsubscribed.includes(channel)) return 'opted-out';
  // Own properties only: a connector's channel may be called `constructor`.
  const fields = Object.hasOwn(CHANNEL_ADDRESS, channel) ? CHANNEL_ADDRESS[channel] : undefined;
  if (fields && !fields.some((field) => contact[field])) return 'no-address';
  return undefined;
}
