import { createUnsubscribeToken } from '@sopflow/connectors';
import { contactFlowWorkflowId, runStateQuery } from '@sopflow/workflows';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { databaseBefore } from './support/database-before';
import { publishFlow, startTestApp, type TestApp, uniqueId } from './support/stack';

/**
 * A contact changed while it waits in a flow (an operator's PUT, another flow's update step):
 * the run's later steps read the contact as it is now, on a real Temporal server and Postgres.
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.stop();
});

const webhookTrigger = (event: string) => ({
  id: 'joined',
  type: 'trigger',
  position: { x: 0, y: 0 },
  trigger: { kind: 'webhook', event },
});

/** Greets by email, waits, then sends VIPs and everyone else a different follow-up. */
const tierFlow = (id: string, wait: string) => ({
  schemaVersion: 1,
  id,
  name: 'Tier follow-up',
  nodes: [
    webhookTrigger('member.joined'),
    {
      id: 'greet',
      type: 'send',
      position: { x: 0, y: 100 },
      channel: 'email',
      message: { text: 'hi {{ contact.email }}' },
    },
    { id: 'pause', type: 'wait', position: { x: 0, y: 200 }, duration: wait },
    {
      id: 'is-vip',
      type: 'branch',
      position: { x: 0, y: 300 },
      branches: [{ id: 'vip', when: { field: 'contact.attributes.tier', op: 'eq', value: 'vip' } }],
    },
    {
      id: 'vip-perk',
      type: 'send',
      position: { x: -100, y: 400 },
      channel: 'email',
      message: { text: 'vip {{ contact.email }}' },
    },
    {
      id: 'intro',
      type: 'send',
      position: { x: 100, y: 400 },
      channel: 'email',
      message: { text: 'standard {{ contact.email }}' },
    },
    { id: 'done', type: 'exit', position: { x: 0, y: 500 } },
  ],
  edges: [
    { id: 'e1', source: 'joined', target: 'greet' },
    { id: 'e2', source: 'greet', target: 'pause' },
    { id: 'e3', source: 'pause', target: 'is-vip' },
    { id: 'e4', source: 'is-vip', sourceHandle: 'vip', target: 'vip-perk' },
    { id: 'e5', source: 'is-vip', sourceHandle: 'else', target: 'intro' },
    { id: 'e6', source: 'vip-perk', target: 'done' },
    { id: 'e7', source: 'intro', target: 'done' },
  ],
  settings: { timezone: 'Asia/Shanghai' },
});

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const sentTo = async (flowId: string, contactId: string) =>
  (await app.store.deliveries.listOutbox({ flowId, contactId })).map((m) => [m.nodeId, m.body]);

/** The contact changes the run was signalled with. */
async function contactSignals(workflowId: string): Promise<number> {
  const history = await app.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).filter(
    (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'sopflow.contact',
  ).length;
}

