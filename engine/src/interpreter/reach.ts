import type { Contact } from '../flow/schema';

/** The contact field each built-in channel delivers to. Group robots post to a group, not a person. */
export const CHANNEL_ADDRESS: Readonly<Record<string, 'wecomUserId' | 'email' | 'phone' | undefined>> = {
  wechat: 'wecomUserId',
  email: 'email',
  sms: 'phone',
};

/** Why a contact cannot get a message on a channel, or undefined when they can. */
export function unreachableReason(contact: Contact, channel: string): 'opted-out' | 'no-address' | undefined {
  if (contact.unsubscribed.includes(channel)) return 'opted-out';
  const field = CHANNEL_ADDRESS[channel];
  if (field && !contact[field]) return 'no-address';
  return undefined;
}
