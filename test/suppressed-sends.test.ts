import type { FlowDocumentInput } from '@sopflow/core';
import { contactFlowWorkflowId } from '@sopflow/workflows';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { publishFlow, uniqueId } from './support/stack';
import { useTimeSkippingApp } from './support/time-skipping';

/**
 * A send that does not go out leaves a trace: skipped for an opt-out, a missing address or the
 * frequency cap, or held by quiet hours, it is a step of the contact's journey with its reason,
 * counted per step in the flow's statistics and shown in the contact's history. Runs on Temporal's
 * time-skipping server, so the hour's wait and the quiet hours pass at once.
 */

const stack = useTimeSkippingApp();

const ZONE = 'Asia/Shanghai';

/** Two sends an hour apart, at most one message a day per contact: the second is skipped when capped. */
function twoSends(id: string, settings: FlowDocumentInput['settings'] = {}): FlowDocumentInput {
  return {
    schemaVersion: 1,
    id,
    name: 'Two sends',
    nodes: [
      { id: 'in', type: 'trigger', trigger: { kind: 'manual' } },
      { id: 'hello', type: 'send', channel: 'wechat', message: { text: 'Hello' } },
      { id: 'pause', type: 'wait', duration: 'PT1H' },
      { id: 'again', type: 'send', channel: 'wechat', message: { text: 'Again' } },
      { id: 'out', type: 'exit' },
    ],
    edges: [
      { id: 'a', source: 'in', target: 'hello' },
      { id: 'b', source: 'hello', target: 'pause' },
      { id: 'c', source: 'pause', target: 'again' },
      { id: 'd', source: 'again', target: 'out' },
    ],
    settings: { timezone: ZONE, ...settings },
  } as FlowDocumentInput;
}

interface JourneyRecord {
  workflowId: string;
  nodeId: string;
  kind: string;
  channel?: string;
  reason?: string;
  until?: string;
}

async function enroll(flowId: string, contact: Record<string, unknown>): Promise<void> {
  const enrolled = await stack.app.request('POST', `/api/flows/${flowId}/enroll`, { contact });
  if (enrolled.status !== 202) throw new Error(JSON.stringify(enrolled.body));
}

const finish = (flowId: string, contactId: string) =>
  stack.env.client.workflow.getHandle(contactFlowWorkflowId(flowId, contactId)).result();

/** The contact's suppressed sends in this flow, oldest first, as its history shows them. */
async function suppressedIn(flowId: string, contactId: string) {
  const history = await stack.app.request('GET', `/api/contacts/${contactId}`);
  expect(history.status).toBe(200);
  return (history.body.journey as JourneyRecord[])
    .filter((j) => j.workflowId === contactFlowWorkflowId(flowId, contactId) && j.kind === 'suppressed')
    .reverse()
    .map(({ nodeId, channel, reason, until }) => ({ nodeId, channel, reason, ...(until ? { until } : {}) }));
}

async function nodeStats(flowId: string, nodeId: string) {
  const stats = await stack.app.request('GET', `/api/flows/${flowId}/stats`);
  expect(stats.status).toBe(200);
  const { suppressed, held } = stats.body.nodes.find((n: { nodeId: string }) => n.nodeId === nodeId);
  return { suppressed, held };
}

