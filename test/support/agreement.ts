import { defaultRegistry } from '@sopflow/connectors';
import {
  type ContactInput,
  compile,
  type FlowDocumentInput,
  offsetMs,
  type ScriptedEvent,
  type SimulationOptions,
  simulate,
} from '@sopflow/core';
import { contactFlowWorkflowId } from '@sopflow/workflows';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import { expect } from 'vitest';
import type { TestApp } from './stack';

/** One message as both runs report it: where it came from, what it said, how long after enrollment. */
export interface SentMessage {
  nodeId: string;
  channel: string;
  to: string;
  text: string;
  /** Milliseconds after enrollment, on the workflow's (virtual) clock. */
  afterMs: number;
}

/**
 * What a real run sent equals what its dry-run said: the same messages, in the same order, at the
 * same virtual times. A real step runs a little virtual time after the instant it was due: the
 * time-skipping server lets virtual time pass with real time while a task runs, a few milliseconds
 * on an idle machine and over a second on a loaded one (seen: 1.15 s with two test runs at once).
 * The templates' steps are minutes to days apart, so more than five seconds is a disagreement.
 */
export function expectSameMessages(real: SentMessage[], dryRun: SentMessage[]): void {
  const withoutTime = (m: SentMessage) => ({ ...m, afterMs: undefined });
  expect(real.map(withoutTime)).toEqual(dryRun.map(withoutTime));
  real.forEach((m, i) => {
    const drift = m.afterMs - dryRun[i]!.afterMs;
    expect(drift, `${m.nodeId} sent ${drift} ms after its dry-run time`).toBeGreaterThanOrEqual(0);
    expect(drift, `${m.nodeId} sent ${drift} ms after its dry-run time`).toBeLessThan(5000);
  });
}

/** A send that did not go out, as both runs report it; `untilMs` (held until) after enrollment. */
export interface SuppressedSend {
  nodeId: string;
  channel: string;
  reason: string;
  untilMs?: number;
}

/**
 * What a real run suppressed equals what its dry-run said: the same sends, skipped or held for the
 * same reasons, held until the same time (within the drift `expectSameMessages` allows).
 */
export function expectSameSuppressed(real: SuppressedSend[], dryRun: SuppressedSend[]): void {
  const withoutTime = ({ untilMs, ...rest }: SuppressedSend) => ({ ...rest, held: untilMs !== undefined });
  expect(real.map(withoutTime)).toEqual(dryRun.map(withoutTime));
  real.forEach((m, i) => {
    if (m.untilMs === undefined) return;
    const drift = m.untilMs - dryRun[i]!.untilMs!;
    expect(drift, `${m.nodeId} held ${drift} ms past its dry-run time`).toBeGreaterThanOrEqual(0);
    expect(drift, `${m.nodeId} held ${drift} ms past its dry-run time`).toBeLessThan(5000);
  });
}

/**
 * Runs a flow for one contact twice: for real on a time-skipping Temporal server through the API
 * and worker, with events posted at their virtual offsets, and as a dry-run started at the same
 * virtual instant. Returns what each sent, to be compared.
 */
