import { contactFlowWorkflowId } from '@sopflow/workflows';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishFlow, startTestApp, type TestApp, uniqueId } from './support/stack';
import { createTimeSkippingEnv } from './support/time-skipping';

/**
 * A cadence that runs for most of a year: the workflow continues as new before its history
 * grows large, and across those hand-overs every daily message is sent exactly once.
 */

let env: TestWorkflowEnvironment;
let app: TestApp;
beforeAll(async () => {
  env = await createTimeSkippingEnv();
  app = await startTestApp({ temporalAddress: env.address });
});
afterAll(async () => {
  await app?.stop();
  await env?.teardown();
});

describe('long-running loops', () => {
  it('continue as new and send each daily message once, for 300 days', async () => {
    const id = uniqueId('daily');
    await publishFlow(app, {
      schemaVersion: 1,
      id,
      name: 'Daily tip until told to stop',
      nodes: [
        { id: 'in', type: 'trigger', trigger: { kind: 'manual' } },
        { id: 'tip', type: 'send', channel: 'wechat', message: { text: 'tip' } },
        { id: 'day', type: 'wait_for_event', event: 'stop', timeout: 'P1D' },
        { id: 'out', type: 'exit' },
      ],
      edges: [
        { id: 'a', source: 'in', target: 'tip' },
        { id: 'b', source: 'tip', target: 'day' },
        { id: 'c', source: 'day', sourceHandle: 'timeout', target: 'tip' },
        { id: 'd', source: 'day', sourceHandle: 'event', target: 'out' },
      ],
    });
    const contactId = uniqueId('c');
    await app.request('POST', `/api/flows/${id}/enroll`, { contact: { id: contactId, wecomUserId: 'wx' } });
    const workflowId = contactFlowWorkflowId(id, contactId);

    const days = 300;
    await env.sleep(`${days} days`);
    // Twelve hours into day 300: the 301st tip (day 0 included) has gone out.
    await env.sleep('12 hours');
    await app.request('POST', '/api/events', { contactId, name: 'stop' });
    expect(await env.client.workflow.getHandle(workflowId).result()).toEqual({
      outcome: { kind: 'exited', nodeId: 'out' },
    });

    const latest = await env.client.workflow.getHandle(workflowId).describe();
    const lengths = await env.client.workflow.getHandle(workflowId).fetchHistory();

    const sent = await app.store.deliveries.listOutbox({ flowId: id, limit: 5000 });
    expect(sent).toHaveLength(days + 1);
    expect(new Set(sent.map((m) => m.idempotencyKey)).size).toBe(days + 1);
    // The run that finished is not the one enrollment started: the workflow continued as new,
    // and the last run's history stayed under the limit although the journey took 300 days.
    const [first] = await app.sql<
      { run_id: string }[]
    >`select run_id from enrollments where workflow_id = ${workflowId}`;
    expect(latest.runId).not.toBe(first!.run_id);
    expect(sent.every((m) => m.idempotencyKey.includes(first!.run_id))).toBe(true);
    expect(lengths.events?.length ?? 0).toBeLessThan(2100);
  });
});