describe('suppressed sends', () => {
  it('are recorded with their reason for an opt-out, a missing address and the frequency cap', async () => {
    const flowId = uniqueId('suppressed');
    await publishFlow(stack.app, twoSends(flowId, { frequencyCap: { max: 1, per: 'P1D', onCap: 'skip' } }));
    const [optedOut, optsOutLater, noAddress, capped] = ['out', 'later', 'none', 'cap'].map((c) =>
      uniqueId(c),
    ) as [string, string, string, string];

    await enroll(flowId, { id: optedOut, wecomUserId: `wx-${optedOut}`, unsubscribed: ['wechat'] });
    await enroll(flowId, { id: noAddress, phone: '13800000000' });
    await enroll(flowId, { id: capped, wecomUserId: `wx-${capped}` });
    await enroll(flowId, { id: optsOutLater, wecomUserId: `wx-${optsOutLater}` });
    // This contact opts out after the first message: the run's copy of the contact still has the
    // channel, so it is the worker's delivery check that refuses the second.
    await expect
      .poll(
        async () =>
          (await stack.app.request('GET', `/api/contacts/${optsOutLater}`)).body.deliveries.map(
            (d: { nodeId: string; status: string }) => `${d.nodeId} ${d.status}`,
          ),
        { timeout: 20_000 },
      )
      .toEqual(['hello sent']);
    const unsubscribed = await stack.app.request('PUT', `/api/contacts/${optsOutLater}`, {
      unsubscribed: { wechat: true },
    });
    expect(unsubscribed.status).toBe(200);

    for (const contact of [optedOut, noAddress, capped, optsOutLater])
      expect(await finish(flowId, contact)).toEqual({ outcome: { kind: 'exited', nodeId: 'out' } });

    const skipped = (nodeId: string, reason: string) => ({ nodeId, channel: 'wechat', reason });
    expect(await suppressedIn(flowId, optedOut)).toEqual([
      skipped('hello', 'opted-out'),
      skipped('again', 'opted-out'),
    ]);
    expect(await suppressedIn(flowId, noAddress)).toEqual([
      skipped('hello', 'no-address'),
      skipped('again', 'no-address'),
    ]);
    expect(await suppressedIn(flowId, capped)).toEqual([skipped('again', 'capped')]);
    expect(await suppressedIn(flowId, optsOutLater)).toEqual([skipped('again', 'opted-out')]);

    expect(await nodeStats(flowId, 'hello')).toEqual({
      suppressed: { 'opted-out': 1, 'no-address': 1 },
      held: {},
    });
    expect(await nodeStats(flowId, 'again')).toEqual({
      suppressed: { 'opted-out': 2, 'no-address': 1, capped: 1 },
      held: {},
    });
    // Suppressed sends are no deliveries: the messages are the two first sends that went out.
    const stats = await stack.app.request('GET', `/api/flows/${flowId}/stats`);
    expect(stats.body.messages).toEqual([
      { channel: 'wechat', sent: 2, failed: 0, unconfirmed: 0, pending: 0, statuses: { sent: 2 } },
    ]);
  });

  it('are recorded as held, with until when, for quiet hours and a deferring cap', async () => {
    // Quiet hours from the top of the virtual clock's current hour to two hours later.
    const now = DateTime.fromMillis(await stack.env.currentTimeMs(), { zone: ZONE });
    const start = now.startOf('hour');
    const end = start.plus({ hours: 2 });
    const flowId = uniqueId('held');
    await publishFlow(
      stack.app,
      twoSends(flowId, {
        quietHours: { start: start.toFormat('HH:mm'), end: end.toFormat('HH:mm') },
        frequencyCap: { max: 1, per: 'PT3H', onCap: 'defer' },
      }),
    );
    const contact = uniqueId('night');
    await enroll(flowId, { id: contact, wecomUserId: `wx-${contact}` });
    expect(await finish(flowId, contact)).toEqual({ outcome: { kind: 'exited', nodeId: 'out' } });

    const held = await suppressedIn(flowId, contact);
    expect(held.map(({ until: _until, ...rest }) => rest)).toEqual([
      { nodeId: 'hello', channel: 'wechat', reason: 'quiet-hours' },
      { nodeId: 'again', channel: 'wechat', reason: 'capped' },
    ]);
    // Released when the quiet hours end; the cap lets the second go three hours after the first.
    const released = Date.parse(held[0]!.until!);
    expect(released).toBe(end.toMillis());
    expect(Date.parse(held[1]!.until!)).toBeGreaterThanOrEqual(released + 3 * 3600_000);
    expect(Date.parse(held[1]!.until!)).toBeLessThan(released + 3 * 3600_000 + 5000);

    expect(await nodeStats(flowId, 'hello')).toEqual({ suppressed: {}, held: { 'quiet-hours': 1 } });
    expect(await nodeStats(flowId, 'again')).toEqual({ suppressed: {}, held: { capped: 1 } });
    const deliveries = (await stack.app.request('GET', `/api/contacts/${contact}`)).body.deliveries;
    expect(
      deliveries.map((d: { nodeId: string; status: string }) => `${d.nodeId} ${d.status}`).sort(),
    ).toEqual(['again sent', 'hello sent']);
  });
});
