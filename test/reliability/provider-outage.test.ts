import { randomInt } from 'node:crypto';
import { nextLocalTime } from '@sopflow/core';
import { contactFlowWorkflowId } from '@sopflow/workflows';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FlakyProvider,
  rateLimited,
  serviceUnavailable,
  startFlakyProvider,
  TWILIO,
} from '../support/flaky-provider';
import { publishFlow, startTestApp, type TestApp, uniqueId } from '../support/stack';
import { createTimeSkippingEnv } from '../support/time-skipping';
import { until } from '../support/worker-process';

/**
 * A provider that is down (5xx), unreachable (connection refused) or rate-limiting (429 with
 * Retry-After) for a while: every message is delayed, then delivered exactly once, none lost. And
 * a send whose retries run into quiet hours waits for their end instead of going out at night.
 * Messages are counted where they land: the fake provider's accepted messages, per recipient.
 */

const cleanups: (() => Promise<unknown> | unknown)[] = [];
let provider: FlakyProvider;
beforeAll(async () => {
  provider = await startFlakyProvider();
  cleanups.push(() => provider.close());
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

// biome-ignore lint/suspicious/noExplicitAny: flow documents are written as plain JSON here.
type Node = Record<string, any>;
/** A flow whose sends take their `failed` exit to the `lost` exit, so a message given up on shows. */
function flow(id: string, steps: Node[], settings: Record<string, unknown> = {}) {
  const nodes: Node[] = [
    { id: 'in', type: 'trigger', trigger: { kind: 'manual' } },
    ...steps,
    { id: 'out', type: 'exit' },
    { id: 'lost', type: 'exit' },
  ];
  const edges = nodes.slice(0, steps.length + 1).map((node, i) => ({
    id: `${node.id}-next`,
    source: node.id as string,
    target: nodes[i + 1]!.id as string,
  }));
  for (const step of steps.filter((s) => s.type === 'send'))
    edges.push({ id: `${step.id}-failed`, source: step.id, sourceHandle: 'failed', target: 'lost' } as never);
  return { schemaVersion: 1, id, name: id, nodes, edges, settings };
}

const phone = () => `+1555${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;

/** Every SMS through the flaky provider; the channel route lives in the shared database, so undo it. */
async function routeSms(app: TestApp) {
  const routed = await app.request('PUT', '/api/channels/sms', {
    connector: 'twilio-sms',
    config: { ...TWILIO, baseUrl: provider.url, optOutLine: { enabled: false } },
  });
  expect(routed.status).toBe(200);
  cleanups.push(() => app.request('DELETE', '/api/channels/sms'));
}

const delivered = (to: string) => provider.twilio.messages.filter((m) => m.to === to).map((m) => m.body);
const callsTo = (to: string) => provider.calls.filter((c) => c.to === to);

describe('provider outage on the dev server', () => {
  it('delays messages through 503s, refused connections and 429s, then delivers each once', async () => {
    const app = await startTestApp();
    cleanups.push(() => app.stop());
    await routeSms(app);
    const flowId = uniqueId('outage');
    await publishFlow(
      app,
      flow(flowId, [
        { id: 'hello', type: 'send', channel: 'sms', message: { text: 'hello {{ contact.id }}' } },
        { id: 'pause', type: 'wait', duration: 'PT1S' },
        { id: 'bye', type: 'send', channel: 'sms', message: { text: 'bye {{ contact.id }}' } },
      ]),
    );
    const contacts = Array.from({ length: 20 }, (_, i) => ({ id: `${flowId}-${i}`, phone: phone() }));

    // Down before the first message: every first send meets a 503.
    provider.answer = () => serviceUnavailable;
    for (const contact of contacts)
      expect((await app.request('POST', `/api/flows/${flowId}/enroll`, { contact })).status).toBe(202);
    await until(
      () => (contacts.every((c) => callsTo(c.phone).length > 0) ? true : undefined),
      'a failed call for every contact',
    );

    // Then unreachable: retries fail before a byte is sent.
    await provider.refuse();
    const refusedSeen = await until(async () => {
      const [row] = await app.sql<{ error: string }[]>`
        select error from deliveries where flow_id = ${flowId} and error like '%ECONNREFUSED%' limit 1`;
      return row?.error;
    }, 'a retry meeting a refused connection');
    await provider.accept();

    // Then rate-limited, asking for a second's pause each time.
    provider.answer = () => rateLimited(1);
    await until(
      () => (provider.calls.filter((c) => c.status === 429).length >= contacts.length ? true : undefined),
      'rate-limited answers',
    );

    provider.answer = () => 'deliver';
    for (const contact of contacts) {
      const result = await app.client.workflow.getHandle(contactFlowWorkflowId(flowId, contact.id)).result();
      expect(result.outcome, contact.id).toEqual({ kind: 'exited', nodeId: 'out' });
    }
    for (const contact of contacts) {
      expect(delivered(contact.phone), contact.id).toEqual([`hello ${contact.id}`, `bye ${contact.id}`]);
      // Each first message was turned away before it got through: delayed, not lost.
      expect(callsTo(contact.phone)[0]?.status, contact.id).toBe(503);
    }
    const ours = new Set(contacts.map((c) => c.phone));
    const calls = provider.calls.filter((c) => ours.has(c.to));
    const statuses = (status: number) => calls.filter((c) => c.status === status).length;
    expect(provider.twilio.messages.filter((m) => ours.has(m.to))).toHaveLength(contacts.length * 2);
    expect(statuses(201)).toBe(contacts.length * 2);
    expect(statuses(503)).toBeGreaterThanOrEqual(contacts.length);
    expect(statuses(429)).toBeGreaterThanOrEqual(contacts.length);
    const deliveries = await app.sql<{ status: string; n: number }[]>`
      select status, count(*)::int as n from deliveries where flow_id = ${flowId} group by status`;
    expect(deliveries).toEqual([{ status: 'sent', n: contacts.length * 2 }]);
    console.log(
      `provider-outage: ${contacts.length} contacts, ${statuses(201)} messages delivered once each, 0 lost; ` +
        `${statuses(503)} answers 503, ${statuses(429)} answers 429, refused: ${refusedSeen}`,
    );
  });
});

describe('provider outage into quiet hours (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  let app: TestApp;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    cleanups.push(() => env.teardown());
    app = await startTestApp({ temporalAddress: env.address });
    cleanups.push(() => app.stop());
    await routeSms(app);
  });

  it('holds retried sends that come due inside quiet hours until the quiet hours end', async () => {
    const HOUR = 3_600_000;
    const flowId = uniqueId('quiet');
    await publishFlow(
      app,
      flow(
        flowId,
        [
          // Just before the quiet hours: the send is decided outside them.
          { id: 'evening', type: 'wait_until', time: '21:58' },
          { id: 'note', type: 'send', channel: 'sms', message: { text: 'note {{ contact.id }}' } },
        ],
        { timezone: 'UTC', quietHours: { start: '22:00', end: '08:00' } },
      ),
    );
    const steady = { id: `${flowId}-steady`, phone: phone() };
    const down = { id: `${flowId}-down`, phone: phone() };
    const limited = { id: `${flowId}-limited`, phone: phone() };
    let recovered = Number.POSITIVE_INFINITY;
    provider.clock = () => env.currentTimeMs();
    provider.answer = ({ to, at }) =>
      at >= recovered
        ? 'deliver'
        : to === down.phone
          ? serviceUnavailable
          : to === limited.phone
            ? rateLimited(300)
            : 'deliver';
    for (const contact of [steady, down, limited])
      expect((await app.request('POST', `/api/flows/${flowId}/enroll`, { contact })).status).toBe(202);
    // The evening the runs wait for follows from when they started (until then the provider stays down).
    const enrolledAt = (
      await env.client.workflow.getHandle(contactFlowWorkflowId(flowId, steady.id)).describe()
    ).startTime.getTime();
    const quietStart = nextLocalTime(enrolledAt, { time: '21:58' }, 'UTC') + 2 * 60_000;
    const quietEnd = quietStart + 10 * HOUR;
    // The provider is back 5 minutes into the quiet hours: an unheld retry would go out then.
    recovered = quietStart + 5 * 60_000;

    for (const contact of [steady, down, limited]) {
      // The environment's client skips time while the run waits; the app's would wait for real.
      const result = await env.client.workflow.getHandle(contactFlowWorkflowId(flowId, contact.id)).result();
      expect(result.outcome, contact.id).toEqual({ kind: 'exited', nodeId: 'out' });
    }

    for (const contact of [steady, down, limited])
      expect(delivered(contact.phone), contact.id).toEqual([`note ${contact.id}`]);
    const hours = (at: number) => new Date(at).toISOString().slice(11, 19);
    console.log(
      `quiet hours: ${[steady, down, limited]
        .map(
          (c) =>
            `${c.id.split('-').pop()}: ${callsTo(c.phone)
              .map((call) => `${call.status}@${hours(call.at)}`)
              .join(' ')}`,
        )
        .join('; ')}`,
    );
    // Unheld when nothing went wrong: out at 21:58, before the quiet hours.
    expect(callsTo(steady.phone).map((c) => c.status)).toEqual([201]);
    expect(callsTo(steady.phone)[0]!.at).toBeLessThan(quietStart);
    for (const contact of [down, limited]) {
      const calls = callsTo(contact.phone);
      const failed = calls.filter((c) => c.status !== 201);
      const sent = calls.filter((c) => c.status === 201);
      expect(failed.length, contact.id).toBeGreaterThan(0);
      expect(sent, contact.id).toHaveLength(1);
      // Nothing reached the provider during the quiet hours, not even a failing retry.
      for (const call of calls)
        expect(call.at < quietStart || call.at >= quietEnd, `${contact.id} call at ${hours(call.at)}`).toBe(
          true,
        );
      // Delivered when the quiet hours ended, not hours later.
      expect(sent[0]!.at, contact.id).toBeGreaterThanOrEqual(quietEnd);
      expect(sent[0]!.at - quietEnd, contact.id).toBeLessThan(15 * 60_000);
    }
  });
});
