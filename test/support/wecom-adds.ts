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

/**
 * A flow an add through a channel code starts: with `posterState`, a branch on the add's state
 * tags the contact `from-poster` (that code) or `from-elsewhere`; then it holds for a week. Its
 * goal is `order.paid`, so a paying contact's run converts.
 */
export function channelCodeFlow(id: string, posterState?: string) {
  const tagging = posterState
    ? {
        nodes: [
          {
            id: 'which',
            type: 'branch',
            branches: [{ id: 'poster', when: { field: 'event.state', op: 'eq', value: posterState } }],
          },
          { id: 'tag-poster', type: 'update_contact', update: { addTags: ['from-poster'] } },
          { id: 'tag-other', type: 'update_contact', update: { addTags: ['from-elsewhere'] } },
        ],
        edges: [
          { id: 'a', source: 'in', target: 'which' },
          { id: 'b', source: 'which', sourceHandle: 'poster', target: 'tag-poster' },
          { id: 'c', source: 'which', sourceHandle: 'else', target: 'tag-other' },
          { id: 'd', source: 'tag-poster', target: 'hold' },
          { id: 'e', source: 'tag-other', target: 'hold' },
        ],
      }
    : { nodes: [], edges: [{ id: 'a', source: 'in', target: 'hold' }] };
  return {
    schemaVersion: 1,
    id,
    name: id,
    nodes: [
      { id: 'in', type: 'trigger', trigger: { kind: 'event', event: 'wecom.customer_added' } },
      ...tagging.nodes,
      { id: 'hold', type: 'wait_for_event', event: 'never.comes', timeout: 'P7D' },
      { id: 'out', type: 'exit' },
    ],
    edges: [
      ...tagging.edges,
      { id: 'f', source: 'hold', sourceHandle: 'event', target: 'out' },
      { id: 'g', source: 'hold', sourceHandle: 'timeout', target: 'out' },
    ],
    settings: { timezone: 'Asia/Shanghai', reentry: { mode: 'always' }, goal: { event: 'order.paid' } },
  };
}