export async function runBothWays(
  app: TestApp,
  env: TestWorkflowEnvironment,
  document: FlowDocumentInput,
  contact: ContactInput,
  options: {
    event?: Record<string, unknown>;
    events?: ScriptedEvent[];
    /** What the dry-run assumes HTTP steps answer (production calls the real system). */
    responses?: SimulationOptions['responses'];
  } = {},
) {
  const published = await app.request('PUT', `/api/flows/${document.id}`, document);
  if (published.status !== 200) throw new Error(JSON.stringify(published.body));
  const version = await app.request('POST', `/api/flows/${document.id}/publish`, {});
  if (version.status !== 201) throw new Error(JSON.stringify(version.body));

  // Flows treat night and day differently (quiet hours, a template's "joined at night" path), and
  // the virtual clock stands wherever earlier tests left it: every run starts at 10:00 local time.
  const zone = contact.timezone ?? document.settings?.timezone ?? 'Asia/Shanghai';
  const clock = await env.currentTimeMs();
  let tenAm = DateTime.fromMillis(clock, { zone }).set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
  if (tenAm.toMillis() <= clock) tenAm = tenAm.plus({ days: 1 });
  await env.sleep(tenAm.toMillis() - clock);

  const enrolled = await app.request('POST', `/api/flows/${document.id}/enroll`, {
    contact,
    event: options.event,
  });
  if (enrolled.status !== 202) throw new Error(JSON.stringify(enrolled.body));
  const workflowId = contactFlowWorkflowId(document.id, contact.id);
  const startedAt = (await env.client.workflow.getHandle(workflowId).describe()).startTime.getTime();

  // Time moves only when we say so: advance to each event's offset, then post it.
  const events = [...(options.events ?? [])].sort((a, b) => offsetMs(a.at) - offsetMs(b.at));
  /** What the run answered for each event (the events API's `runs`), in order. */
  const realUses: string[] = [];
  for (const event of events) {
    const due = startedAt + offsetMs(event.at);
    const now = await env.currentTimeMs();
    if (due > now) await env.sleep(due - now);
    const posted = await app.request('POST', '/api/events', {
      contactId: contact.id,
      name: event.name,
      payload: event.payload ?? {},
    });
    if (posted.status !== 202) throw new Error(JSON.stringify(posted.body));
    const run = (posted.body.runs as { workflowId: string; use: string }[]).find(
      (r) => r.workflowId === workflowId,
    );
    realUses.push(run?.use ?? 'ignored');
  }
  const result = await env.client.workflow.getHandle(workflowId).result();

  const rows = await app.sql<
    { node_id: string; channel: string; recipient: string; workflow_time: Date; key: string }[]
  >`
    select node_id, channel, recipient, workflow_time, idempotency_key as key from deliveries
    where workflow_id = ${workflowId} and status = 'sent' order by workflow_time, created_at`;
  const bodies = new Map(
    (await app.store.deliveries.listOutbox({ flowId: document.id })).map(
      (m) => [m.idempotencyKey, m.body] as const,
    ),
  );
  const real: SentMessage[] = rows.map((r) => ({
    nodeId: r.node_id,
    channel: r.channel,
    to: r.recipient,
    text: bodies.get(r.key) ?? '',
    afterMs: r.workflow_time.getTime() - startedAt,
  }));

  // Compiled as the server compiles it: with whom the connectors say each channel reaches.
  const compiled = compile(document, { reach: defaultRegistry().reach() });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  const dry = simulate(compiled.plan, {
    contact,
    event: options.event,
    events: options.events,
    responses: options.responses,
    startAt: startedAt,
  });
  const dryRun: SentMessage[] = dry.timeline.flatMap((e) =>
    e.kind === 'send' && e.status === 'sent'
      ? [
          {
            nodeId: e.nodeId,
            channel: e.channel,
            to: e.to,
            text: e.subject ? `${e.subject}\n\n${e.text}` : e.text,
            afterMs: e.at - startedAt,
          },
        ]
      : [],
  );
  const dryUses = dry.timeline.flatMap((e) => (e.kind === 'event' ? [e.use] : []));
  const realSuppressed: SuppressedSend[] = (
    await app.sql<{ node_id: string; channel: string; reason: string; until: Date | null }[]>`
      select node_id, channel, reason, until from journey_steps
      where workflow_id = ${workflowId} and kind = 'suppressed' order by at, id`
  ).map((r) => ({
    nodeId: r.node_id,
    channel: r.channel,
    reason: r.reason,
    ...(r.until ? { untilMs: r.until.getTime() - startedAt } : {}),
  }));
  const drySuppressed: SuppressedSend[] = dry.timeline.flatMap((e) =>
    e.kind === 'suppressed'
      ? [
          {
            nodeId: e.nodeId,
            channel: e.channel,
            reason: e.reason,
            ...(e.until === undefined ? {} : { untilMs: e.until - startedAt }),
          },
        ]
      : [],
  );
  return {
    real,
    dryRun,
    realSuppressed,
    drySuppressed,
    realOutcome: result.outcome,
    dryOutcome: dry.outcome,
    startedAt,
    uses: { real: realUses, dryRun: dryUses },
  };
}
