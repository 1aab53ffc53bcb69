import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { TestApp } from './stack';

/**
 * A customer adding `staffId` through a channel code, as the WeCom callback records it (the
 * wecom-events shape): the contact, found by its external user id, gets `channelCode`, and the
 * event `wecom.customer_added` carries the code's state, once per add. Answers the contact's id.
 */
export async function customerAddedThrough(app: TestApp, state: string, staffId: string): Promise<string> {
  const externalUserId = `wm${randomBytes(8).toString('hex')}`;
  const contactId = `wecom:${externalUserId}`;
  await app.request('PUT', `/api/contacts/${contactId}`, {
    addresses: { wecomExternalUserId: externalUserId },
    attributes: { channelCode: state },
  });
  const posted = await app.request('POST', '/api/events', {
    contactId,
    id: `add:${externalUserId}`,
    name: 'wecom.customer_added',
    payload: { staffId, externalUserId, state, at: Date.now() },
  });
  expect(posted.status, JSON.stringify(posted.body)).toBeLessThan(300);
  return contactId;
}
