import { RETENTION_PURGE_SCHEDULE } from '@sopflow/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, uniqueId } from './support/stack';

/**
 * Retention: an admin sets how long records are kept, and the purge the daily Temporal Schedule
 * starts deletes what is older, on a real Temporal server and Postgres.
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  // The database is the whole e2e run's: leave the defaults for the other files.
  await app?.request('PUT', '/api/settings/retention', {
    deliveriesDays: 400,
    outboxDays: 400,
    eventsDays: 400,
    journeysDays: 400,
  });
  await app?.stop();
});

const DAY = 86_400_000;

/** One row of each kind the purge reads, for the flow, dated `daysAgo`; `running` leaves the enrollment unfinished. */
async function rowsOf(flowId: string, key: string, daysAgo: number, running = false) {
  const { sql } = app;
  const at = new Date(Date.now() - daysAgo * DAY);
  const workflowId = `sopflow:${flowId}:${key}`;
  await sql`insert into deliveries (idempotency_key, contact_id, recipient, channel, connector, workflow_id, flow_id,
                                    flow_version, node_id, status, created_at)
            values (${`${workflowId}/d`}, ${key}, 'r', 'sms', 'outbox', ${workflowId}, ${flowId}, 1, 'send', 'sent', ${at})`;
  await sql`insert into outbox (idempotency_key, workflow_id, flow_id, flow_version, node_id, contact_id, channel, body, created_at)
            values (${`${workflowId}/o`}, ${workflowId}, ${flowId}, 1, 'send', ${key}, 'sms', 'hi', ${at})`;
  await sql`insert into events (event_id, contact_id, name, payload, received_at)
            values (${key}, ${key}, ${`${flowId}.event`}, '{}', ${at})`;
  await sql`insert into journey_steps (workflow_id, run_id, flow_id, flow_version, contact_id, node_id, kind, at)
            values (${workflowId}, 'run', ${flowId}, 1, ${key}, 'send', 'enter', ${at})`;
  await sql`insert into journey_batches (workflow_id, run_id, batch, recorded_at) values (${workflowId}, 'run', 1, ${at})`;
  await sql`insert into enrollments (workflow_id, run_id, flow_id, flow_version, contact_id, started_at, finished_at, outcome)
            values (${workflowId}, 'run', ${flowId}, 1, ${key}, ${at}, ${running ? null : at}, ${running ? null : 'exited'})`;
}

/** Which of the flow's rows are left, per table: the contact keys. */
async function leftOf(flowId: string) {
  const { sql } = app;
  const keys = (rows: { key: string }[]) => rows.map((r) => r.key).sort();
  const like = `sopflow:${flowId}:%`;
  return {
    deliveries: keys(await sql`select contact_id as key from deliveries where flow_id = ${flowId}`),
    outbox: keys(await sql`select contact_id as key from outbox where flow_id = ${flowId}`),
    events: keys(await sql`select contact_id as key from events where name = ${`${flowId}.event`}`),
    journeySteps: keys(await sql`select contact_id as key from journey_steps where flow_id = ${flowId}`),
    journeyBatches: keys(
      await sql`select split_part(workflow_id, ':', 3) as key from journey_batches where workflow_id like ${like}`,
    ),
    enrollments: keys(await sql`select contact_id as key from enrollments where flow_id = ${flowId}`),
  };
}

/** Starts the purge as its schedule does, and waits until the flow's rows of `kind` are `keys`. */
async function purgeUntil(flowId: string, kind: keyof Awaited<ReturnType<typeof leftOf>>, keys: string[]) {
  await app.client.schedule.getHandle(RETENTION_PURGE_SCHEDULE).trigger();
  await expect
    .poll(async () => (await leftOf(flowId))[kind], { timeout: 30_000, interval: 250 })
    .toEqual(keys);
}

describe('retention', () => {
  it('keeps settings an admin sets, and refuses days that are not whole numbers from 0', async () => {
    expect((await app.request('GET', '/api/settings/retention')).status).toBe(200);
    const bad = await app.request('PUT', '/api/settings/retention', {
      deliveriesDays: -1,
      outboxDays: 1.5,
      eventsDays: 30,
      journeysDays: null,
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'deliveriesDays',
      'outboxDays',
    ]);
    const operator = await app.request('POST', '/api/tokens', { name: uniqueId('op'), role: 'operator' });
    expect(
      (await app.requestWith({ token: operator.body.token }, 'GET', '/api/settings/retention')).status,
    ).toBe(403);
  });

  it('deletes rows older than retention when the scheduled purge runs, and keeps newer ones and running journeys', async () => {
    const flowId = uniqueId('retention');
    await rowsOf(flowId, 'old', 40);
    await rowsOf(flowId, 'older-but-running', 40, true);
    await rowsOf(flowId, 'new', 10);
    const saved = await app.request('PUT', '/api/settings/retention', {
      deliveriesDays: 30,
      outboxDays: 30,
      eventsDays: 30,
      journeysDays: 0,
    });
    expect(saved).toMatchObject({
      status: 200,
      body: { deliveriesDays: 30, outboxDays: 30, eventsDays: 30, journeysDays: null },
    });
    // Journeys kept for ever this time: nothing of them goes.
    await purgeUntil(flowId, 'deliveries', ['new']);
    const everyKey = ['new', 'old', 'older-but-running'];
    expect(await leftOf(flowId)).toEqual({
      deliveries: ['new'],
      outbox: ['new'],
      events: ['new'],
      journeySteps: everyKey,
      journeyBatches: everyKey,
      enrollments: everyKey,
    });

    await app.request('PUT', '/api/settings/retention', {
      deliveriesDays: 30,
      outboxDays: 30,
      eventsDays: 30,
      journeysDays: 30,
    });
    await purgeUntil(flowId, 'journeySteps', ['new']);
    expect(await leftOf(flowId)).toEqual({
      deliveries: ['new'],
      outbox: ['new'],
      events: ['new'],
      journeySteps: ['new'],
      journeyBatches: ['new'],
      // A journey still going keeps its enrollment, however old.
      enrollments: ['new', 'older-but-running'],
    });
  });
});
