import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FlowDocumentInput } from '@sopflow/core';
import type { FlowStats } from '@sopflow/core/api';
import { contactFlowWorkflowId } from '@sopflow/workflows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishFlow, startTestApp, type TestApp, uniqueId } from './support/stack';

/**
 * The node library on the real stack (Temporal dev server, Postgres), with short real waits:
 * events reach running flows (each answering what it did with them), start flows, convert goals; re-entry rules, the
 * cross-flow frequency cap, the points ledger, HTTP calls and staff tasks behave as documented.
 */

type Nodes = FlowDocumentInput['nodes'];

/** A flow whose nodes are chained by `next` in order, plus extra edges `[source, handle, target]`. */
function flow(id: string, nodes: Nodes, extra: [string, string, string][] = [], settings: object = {}) {
  const enders = new Set(['exit', 'branch', 'split', 'wait_for_event', 'staff_task']);
  const edges = nodes
    .slice(0, -1)
    .flatMap((n, i) =>
      enders.has(n.type) ? [] : [{ id: `${n.id}-next`, source: n.id, target: nodes[i + 1]!.id }],
    );
  for (const [source, sourceHandle, target] of extra)
    edges.push({ id: `${source}-${sourceHandle}`, source, sourceHandle, target } as never);
  return { schemaVersion: 1, id, name: id, nodes, edges, settings };
}

const manual = { id: 'in', type: 'trigger', trigger: { kind: 'manual' } } as const;

let app: TestApp;
let crm: Server;
let crmUrl: string;
const crmCalls: { url: string; body: string }[] = [];

beforeAll(async () => {
  crm = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      crmCalls.push({ url: req.url ?? '', body });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ level: 'gold' }));
    });
  });
  await new Promise<void>((resolve) => crm.listen(0, '127.0.0.1', resolve));
  crmUrl = `http://127.0.0.1:${(crm.address() as AddressInfo).port}`;
  app = await startTestApp({ env: { SOPFLOW_HTTP_ALLOWED_HOSTS: '127.0.0.1' } });
});
afterAll(async () => {
  await app?.stop();
  crm?.close();
});

const result = (flowId: string, contactId: string) =>
  app.client.workflow.getHandle(contactFlowWorkflowId(flowId, contactId)).result();
const sentBodies = async (flowId: string, contactId: string) =>
  (await app.store.deliveries.listOutbox({ flowId, contactId })).map((m) => m.body);

