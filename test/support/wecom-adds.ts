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

/**
 * A WeCom customer adding a staff member, as the tests and the benchmark produce it: every add goes
 * through `deliverCustomerAdd`, so switching from the events API to the signed callback (once the
 * callback turns add_external_contact into `wecom.customer_added`) changes this one function.
 */

/** What WeCom's add_external_contact callback says (as the `wecom.customer_added` payload). */
export interface CustomerAdd {
  staffId: string;
  externalUserId: string;
  /** The channel code (`State`) of the contact way the customer came through. */
  state?: string;
  welcomeCode?: string;
  /** When the customer added the staff member (CreateTime, epoch ms). */
  at: number;
}

export interface SopflowApi {
  url: string;
  /** An operator's API token. */
  token: string;
}

/** The contact an add is for: the callback finds or creates it by its WeCom external user id. */
export const contactIdOfAdd = (add: Pick<CustomerAdd, 'externalUserId'>) => `wecom-${add.externalUserId}`;

/**
 * Delivers an add to sopflow: for now the contact (with its `wecomExternalUserId`) and the event
 * through the API (`PUT /api/contacts/:id`, `POST /api/events`), as the WeCom callback will do it.
 */
export async function deliverCustomerAdd(
  api: SopflowApi,
  add: CustomerAdd,
): Promise<{ contactId: string; started: { workflowId: string }[] }> {
  const contactId = contactIdOfAdd(add);
  const call = async (method: string, path: string, body: unknown) => {
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${api.token}` },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  };
  await call('PUT', `/api/contacts/${contactId}`, {
    addresses: { wecomExternalUserId: add.externalUserId },
  });
  const outcome = (await call('POST', '/api/events', {
    contactId,
    name: 'wecom.customer_added',
    id: `add-${add.staffId}-${add.externalUserId}-${add.at}`,
    payload: {
      staffId: add.staffId,
      externalUserId: add.externalUserId,
      ...(add.state === undefined ? {} : { state: add.state }),
      ...(add.welcomeCode === undefined ? {} : { welcomeCode: add.welcomeCode }),
      at: add.at,
    },
  })) as { started?: { workflowId: string }[] };
  return { contactId, started: outcome.started ?? [] };
}
