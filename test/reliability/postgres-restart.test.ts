import { contactFlowWorkflowId } from '@sopflow/workflows';
import type { Payload } from '@temporalio/common';
import { afterAll, describe, expect, it } from 'vitest';
import { type OwnPostgres, startOwnPostgres } from '../support/own-postgres';
import { publishFlow, startTestApp, type TestApp, uniqueId } from '../support/stack';
import { until } from '../support/worker-process';

/**
 * Postgres stopped and started again while contacts are mid-flow: the API says 503
 * `database_unavailable` (retry) instead of failing or answering something misleading, the
 * worker's sends fail and are retried by Temporal, and once the database is back every contact
 * finishes with each message recorded exactly once. The database is this file's own, so stopping
 * it leaves the other test files alone.
 */

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Webhook-triggered: send, a pause long enough to stop the database in, send. */
function journey(id: string) {
  return {
    schemaVersion: 1,
    id,
    name: 'Postgres restart journey',
    nodes: [
      { id: 'in', type: 'trigger', trigger: { kind: 'webhook' } },
      { id: 'hello', type: 'send', channel: 'sms', message: { text: 'hello {{ contact.id }}' } },
      { id: 'pause', type: 'wait', duration: 'PT3S' },
      { id: 'bye', type: 'send', channel: 'sms', message: { text: 'bye {{ contact.id }}' } },
      { id: 'out', type: 'exit' },
    ],
    edges: [
      { id: 'a', source: 'in', target: 'hello' },
      { id: 'b', source: 'hello', target: 'pause' },
      { id: 'c', source: 'pause', target: 'bye' },
      { id: 'd', source: 'bye', target: 'out' },
    ],
  };
}

/** A failure's message as the worker wrote it: Temporal holds it encrypted, in its encoded attributes. */
async function failureMessage(
  app: TestApp,
  failure: { message?: string | null; encodedAttributes?: unknown } | null | undefined,
): Promise<string> {
  if (!failure?.encodedAttributes) return failure?.message ?? '';
  const [decoded] = await app.payloadCodec.decode([failure.encodedAttributes as Payload]);
  const attributes = JSON.parse(Buffer.from(decoded!.data!).toString('utf8')) as { message?: string };
  return attributes.message ?? '';
}

/** The runs among these whose send is being retried, with the failure each last saw. */
async function retriedSends(app: TestApp, workflowIds: string[]) {
  const retried = new Map<string, string>();
  for (const workflowId of workflowIds) {
    const described = await app.client.workflow.getHandle(workflowId).describe();
    for (const pending of described.raw.pendingActivities ?? []) {
      if (pending.activityType?.name === 'deliver' && (pending.attempt ?? 0) >= 2)
        retried.set(workflowId, await failureMessage(app, pending.lastFailure));
    }
  }
  return retried;
}

describe('postgres restart', () => {
  it('answers 503 while Postgres is down, retries the sends, and loses or doubles nothing', async () => {
    const pg: OwnPostgres = await startOwnPostgres(uniqueId('pgrestart'));
    cleanups.push(() => pg.remove());
    const app = await startTestApp({ env: { DATABASE_URL: pg.url } });
    cleanups.push(() => app.stop());
    const flowId = uniqueId('pgdown');
    await publishFlow(app, journey(flowId));
    const contacts = Array.from({ length: 30 }, (_, i) => `${flowId}-${String(i).padStart(2, '0')}`);
    const early = contacts.slice(0, 20);
    const late = contacts.slice(20);
    const enroll = (contactId: string) => app.webhook(flowId, { contact: { id: contactId, phone: '138' } });

    for (const contactId of early) expect((await enroll(contactId)).body.status).toBe('enrolled');
    // Stop once every early contact has had its first message, so the database goes away while
    // they wait and their second sends meet it down.
    await until(
      async () =>
        (await app.store.deliveries.listOutbox({ flowId })).length >= early.length ? true : undefined,
      'the first messages',
    );
    await pg.stop();
    const downSince = Date.now();

    const refusals: { status: number; code: string }[] = [];
    let slowestRefusalMs = 0;
    const refused = async (answer: Promise<{ status: number; body: { error?: { code: string } } }>) => {
      const asked = Date.now();
      const { status, body } = await answer;
      slowestRefusalMs = Math.max(slowestRefusalMs, Date.now() - asked);
      refusals.push({ status, code: body?.error?.code ?? JSON.stringify(body) });
    };
    for (const contactId of late) await refused(enroll(contactId));
    await refused(app.request('GET', `/api/flows/${flowId}`));
    await refused(app.request('GET', `/api/outbox?flowId=${flowId}`));
    await refused(
      app.request('POST', '/api/events', { contactId: early[0], name: 'message.received', payload: {} }),
    );
    expect(refusals).toEqual(
      Array.from({ length: refusals.length }, () => ({ status: 503, code: 'database_unavailable' })),
    );

    // Every early contact's second send meets the missing database, fails, and is retried.
    const retried = await until(async () => {
      const seen = await retriedSends(
        app,
        early.map((c) => contactFlowWorkflowId(flowId, c)),
      );
      return seen.size === early.length ? seen : undefined;
    }, 'every second send retried while the database is down');
    const failures = new Set(retried.values());
    // Connection failures, not sends stuck past their timeout behind a pool waiting to reconnect.
    for (const failure of failures)
      expect(failure).toMatch(/ECONNREFUSED|CONNECTION_|shutting down|administrator command/);

    await pg.start();
    const downMs = Date.now() - downSince;

    // The same pool serves again: the API answers without a restart of the app.
    const back = await until(async () => {
      const answer = await app.request('GET', `/api/flows/${flowId}`);
      return answer.status === 503 ? undefined : answer;
    }, 'the API answering again');
    expect(back.status).toBe(200);
    // The callers that were told 503 retry, as the answer asked them to.
    for (const contactId of late) expect((await enroll(contactId)).body.status).toBe('enrolled');

    for (const contactId of contacts) {
      const result = await app.client.workflow.getHandle(contactFlowWorkflowId(flowId, contactId)).result();
      expect(result.outcome).toEqual({ kind: 'exited', nodeId: 'out' });
    }
    const rows = await app.store.deliveries.listOutbox({ flowId, limit: 5000 });
    const byContact = new Map<string, string[]>();
    for (const row of rows) byContact.set(row.contactId, [...(byContact.get(row.contactId) ?? []), row.body]);
    for (const contactId of contacts)
      expect(byContact.get(contactId), contactId).toEqual([`hello ${contactId}`, `bye ${contactId}`]);
    expect(rows).toHaveLength(contacts.length * 2);
    const deliveries = await app.sql<{ status: string; n: number }[]>`
      select status, count(*)::int as n from deliveries where flow_id = ${flowId} group by status`;
    expect(deliveries).toEqual([{ status: 'sent', n: contacts.length * 2 }]);
    console.log(
      `postgres-restart: ${contacts.length} contacts, ${rows.length} messages each once; ` +
        `database down ${downMs} ms; ${refusals.length} answers 503 (slowest ${slowestRefusalMs} ms); ${retried.size} sends retried (${[...failures].join(' | ')})`,
    );
  });
});