describe('a running flow reads its contact as it is now', () => {
  it('takes the VIP branch and the new address after the contact is changed while it waits', async () => {
    const flow = tierFlow(uniqueId('tiers'), 'PT5S');
    await publishFlow(app, flow);
    const otto = { id: uniqueId('otto'), email: 'old@example.com', attributes: { tier: 'standard' } };
    const enrolled = await app.webhook(flow.id, { contact: otto, event: {} });
    expect(enrolled).toMatchObject({ status: 202, body: { status: 'enrolled' } });
    const workflowId = contactFlowWorkflowId(flow.id, otto.id);
    await until(async () => ((await sentTo(flow.id, otto.id)).length > 0 ? true : undefined), 'the greeting');

    const change = { attributes: { tier: 'vip' }, addresses: { email: 'new@example.com' } };
    const put = await app.request('PUT', `/api/contacts/${otto.id}`, change);
    expect(put).toMatchObject({ status: 200, body: { contact: { attributes: { tier: 'vip' } } } });
    // The same change again changes nothing: the run is not signalled again.
    expect(await app.request('PUT', `/api/contacts/${otto.id}`, change)).toMatchObject({ status: 200 });

    expect(await app.client.workflow.getHandle(workflowId).result()).toEqual({
      outcome: { kind: 'exited', nodeId: 'done' },
    });
    expect(await sentTo(flow.id, otto.id)).toEqual([
      ['greet', 'hi old@example.com'],
      ['vip-perk', 'vip new@example.com'],
    ]);
    expect(await contactSignals(workflowId)).toBe(1);

    // A run that is done is told nothing.
    await app.request('PUT', `/api/contacts/${otto.id}`, { attributes: { tier: 'standard' } });
    expect(await contactSignals(workflowId)).toBe(1);
  });

  it('costs a waiting run one signal and its workflow task per change, and no new timer', async () => {
    const flow = tierFlow(uniqueId('cost'), 'PT1H');
    await publishFlow(app, flow);
    const cy = { id: uniqueId('cy'), email: 'cy@example.com', attributes: { tier: 'standard' } };
    await app.webhook(flow.id, { contact: cy, event: {} });
    const handle = app.client.workflow.getHandle(contactFlowWorkflowId(flow.id, cy.id));
    const events = async () => (await handle.fetchHistory()).events ?? [];
    // Waiting at the one-hour timer: the last command of its last workflow task.
    const before = await until(
      async () => ((await events()).at(-1)?.timerStartedEventAttributes ? await events() : undefined),
      'the wait',
    );

    await app.request('PUT', `/api/contacts/${cy.id}`, { attributes: { tier: 'vip' } });
    const after = await until(async () => {
      const all = await events();
      return all.length > before.length && all.at(-1)?.workflowTaskCompletedEventAttributes ? all : undefined;
    }, 'the change taken');
    const added = after.slice(before.length);
    expect(added.filter((e) => e.workflowExecutionSignaledEventAttributes)).toHaveLength(1);
    expect(added.filter((e) => e.timerStartedEventAttributes || e.timerCanceledEventAttributes)).toEqual([]);
    expect(added.length).toBeLessThanOrEqual(4);
    expect((await handle.query(runStateQuery)).contact.attributes).toEqual({ tier: 'vip' });
    await handle.terminate('test done');
  });

  it("takes a change another flow's update step made, and a webhook's new contact data", async () => {
    const waiting = tierFlow(uniqueId('waiting'), 'PT6S');
    const promote = {
      schemaVersion: 1,
      id: uniqueId('promote'),
      name: 'Promote',
      nodes: [
        webhookTrigger('order.paid'),
        {
          id: 'make-vip',
          type: 'update_contact',
          position: { x: 0, y: 100 },
          update: { set: { tier: 'vip' } },
        },
        { id: 'done', type: 'exit', position: { x: 0, y: 200 } },
      ],
      edges: [
        { id: 'e1', source: 'joined', target: 'make-vip' },
        { id: 'e2', source: 'make-vip', target: 'done' },
      ],
      settings: { timezone: 'Asia/Shanghai' },
    };
    await publishFlow(app, waiting);
    await publishFlow(app, promote);
    const vera = { id: uniqueId('vera'), email: 'vera@example.com', attributes: { tier: 'standard' } };
    await app.webhook(waiting.id, { contact: vera, event: {} });
    await until(
      async () => ((await sentTo(waiting.id, vera.id)).length > 0 ? true : undefined),
      'the greeting',
    );

    // Another flow's webhook brings a new address; that flow's step makes the contact a VIP.
    const moved = { ...vera, email: 'vera@new.example.com' };
    expect(await app.webhook(promote.id, { contact: moved, event: {} })).toMatchObject({ status: 202 });
    await app.client.workflow.getHandle(contactFlowWorkflowId(promote.id, vera.id)).result();

    await app.client.workflow.getHandle(contactFlowWorkflowId(waiting.id, vera.id)).result();
    expect(await sentTo(waiting.id, vera.id)).toEqual([
      ['greet', 'hi vera@example.com'],
      ['vip-perk', 'vip vera@new.example.com'],
    ]);
    expect(await contactSignals(contactFlowWorkflowId(waiting.id, vera.id))).toBe(2);
    // The update step's own run got the contact as its step's answer, not as a signal.
    expect(await contactSignals(contactFlowWorkflowId(promote.id, vera.id))).toBe(0);
  });

  it('is what the dry-run shows when a change is scripted, with its addresses checked', async () => {
    const flow = tierFlow(uniqueId('dry'), 'PT1H');
    await publishFlow(app, flow);
    const contact = { id: 'dry', email: 'old@example.com', attributes: { tier: 'standard' } };
    const change = { attributes: { tier: 'vip' }, addresses: { email: 'new@example.com' } };
    const answer = await app.request('POST', `/api/flows/${flow.id}/simulate`, {
      contact,
      events: [{ at: '+30m', contact: change }],
    });
    expect(answer.status).toBe(200);
    const timeline = answer.body.timeline as { kind: string; nodeId?: string; text?: string }[];
    expect(timeline.filter((e) => e.kind === 'send').map((e) => [e.nodeId, e.text])).toEqual([
      ['greet', 'hi old@example.com'],
      ['vip-perk', 'vip new@example.com'],
    ]);
    expect(answer.body.lines).toContainEqual(
      expect.stringMatching(/✎ contact changed: (addresses, attributes|attributes, addresses)$/),
    );

    const unknownKind = await app.request('POST', `/api/flows/${flow.id}/simulate`, {
      contact,
      events: [{ at: '+30m', contact: { addresses: { fax: '123' } } }],
    });
    expect(unknownKind).toMatchObject({
      status: 422,
      body: { error: { details: [{ path: 'events.0.contact.addresses.fax' }] } },
    });
  });

  it('tells a waiting run when its contact unsubscribes through a link', async () => {
    const flow = tierFlow(uniqueId('optout'), 'PT4S');
    await publishFlow(app, flow);
    const ann = { id: uniqueId('ann'), email: 'ann@example.com', attributes: { tier: 'vip' } };
    await app.webhook(flow.id, { contact: ann, event: {} });
    const workflowId = contactFlowWorkflowId(flow.id, ann.id);
    await until(async () => ((await sentTo(flow.id, ann.id)).length > 0 ? true : undefined), 'the greeting');

    const token = createUnsubscribeToken(app.env.SOPFLOW_SECRET_KEY!, {
      contactId: ann.id,
      channel: 'email',
    });
    expect((await app.requestWith({}, 'POST', `/u/${token}`)).status).toBe(200);
    const handle = app.client.workflow.getHandle(workflowId);
    await handle.result();
    expect((await handle.query(runStateQuery)).contact.unsubscribed).toEqual(['email']);
    expect(await contactSignals(workflowId)).toBe(1);
    expect(await sentTo(flow.id, ann.id)).toEqual([['greet', 'hi ann@example.com']]);
  });
});

