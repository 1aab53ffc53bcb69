import { describe, expect, it } from 'vitest';
import {
  CUSTOMER_ADDED_PAYLOAD,
  CustomerAddedTrigger,
  customerAddedMatches,
  triggerPayload,
} from './definition';

describe('the customer-added trigger', () => {
  const added = { staffId: 'lily', externalUserId: 'wm1', state: 'poster-a' };

  it('starts on any add without lists, and only on the listed channel codes and staff with them', () => {
    expect(customerAddedMatches(CustomerAddedTrigger.parse({ kind: 'customer_added' }), added)).toBe(true);
    const posters = CustomerAddedTrigger.parse({ kind: 'customer_added', channelCodes: ['poster-a'] });
    expect(customerAddedMatches(posters, added)).toBe(true);
    expect(customerAddedMatches(posters, { ...added, state: 'live' })).toBe(false);
    expect(customerAddedMatches(posters, { staffId: 'lily', externalUserId: 'wm1' })).toBe(false);
    const both = CustomerAddedTrigger.parse({
      kind: 'customer_added',
      channelCodes: ['poster-a'],
      staffIds: ['tom'],
    });
    expect(customerAddedMatches(both, added)).toBe(false);
    expect(customerAddedMatches(both, { ...added, staffId: 'tom' })).toBe(true);
  });

  it('declares the payload of wecom.customer_added, so event fields are checked', () => {
    expect(triggerPayload({ kind: 'customer_added' })).toBe(CUSTOMER_ADDED_PAYLOAD);
    expect(CUSTOMER_ADDED_PAYLOAD.filter((f) => f.required).map((f) => f.name)).toEqual([
      'staffId',
      'externalUserId',
    ]);
    expect(triggerPayload({ kind: 'manual' })).toBeUndefined();
  });

  it('refuses an empty channel code, naming the field', () => {
    const parsed = CustomerAddedTrigger.safeParse({ kind: 'customer_added', channelCodes: [' '] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['channelCodes', 0]);
  });
});
