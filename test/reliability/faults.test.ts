import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { localStack } from '@sopflow/server';
import { contactFlowWorkflowId } from '@sopflow/workflows';
import { afterAll, describe, expect, it } from 'vitest';
import { publishFlow, startTestApp, type TestApp, uniqueId } from '../support/stack';
import { WorkerProcesses } from '../support/worker-process';

/**
 * Faults survived, nothing lost, nothing doubled: workers killed at random moments, the Temporal
 * server restarted mid-run, the same webhook delivered many times at once. Every message is
 * counted where it lands (the deliveries and outbox records, keyed per send).
 */

const workers = new WorkerProcesses();
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  await workers.killAll();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** send → wait → wait for a reply (or time out) → send: sends, timers and events in one flow. */
function journey(id: string) {
  return {
    schemaVersion: 1,
    id,
    name: 'Fault journey',
    nodes: [
      { id: 'in', type: 'trigger', trigger: { kind: 'manual' } },
      { id: 'hello', type: 'send', channel: 'sms', message: { text: 'hello {{ contact.id }}' } },
      { id: 'pause', type: 'wait', duration: 'PT2S' },
      { id: 'reply', type: 'wait_for_event', event: 'message.received', timeout: 'PT3S' },
      { id: 'thanks', type: 'send', channel: 'sms', message: { text: 'thanks {{ contact.id }}' } },
      { id: 'out', type: 'exit' },
      { id: 'bye', type: 'send', channel: 'sms', message: { text: 'bye {{ contact.id }}' } },
      { id: 'out2', type: 'exit' },
    ],
    edges: [
      { id: 'a', source: 'in', target: 'hello' },
      { id: 'b', source: 'hello', target: 'pause' },
      { id: 'c', source: 'pause', target: 'reply' },
      { id: 'd', source: 'reply', sourceHandle: 'event', target: 'thanks' },
      { id: 'e', source: 'thanks', target: 'out' },
      { id: 'f', source: 'reply', sourceHandle: 'timeout', target: 'bye' },
      { id: 'g', source: 'bye', target: 'out2' },
    ],
  };
}

/** Every contact's messages, as recorded where they land; each must appear exactly once. */
async function messagesOf(app: TestApp, flowId: string) {
  const rows = await app.store.deliveries.listOutbox({ flowId, limit: 5000 });
  const byContact = new Map<string, string[]>();
  for (const row of rows) byContact.set(row.contactId, [...(byContact.get(row.contactId) ?? []), row.body]);
  return { rows, byContact };
}

function expectEachOnce(contacts: string[], replied: Set<string>, byContact: Map<string, string[]>) {
  for (const contact of contacts) {
    const last = replied.has(contact) ? `thanks ${contact}` : `bye ${contact}`;
    expect(byContact.get(contact), contact).toEqual([`hello ${contact}`, last]);
  }
}