describe('migration 023', () => {
  it('gives contacts a revision from 0 that every write raises, and tells writes that changed nothing', async () => {
    const { db: fresh, drop } = await databaseBefore(inject('databaseUrl'), '023');
    try {
      await fresh.sql`insert into contacts (id, name) values ('old', 'Old')`;
      expect(await fresh.migrate()).toContain('023_contact_revision.sql');
      const revision = async () =>
        (await fresh.sql<{ revision: string }[]>`select revision from contacts where id = 'old'`)[0]!
          .revision;
      expect(await revision()).toBe('0');
      const saved = await fresh.contacts.save([{ id: 'old', attributes: { tier: 'vip' } }]);
      expect(saved.changed).toEqual([
        { contact: expect.objectContaining({ attributes: { tier: 'vip' } }), revision: 1 },
      ]);
      expect(await fresh.contacts.unsubscribe('old', 'sms')).toMatchObject({ revision: 2 });
      expect(await fresh.contacts.unsubscribe('old', 'sms')).toBeUndefined();
      expect(await fresh.contacts.upsert({ id: 'old', attributes: { tier: 'vip' } })).toMatchObject({
        changed: false,
        revision: 3,
      });
      expect((await fresh.contacts.save([{ id: 'old', name: 'Old' }])).changed).toEqual([]);
    } finally {
      await drop();
    }
  });
});
