import { contactFlowWorkflowId } from '@sopflow/workflows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishFlow, startTestApp, type TestApp, uniqueId } from './support/stack';
import { until, WorkerProcesses } from './support/worker-process';

/**
 * A worker is a process that can die at any moment. Kill it (SIGKILL, no goodbye) while
 * contacts wait in a flow, start another: every contact finishes and no message goes out twice.
 */

const workers = new WorkerProcesses();
let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ worker: false });
});
afterAll(async () => {
  await workers.killAll();
  await app?.stop();
});

describe('crash safety', () => {
  it('finishes every contact after the worker is killed mid-flow, sending nothing twice', async () => {
    const flowId = uniqueId('crash');
    await publishFlow(app, {
      schemaVersion: 1,
      id: flowId,
      name: 'Crash test',
      nodes: [
        { id: 'in', type: 'trigger', trigger: { kind: 'webhook' } },
        { id: 'first', type: 'send', channel: 'sms', message: { text: 'first for {{ contact.id }}' } },
        { id: 'pause', type: 'wait', duration: 'PT3S' },
        { id: 'second', type: 'send', channel: 'sms', message: { text: 'second for {{ contact.id }}' } },
        { id: 'out', type: 'exit' },
      ],
      edges: [
        { id: 'a', source: 'in', target: 'first' },
        { id: 'b', source: 'first', target: 'pause' },
        { id: 'c', source: 'pause', target: 'second' },
        { id: 'd', source: 'second', target: 'out' },
      ],
    });

    const first = await workers.start(app.env);
    const contacts = Array.from({ length: 20 }, (_, i) => ({
      id: uniqueId('c'),
      phone: `1380000${String(i).padStart(4, '0')}`,
    }));
    for (const contact of contacts) {
      expect((await app.webhook(flowId, { contact })).status).toBe(202);
    }
    // Kill as soon as the first messages are out: the rest are mid-send or waiting on the timer.
    await until(
      async () => ((await app.store.deliveries.listOutbox({ flowId })).length > 0 ? true : undefined),
      'the first messages',
    );
    await workers.kill(first);
    const beforeRestart = (await app.store.deliveries.listOutbox({ flowId })).length;
    expect(beforeRestart).toBeLessThan(contacts.length * 2);

    // The timers come due while no worker runs; a new worker picks every contact up.
    await new Promise((r) => setTimeout(r, 3500));
    await workers.start(app.env);
    const results = await Promise.all(
      contacts.map((c) => app.client.workflow.getHandle(contactFlowWorkflowId(flowId, c.id)).result()),
    );
    expect(results.every((r) => r.outcome.kind === 'exited')).toBe(true);

    const sent = await app.store.deliveries.listOutbox({ flowId });
    expect(sent).toHaveLength(contacts.length * 2);
    for (const contact of contacts) {
      const mine = sent.filter((m) => m.contactId === contact.id);
      expect(mine.map((m) => m.body)).toEqual([`first for ${contact.id}`, `second for ${contact.id}`]);
    }
  });
});