describe('faults', () => {
  it('survives workers killed at random moments: every contact finishes, every message once', async () => {
    const app = await startTestApp({ worker: false });
    cleanups.push(() => app.stop());
    const flowId = uniqueId('kills');
    await publishFlow(app, journey(flowId));
    const contacts = Array.from({ length: 500 }, (_, i) => `${flowId}-${String(i).padStart(3, '0')}`);
    const replied = new Set(contacts.filter((_, i) => i % 2 === 0));

    let worker = await workers.start(app.env);
    for (const contactId of contacts) {
      const answer = await app.request('POST', `/api/flows/${flowId}/enroll`, {
        contact: { id: contactId, phone: '138' },
      });
      expect(answer.status).toBe(202);
    }
    // Kill the worker three times at random moments of the run (logged, to replay a failure),
    // replying for half the contacts after the second.
    const killsAt = Array.from({ length: 3 }, () => 200 + Math.floor(Math.random() * 4800)).sort(
      (a, b) => a - b,
    );
    console.log(`faults: SIGKILL at ${killsAt.join(', ')} ms after ${contacts.length} enrollments`);
    let elapsed = 0;
    let kills = 0;
    for (const at of killsAt) {
      await new Promise((r) => setTimeout(r, at - elapsed));
      elapsed = at;
      await workers.kill(worker);
      kills++;
      worker = await workers.start(app.env);
      if (kills === 2) {
        for (const contactId of replied) {
          await app.request('POST', '/api/events', {
            contactId,
            name: 'message.received',
            payload: { text: 'hi' },
          });
        }
      }
    }
    for (const contactId of contacts) {
      await app.client.workflow.getHandle(contactFlowWorkflowId(flowId, contactId)).result();
    }
    const { rows, byContact } = await messagesOf(app, flowId);
    expect(rows).toHaveLength(contacts.length * 2);
    // Replies sent after a contact already timed out do not count; the record says which path each took.
    const tookThanks = new Set(rows.filter((r) => r.body.startsWith('thanks')).map((r) => r.contactId));
    expectEachOnce(contacts, tookThanks, byContact);
    expect([...tookThanks].every((c) => replied.has(c))).toBe(true);
  });

  it('survives the Temporal server stopping and starting again on its database', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sopflow-restart-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const port = await localStack.findFreePort();
    const dbFile = path.join(dir, 'temporal.db');
    let temporal = await localStack.startTemporalDevServer({
      port,
      dbFile,
      ui: false,
      logFile: path.join(dir, 't.log'),
    });
    cleanups.push(() => temporal.stop());
    const app = await startTestApp({ temporalAddress: temporal.address });
    cleanups.push(() => app.stop());
    const flowId = uniqueId('restart');
    await publishFlow(app, journey(flowId));
    const contacts = Array.from({ length: 40 }, (_, i) => `${flowId}-${i}`);
    for (const contactId of contacts) {
      await app.request('POST', `/api/flows/${flowId}/enroll`, { contact: { id: contactId, phone: '138' } });
    }
    await temporal.stop();
    // While Temporal is down the API refuses enrollments with 503, so the caller knows to retry.
    const refused = await app.request('POST', `/api/flows/${flowId}/enroll`, {
      contact: { id: `${flowId}-late` },
    });
    expect(refused.status).toBe(503);
    // So is a campaign, and the server's list does not show one that never started.
    const campaign = await app.request('POST', '/api/campaigns', { flowId, audience: { everyone: true } });
    expect(campaign.status).toBe(503);
    expect((await app.request('GET', `/api/campaigns?flowId=${flowId}`)).body.campaigns).toEqual([]);
    temporal = await localStack.startTemporalDevServer({
      port,
      dbFile,
      ui: false,
      logFile: path.join(dir, 't.log'),
    });
    for (const contactId of contacts) {
      await app.client.workflow.getHandle(contactFlowWorkflowId(flowId, contactId)).result();
    }
    const { rows, byContact } = await messagesOf(app, flowId);
    expect(rows).toHaveLength(contacts.length * 2);
    expectEachOnce(contacts, new Set(), byContact);
  });

  it('enrolls once when the same webhook delivery arrives ten times at once', async () => {
    const app = await startTestApp();
    cleanups.push(() => app.stop());
    const flowId = uniqueId('storm');
    const flow = journey(flowId);
    flow.nodes[0] = { id: 'in', type: 'trigger', trigger: { kind: 'webhook' } } as never;
    await publishFlow(app, flow);
    const payload = { contact: { id: uniqueId('c'), phone: '138' }, event: {} };
    const answers = await Promise.all(Array.from({ length: 10 }, () => app.webhook(flowId, payload)));
    // One enrolls; each other copy is refused as the same delivery, or finds the contact enrolled.
    const statuses = answers.map((a) => a.body.status ?? a.body.error?.code).sort();
    expect(statuses.filter((s) => s === 'enrolled')).toHaveLength(1);
    expect(statuses.filter((s) => s === 'already-enrolled' || s === 'duplicate_delivery')).toHaveLength(9);
    await app.client.workflow.getHandle(contactFlowWorkflowId(flowId, payload.contact.id)).result();
    expect((await app.store.deliveries.listOutbox({ flowId })).map((m) => m.body)).toEqual([
      `hello ${payload.contact.id}`,
      `bye ${payload.contact.id}`,
    ]);
  });
});