/** Waits until the contact's run of the flow sits at a node (it is a query, so it is exact). */
async function atNode(flowId: string, contactId: string, nodeId: string) {
  const handle = app.client.workflow.getHandle(contactFlowWorkflowId(flowId, contactId));
  for (let i = 0; i < 100; i++) {
    const state = (await handle.query('sopflow.state')) as {
      awaiting: { nodeId: string; task?: unknown } | null;
    };
    if (state.awaiting?.nodeId === nodeId && !state.awaiting.task) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the run never reached ${nodeId}`);
}

/** Waits a minute for a reply: thanks quoting it, or a nudge. */
const replyFlow = (id: string) =>
  flow(
    id,
    [
      manual,
      { id: 'wait-reply', type: 'wait_for_event', event: 'message.received', timeout: 'PT1M' },
      {
        id: 'thanks',
        type: 'send',
        channel: 'wechat',
        message: { text: 'thanks for "{{ lastEvent.payload.text }}"' },
      },
      { id: 'out', type: 'exit' },
      { id: 'nudge', type: 'send', channel: 'wechat', message: { text: 'nudge' } },
      { id: 'out2', type: 'exit' },
    ],
    [
      ['wait-reply', 'event', 'thanks'],
      ['wait-reply', 'timeout', 'nudge'],
    ],
  );

describe('events', () => {
  it('reach a waiting flow, which answers whether it used or ignored each, and a repeated event id counts once', async () => {
    const id = uniqueId('reply');
    await publishFlow(app, replyFlow(id));
    const contact = { id: uniqueId('c'), wecomUserId: 'wx' };
    expect((await app.request('POST', `/api/flows/${id}/enroll`, { contact })).status).toBe(202);
    await atNode(id, contact.id, 'wait-reply');
    const event = {
      id: uniqueId('evt'),
      contactId: contact.id,
      name: 'message.received',
      payload: { text: '你好' },
    };
    const workflowId = contactFlowWorkflowId(id, contact.id);
    // Nothing waits for a click, and no step ahead looks back for one.
    const click = await app.request('POST', '/api/events', { contactId: contact.id, name: 'link.clicked' });
    expect(click).toMatchObject({
      status: 202,
      body: { status: 'recorded', use: 'ignored', delivered: 1, runs: [{ workflowId, use: 'ignored' }] },
    });
    const first = await app.request('POST', '/api/events', event);
    expect(first).toMatchObject({
      status: 202,
      body: { status: 'recorded', use: 'used', delivered: 1, runs: [{ workflowId, use: 'used' }] },
    });
    const again = await app.request('POST', '/api/events', event);
    expect(again).toMatchObject({
      status: 202,
      body: { status: 'duplicate', use: 'ignored', delivered: 0, runs: [] },
    });
    expect(await result(id, contact.id)).toEqual({ outcome: { kind: 'exited', nodeId: 'out' } });
    expect(await sentBodies(id, contact.id)).toEqual(['thanks for "你好"']);
  });

  it('are kept for a step that looks back: an order paid before the step is reached is taken when it is', async () => {
    const id = uniqueId('look-back');
    await publishFlow(
      app,
      flow(
        id,
        [
          manual,
          { id: 'pause', type: 'wait', duration: 'PT3S' },
          {
            id: 'paid',
            type: 'wait_for_event',
            event: 'order.paid',
            filter: { field: 'payload.amount', op: 'gt', value: 0 },
            timeout: 'PT1M',
            lookBack: { kind: 'since-entry' },
          },
          {
            id: 'thanks',
            type: 'send',
            channel: 'wechat',
            message: { text: 'thanks for {{ lastEvent.payload.amount }}' },
          },
          { id: 'out', type: 'exit' },
          { id: 'last-call', type: 'send', channel: 'wechat', message: { text: 'last call' } },
          { id: 'missed', type: 'exit' },
        ],
        [
          ['paid', 'event', 'thanks'],
          ['paid', 'timeout', 'last-call'],
        ],
      ),
    );
    const contact = { id: uniqueId('c'), wecomUserId: 'wx' };
    expect((await app.request('POST', `/api/flows/${id}/enroll`, { contact })).status).toBe(202);
    await atNode(id, contact.id, 'pause');
    const workflowId = contactFlowWorkflowId(id, contact.id);
    const pay = (amount: number) =>
      app.request('POST', '/api/events', { contactId: contact.id, name: 'order.paid', payload: { amount } });
    const kept = { status: 'recorded', use: 'kept', delivered: 1, runs: [{ workflowId, use: 'kept' }] };
    // Kept whatever the filter says now: the step applies it when it is reached.
    expect(await pay(0)).toMatchObject({ status: 202, body: kept });
    expect(await pay(42)).toMatchObject({ status: 202, body: kept });
    expect(await result(id, contact.id)).toEqual({ outcome: { kind: 'exited', nodeId: 'out' } });
    expect(await sentBodies(id, contact.id)).toEqual(['thanks for 42']);
  });

  it('reach a run whose worker is down as a signal, answered pending, and the run takes it once when a worker is back', async () => {
    const quiet = await startTestApp({ worker: false });
    try {
      const id = uniqueId('no-worker');
      await publishFlow(quiet, replyFlow(id));
      const contact = { id: uniqueId('c'), wecomUserId: 'wx' };
      expect((await quiet.request('POST', `/api/flows/${id}/enroll`, { contact })).status).toBe(202);
      const asked = Date.now();
      const answer = await quiet.request('POST', '/api/events', {
        contactId: contact.id,
        name: 'message.received',
        payload: { text: 'hi' },
      });
      expect(answer).toMatchObject({ status: 202, body: { use: 'pending', delivered: 1 } });
      expect(Date.now() - asked).toBeLessThan(15_000);
      const worker = await startTestApp({ taskQueue: quiet.taskQueue });
      try {
        const handle = quiet.client.workflow.getHandle(contactFlowWorkflowId(id, contact.id));
        expect(await handle.result()).toEqual({ outcome: { kind: 'exited', nodeId: 'out' } });
        expect(
          (await quiet.store.deliveries.listOutbox({ flowId: id, contactId: contact.id })).map((m) => m.body),
        ).toEqual(['thanks for "hi"']);
      } finally {
        await worker.stop();
      }
    } finally {
      await quiet.stop();
    }
  }, 60_000);

  it('count an event id once per contact and event name: the same id for another contact or name is another event', async () => {
    const id = uniqueId('orders');
    await publishFlow(
      app,
      flow(
        id,
        [
          manual,
          { id: 'paid', type: 'wait_for_event', event: 'order.paid', timeout: 'P1D' },
          { id: 'shipped', type: 'wait_for_event', event: 'order.shipped', timeout: 'P1D' },
          { id: 'done', type: 'exit' },
          { id: 'lost', type: 'exit' },
        ],
        [
          ['paid', 'event', 'shipped'],
          ['paid', 'timeout', 'lost'],
          ['shipped', 'event', 'done'],
          ['shipped', 'timeout', 'lost'],
        ],
      ),
    );
    const [a, b] = [uniqueId('a'), uniqueId('b')];
    for (const contactId of [a, b]) {
      expect(
        (await app.request('POST', `/api/flows/${id}/enroll`, { contact: { id: contactId } })).status,
      ).toBe(202);
      await atNode(id, contactId, 'paid');
    }
    // The sender's order id, reused across contacts and across the order's events.
    const orderId = uniqueId('order');
    const post = (contactId: string, name: string) =>
      app.request('POST', '/api/events', { id: orderId, contactId, name, payload: {} });
    const taken = { status: 202, body: { status: 'recorded', delivered: 1 } };
    expect(await post(a, 'order.paid')).toMatchObject(taken);
    expect(await post(b, 'order.paid')).toMatchObject(taken);
    await atNode(id, a, 'shipped');
    expect(await post(a, 'order.shipped')).toMatchObject(taken);
    // A true repeat is still one event.
    expect(await post(a, 'order.paid')).toMatchObject({
      status: 202,
      body: { status: 'duplicate', delivered: 0 },
    });
    await atNode(id, b, 'shipped');
    expect(await post(b, 'order.shipped')).toMatchObject(taken);
    for (const contactId of [a, b])
      expect(await result(id, contactId)).toEqual({ outcome: { kind: 'exited', nodeId: 'done' } });
  });

  it('start flows whose trigger they are, when the filter matches', async () => {
    const id = uniqueId('on-paid');
    await publishFlow(
      app,
      flow(id, [
        {
          id: 'paid',
          type: 'trigger',
          trigger: {
            kind: 'event',
            event: 'order.paid',
            filter: { field: 'payload.amount', op: 'gte', value: 100 },
          },
        },
        { id: 'thanks', type: 'send', channel: 'sms', message: { text: 'Thanks for {{ event.amount }}' } },
        { id: 'out', type: 'exit' },
      ]),
    );
    const big = uniqueId('big');
    const small = uniqueId('small');
    for (const contactId of [big, small]) {
      await app.store.contacts.upsert({ id: contactId, addresses: { phone: '13800000000' } });
    }
    const answer = await app.request('POST', '/api/events', {
      events: [
        { contactId: big, name: 'order.paid', payload: { amount: 199 } },
        { contactId: small, name: 'order.paid', payload: { amount: 9 } },
      ],
    });
    expect(answer.status).toBe(202);
    const started = answer.body.results.map((r: { started: { status: string; workflowId: string }[] }) =>
      r.started.filter((s) => s.workflowId.includes(id)).map((s) => s.status),
    );
    expect(started).toEqual([['enrolled'], []]);
    await result(id, big);
    expect(await sentBodies(id, big)).toEqual(['Thanks for 199']);
  });

  it('start a flow only with the payload fields its trigger requires, and still take the event', async () => {
    const id = uniqueId('coupon');
    await publishFlow(
      app,
      flow(id, [
        {
          id: 'paid',
          type: 'trigger',
          trigger: {
            kind: 'event',
            event: 'coupon.granted',
            payload: [{ name: 'coupon', type: 'string', required: true }],
          },
        },
        { id: 'give', type: 'send', channel: 'sms', message: { text: 'Coupon {{ event.coupon }}' } },
        { id: 'out', type: 'exit' },
      ]),
    );
    const [without, withIt] = [uniqueId('c'), uniqueId('c')];
    for (const contactId of [without, withIt])
      await app.store.contacts.upsert({ id: contactId, addresses: { phone: '13800000000' } });
    const answer = await app.request('POST', '/api/events', {
      events: [
        { contactId: without, name: 'coupon.granted', payload: {} },
        { contactId: withIt, name: 'coupon.granted', payload: { coupon: 'SAVE10' } },
      ],
    });
    expect(answer.status).toBe(202);
    const [missing, given] = answer.body.results;
    expect(missing).toMatchObject({ status: 'recorded', started: [] });
    expect(missing.notStarted).toEqual([
      {
        flowId: id,
        problems: [{ path: 'payload.coupon', message: 'payload.coupon is required.' }],
      },
    ]);
    expect(given.notStarted).toEqual([]);
    await result(id, withIt);
    expect(await sentBodies(id, withIt)).toEqual(['Coupon SAVE10']);
    expect(await sentBodies(id, without)).toEqual([]);
    // The event was recorded all the same.
    expect(await app.sql`select 1 from events where contact_id = ${without}`).toHaveLength(1);
  });

  it('name the missing field of an event', async () => {
    const answer = await app.request('POST', '/api/events', { contactId: uniqueId('c') });
    expect(answer).toMatchObject({ status: 422, body: { error: { code: 'invalid_event' } } });
    expect(answer.body.error.details.map((d: { path: string }) => d.path)).toEqual(['name']);
    const batch = await app.request('POST', '/api/events', {
      events: [{ contactId: 'c', name: 'x' }, { contactId: 'c' }],
    });
    expect(batch.body.error.details.map((d: { path: string }) => d.path)).toEqual(['events.1.name']);
  });

  it('convert a goal at any step', async () => {
    const id = uniqueId('goal');
    await publishFlow(
      app,
      flow(
        id,
        [
          manual,
          { id: 'long', type: 'wait', duration: 'P1D' },
          { id: 'late', type: 'send', channel: 'wechat', message: { text: 'too late' } },
          { id: 'out', type: 'exit' },
        ],
        [],
        { goal: { event: 'order.paid' } },
      ),
    );
    const contact = { id: uniqueId('c'), wecomUserId: 'wx' };
    await app.request('POST', `/api/flows/${id}/enroll`, { contact });
    await atNode(id, contact.id, 'long');
    await app.request('POST', '/api/events', { contactId: contact.id, name: 'order.paid' });
    expect(await result(id, contact.id)).toEqual({ outcome: { kind: 'converted', event: 'order.paid' } });
  });
});

describe('audience protection', () => {
  it('refuses re-entry when the flow allows none', async () => {
    const id = uniqueId('once');
    await publishFlow(
      app,
      flow(id, [manual, { id: 'out', type: 'exit' }], [], { reentry: { mode: 'never' } }),
    );
    const contact = { id: uniqueId('c') };
    expect((await app.request('POST', `/api/flows/${id}/enroll`, { contact })).status).toBe(202);
    await result(id, contact.id);
    const again = await app.request('POST', `/api/flows/${id}/enroll`, { contact });
    expect(again).toMatchObject({ status: 409, body: { status: 'not-eligible' } });
  });

  it('counts "re-enter after" from when the previous run ended, not from when it started', async () => {
    const id = uniqueId('cooldown');
    // Each run lasts 4 s; a contact may come back 3 s after leaving.
    await publishFlow(
      app,
      flow(id, [manual, { id: 'hold', type: 'wait', duration: 'PT4S' }, { id: 'out', type: 'exit' }], [], {
        reentry: { mode: 'after', after: 'PT3S' },
      }),
    );
    const contact = { id: uniqueId('c') };
    expect((await app.request('POST', `/api/flows/${id}/enroll`, { contact })).status).toBe(202);
    await result(id, contact.id);
    // Started more than 3 s ago, but left just now.
    const early = await app.request('POST', `/api/flows/${id}/enroll`, { contact });
    expect(early).toMatchObject({ status: 409, body: { status: 'not-eligible' } });
    expect(early.body.reason).toContain('left this flow less than PT3S ago');
    await new Promise((resolve) => setTimeout(resolve, 3_200));
    expect((await app.request('POST', `/api/flows/${id}/enroll`, { contact })).status).toBe(202);
  });

  it('caps messages per contact across flows', async () => {
    const first = uniqueId('cap-a');
    const second = uniqueId('cap-b');
    const oneSend = (id: string, text: string) =>
      flow(
        id,
        [
          manual,
          { id: 'say', type: 'send', channel: 'wechat', message: { text } },
          { id: 'out', type: 'exit' },
        ],
        [],
        {
          frequencyCap: { max: 1, per: 'P1D', onCap: 'skip' },
        },
      );
    await publishFlow(app, oneSend(first, 'first'));
    await publishFlow(app, oneSend(second, 'second'));
    const contact = { id: uniqueId('c'), wecomUserId: 'wx' };
    await app.request('POST', `/api/flows/${first}/enroll`, { contact });
    await result(first, contact.id);
    await app.request('POST', `/api/flows/${second}/enroll`, { contact });
    await result(second, contact.id);
    expect(await sentBodies(first, contact.id)).toEqual(['first']);
    expect(await sentBodies(second, contact.id)).toEqual([]);
  });

  it('never sends on a channel the contact unsubscribed from, even if they did so mid-flow', async () => {
    const id = uniqueId('optout');
    await publishFlow(
      app,
      flow(id, [
        manual,
        { id: 'pause', type: 'wait', duration: 'PT1S' },
        {
          id: 'say',
          type: 'send',
          channel: 'sms',
          message: { text: 'promo' },
          fallback: { channel: 'email' },
        },
        { id: 'out', type: 'exit' },
      ]),
    );
    const contact = { id: uniqueId('c'), phone: '138', email: 'c@example.com' };
    await app.request('POST', `/api/flows/${id}/enroll`, { contact });
    await app.store.contacts.upsert({ id: contact.id, unsubscribed: ['sms'] });
    await result(id, contact.id);
    const sent = await app.store.deliveries.listOutbox({ flowId: id, contactId: contact.id });
    expect(sent.map((m) => m.channel)).toEqual(['email']);
  });
});

describe('steps that touch the outside', () => {
  it('keeps points in a ledger, applies tiers, and credits the referrer once', async () => {
    const id = uniqueId('points');
    await publishFlow(
      app,
      flow(id, [
        { id: 'in', type: 'trigger', trigger: { kind: 'manual' } },
        {
          id: 'reward',
          type: 'update_contact',
          update: {
            addTags: ['joined-promo'],
            points: { add: 120, reason: 'joined the promo' },
            tiers: [
              { name: 'silver', minPoints: 100 },
              { name: 'gold', minPoints: 1000 },
            ],
            creditReferrer: { field: 'event.referrerId', points: 50, reason: 'referral' },
          },
        },
        { id: 'out', type: 'exit' },
      ]),
    );
    const referrer = uniqueId('ref');
    await app.store.contacts.upsert({ id: referrer });
    const contact = { id: uniqueId('c') };
    await app.request('POST', `/api/flows/${id}/enroll`, { contact, event: { referrerId: referrer } });
    await result(id, contact.id);
    expect(await app.store.contacts.get(contact.id)).toMatchObject({
      points: 120,
      tags: ['joined-promo'],
      attributes: { tier: 'silver' },
    });
    expect((await app.store.contacts.get(referrer))?.points).toBe(50);
    const ledger =
      await app.sql`select contact_id, points, reason from points_ledger where flow_id = ${id} order by id`;
    expect(ledger.map((l) => [l.contact_id, l.points, l.reason])).toEqual([
      [contact.id, 120, 'joined the promo'],
      [referrer, 50, 'referral'],
    ]);
  });

  it('calls another system and lets later steps read the answer', async () => {
    const id = uniqueId('http');
    await publishFlow(
      app,
      flow(id, [
        manual,
        {
          id: 'crm',
          type: 'http_request',
          method: 'POST',
          url: `${crmUrl}/members/{{ contact.id }}`,
          body: '{"name": {{ contact.name | json }}}',
        },
        { id: 'tell', type: 'send', channel: 'wechat', message: { text: 'level {{ http.crm.body.level }}' } },
        { id: 'out', type: 'exit' },
      ]),
    );
    const contact = { id: uniqueId('c'), name: 'Ann "A" Lee', wecomUserId: 'wx' };
    await app.request('POST', `/api/flows/${id}/enroll`, { contact });
    await result(id, contact.id);
    expect(crmCalls.at(-1)).toEqual({ url: `/members/${contact.id}`, body: '{"name": "Ann \\"A\\" Lee"}' });
    expect(await sentBodies(id, contact.id)).toEqual(['level gold']);
  });

  it('refuses to call internal addresses an admin has not allowed', async () => {
    const id = uniqueId('ssrf');
    await publishFlow(
      app,
      flow(
        id,
        [
          manual,
          {
            id: 'meta',
            type: 'http_request',
            method: 'GET',
            url: 'http://169.254.169.254/latest/meta-data/',
            retries: 0,
          },
          { id: 'out', type: 'exit' },
          {
            id: 'blocked',
            type: 'send',
            channel: 'wechat',
            message: { text: 'blocked: {{ http.meta.error }}' },
          },
          { id: 'out2', type: 'exit' },
        ],
        [['meta', 'failed', 'blocked']],
      ),
    );
    const contact = { id: uniqueId('c'), wecomUserId: 'wx' };
    await app.request('POST', `/api/flows/${id}/enroll`, { contact });
    await result(id, contact.id);
    const [body] = await sentBodies(id, contact.id);
    expect(body).toMatch(/^blocked: .*169\.254\.169\.254 resolves to an internal address/);
  });

  it('sends a staff task and moves on when the staff member marks it done', async () => {
    const id = uniqueId('staff');
    await publishFlow(
      app,
      flow(
        id,
        [
          manual,
          {
            id: 'call',
            type: 'staff_task',
            assignee: { channel: 'email', id: 'amy', email: 'amy@example.com' },
            message: { text: 'Please call {{ contact.name }}', subject: 'Task' },
            deadline: 'PT1M',
          },
          { id: 'out', type: 'exit' },
          { id: 'out2', type: 'exit' },
        ],
        [
          ['call', 'done', 'out'],
          ['call', 'expired', 'out2'],
        ],
      ),
    );
    const contact = { id: uniqueId('c'), name: 'Bo' };
    await app.request('POST', `/api/flows/${id}/enroll`, { contact });
    await atNode(id, contact.id, 'call');
    const sent = await app.store.deliveries.listOutbox({ flowId: id });
    expect(sent.map((m) => [m.channel, m.contactId, m.body])).toEqual([
      ['email', 'amy', 'Task\n\nPlease call Bo'],
    ]);
    await app.request('POST', '/api/events', {
      contactId: contact.id,
      name: 'task.done',
      payload: { nodeId: 'call' },
    });
    expect(await result(id, contact.id)).toEqual({ outcome: { kind: 'exited', nodeId: 'out' } });
  });
});

describe('editing a live flow', () => {
  it('keeps running contacts on their version unless migrated, and migrates them at their wait', async () => {
    const id = uniqueId('live-edit');
    const v1 = flow(id, [
      manual,
      { id: 'pause', type: 'wait', duration: 'PT6S' },
      { id: 'bye', type: 'send', channel: 'wechat', message: { text: 'v1 bye' } },
      { id: 'out', type: 'exit' },
    ]);
    await publishFlow(app, v1);
    const movers = [uniqueId('m'), uniqueId('m')];
    const stayer = uniqueId('s');
    for (const contactId of [...movers, stayer]) {
      await app.request('POST', `/api/flows/${id}/enroll`, { contact: { id: contactId, wecomUserId: 'wx' } });
    }
    await Promise.all([...movers, stayer].map((c) => atNode(id, c, 'pause')));

    const v2 = flow(id, [
      manual,
      { id: 'rest', type: 'wait', duration: 'PT6S' },
      { id: 'extra', type: 'send', channel: 'wechat', message: { text: 'v2 extra' } },
      { id: 'bye', type: 'send', channel: 'wechat', message: { text: 'v2 bye' } },
      { id: 'out', type: 'exit' },
    ]);
    expect(await publishFlow(app, v2)).toBe(2);

    // The preview counts who waits where (visibility catches up within moments).
    let preview: { nodes: { waiting: number }[] } = { nodes: [] };
    for (let i = 0; i < 50 && preview.nodes[0]?.waiting !== 3; i++) {
      preview = (
        await app.request('POST', `/api/flows/${id}/migrate`, {
          from: 1,
          mapping: { pause: 'rest' },
          preview: true,
        })
      ).body;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(preview).toMatchObject({
      from: 1,
      to: 2,
      nodes: [{ from: 'pause', to: 'rest', waiting: 3, signalled: 0 }],
    });

    const bad = await app.request('POST', `/api/flows/${id}/migrate`, {
      from: 1,
      mapping: { pause: 'nowhere' },
    });
    expect(bad).toMatchObject({ status: 422, body: { error: { code: 'invalid_mapping' } } });

    // Move two of the three: signal those runs only.
    for (const contactId of movers) {
      await app.client.workflow.getHandle(contactFlowWorkflowId(id, contactId)).signal('sopflow.migrate', {
        plan: (await app.store.flows.getVersion(id, 2))!.plan,
        mapping: { pause: 'rest' },
      });
    }
    for (const c of [...movers, stayer]) await result(id, c);
    for (const c of movers) expect(await sentBodies(id, c)).toEqual(['v2 extra', 'v2 bye']);
    expect(await sentBodies(id, stayer)).toEqual(['v1 bye']);
    const moved = await app.client.workflow.getHandle(contactFlowWorkflowId(id, movers[0]!)).describe();
    expect((moved.searchAttributes as Record<string, unknown[]>).SopflowFlowVersion).toEqual([2]);
  });

  it('migrates every waiting contact through the API', async () => {
    const id = uniqueId('live-all');
    await publishFlow(
      app,
      flow(id, [
        manual,
        { id: 'pause', type: 'wait', duration: 'PT5S' },
        { id: 'bye', type: 'send', channel: 'wechat', message: { text: 'v1' } },
        { id: 'out', type: 'exit' },
      ]),
    );
    const contactId = uniqueId('c');
    await app.request('POST', `/api/flows/${id}/enroll`, { contact: { id: contactId, wecomUserId: 'wx' } });
    await atNode(id, contactId, 'pause');
    await publishFlow(
      app,
      flow(id, [
        manual,
        { id: 'pause', type: 'wait', duration: 'PT5S' },
        { id: 'bye', type: 'send', channel: 'wechat', message: { text: 'v2' } },
        { id: 'out', type: 'exit' },
      ]),
    );
    let applied: { nodes: { signalled: number }[] } = { nodes: [] };
    for (let i = 0; i < 50 && applied.nodes[0]?.signalled !== 1; i++) {
      applied = (
        await app.request('POST', `/api/flows/${id}/migrate`, { from: 1, mapping: { pause: 'pause' } })
      ).body;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(applied.nodes[0]?.signalled).toBe(1);
    await result(id, contactId);
    expect(await sentBodies(id, contactId)).toEqual(['v2']);
    // A migration alone wakes the run: one journey record per step taken, in each version.
    const counts = async (version: number) =>
      Object.fromEntries(
        ((await app.request('GET', `/api/flows/${id}/stats?version=${version}`)).body as FlowStats).nodes.map(
          (n) => [n.nodeId, [n.entered, n.left]],
        ),
      );
    await expect
      .poll(() => counts(2))
      .toEqual({ in: [0, {}], pause: [1, { next: 1 }], bye: [1, { next: 1 }], out: [1, {}] });
    expect(await counts(1)).toEqual({ in: [1, { next: 1 }], pause: [1, {}], bye: [0, {}], out: [0, {}] });
  });
});
