import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { artifact, type BuilderSession, textOf, useBuilder } from './support/builder';
import { publishFlow, type TestApp, uniqueId } from './support/stack';

/**
 * Two things of the builder end to end, on a real API and worker on the run's Temporal and
 * Postgres, in a real Chromium: putting a step on an edge with its "+" (saved in the draft between
 * the two steps the edge joined), and the flow list's live count of the contacts in each flow.
 */

/** How long a condition may take to hold (a save, a poll of the counts every 10 seconds). */
const WAIT = { timeout: 25_000 };

let builder: BuilderSession;
let app: TestApp;
let page: Page;

useBuilder({ viewport: { width: 1600, height: 1000 } }, (session) => {
  builder = session;
  ({ app, page } = session);
});

const byId = (id: string) => page.getByTestId(id);
const text = textOf;

/** Contacts wait in `hold` for `go` (a day at most), then leave. */
const holdingFlow = (id: string) => ({
  schemaVersion: 1,
  id,
  name: 'Hold until go',
  nodes: [
    { id: 'in', type: 'trigger', trigger: { kind: 'manual' }, position: { x: 0, y: 0 } },
    { id: 'hold', type: 'wait_for_event', event: 'go', timeout: 'P1D', position: { x: 0, y: 160 } },
    { id: 'out', type: 'exit', position: { x: 0, y: 340 } },
  ],
  edges: [
    { id: 'a', source: 'in', target: 'hold' },
    { id: 'b', source: 'hold', sourceHandle: 'event', target: 'out' },
    { id: 'c', source: 'hold', sourceHandle: 'timeout', target: 'out' },
  ],
});

type StoredEdge = { source: string; sourceHandle: string; target: string };
const savedDraft = async (flowId: string) => {
  await page.locator('[data-testid="save-status"][data-status="saved"]').waitFor();
  const stored = await app.request('GET', `/api/flows/${flowId}`);
  expect(stored.status).toBe(200);
  return stored.body.draft as {
    nodes: { id: string; type: string; position: { x: number; y: number } }[];
    edges: StoredEdge[];
  };
};
const path = (edges: StoredEdge[]) => edges.map((e) => `${e.source}.${e.sourceHandle}>${e.target}`).sort();

it('puts a step on an edge with its "+", between the two steps, undoably', async () => {
  const flowId = uniqueId('insert');
  expect((await app.request('PUT', `/api/flows/${flowId}`, holdingFlow(flowId))).status).toBe(200);
  await builder.open(`#/flows/${flowId}`);
  await page.locator(`[data-testid="editor"][data-flow-id="${flowId}"]`).waitFor();

  // On the plain edge in -> hold: a send step.
  await byId('insert-on-a').click();
  await byId('insert-menu').waitFor();
  expect(await text(byId('insert-send'))).toContain('Send message');
  expect(await byId('insert-trigger').count()).toBe(0);
  await byId('insert-send').click();
  await byId('node-send-1').waitFor();
  expect(await byId('insert-menu').count()).toBe(0);
  await byId('no-problems').waitFor();

  // On the timeout exit of the wait: an update step, reached by that exit alone.
  await byId('insert-on-c').click();
  await byId('insert-update_contact').click();
  await byId('node-update-1').waitFor();

  const draft = await savedDraft(flowId);
  expect(path(draft.edges)).toEqual(
    [
      'in.next>send-1',
      'send-1.next>hold',
      'hold.event>out',
      'hold.timeout>update-1',
      'update-1.next>out',
    ].sort(),
  );
  const y = (id: string) => draft.nodes.find((n) => n.id === id)!.position.y;
  expect(y('in')).toBeLessThan(y('send-1'));
  expect(y('send-1')).toBeLessThan(y('hold'));
  expect(y('hold')).toBeLessThan(y('update-1'));
  expect(y('update-1')).toBeLessThan(y('out'));
  await page.screenshot({ path: artifact('builder-insert-en.png') });

  // Undo takes the last insert back whole (the timeout goes straight out again); redo restores it.
  await byId('undo').click();
  await expect.poll(() => byId('node-update-1').count(), WAIT).toBe(0);
  expect(path((await savedDraft(flowId)).edges)).toContain('hold.timeout>out');
  await byId('redo').click();
  await byId('node-update-1').waitFor();
  await expect
    .poll(async () => path((await savedDraft(flowId)).edges).includes('hold.timeout>update-1'), WAIT)
    .toBe(true);

  // The menu speaks the operator's language.
  await page.locator('.language-switch button[lang="zh"]').click();
  await byId('insert-on-e-in-send-1').click();
  expect(await text(byId('insert-send'))).toContain('发送消息');
  expect(await byId('insert-on-e-in-send-1').getAttribute('aria-label')).toBe('在这里插入步骤');
  await page.screenshot({ path: artifact('builder-insert-menu-zh.png') });
  await page.keyboard.press('Escape');
  expect(await byId('insert-menu').count()).toBe(0);
  await page.locator('.language-switch button[lang="en"]').click();
});

it('shows in the flow list how many contacts are in each live flow now, refreshing by itself', async () => {
  const flowId = uniqueId('counted');
  const draftId = uniqueId('uncounted');
  expect(await publishFlow(app, holdingFlow(flowId))).toBe(1);
  expect((await app.request('PUT', `/api/flows/${draftId}`, holdingFlow(draftId))).status).toBe(200);
  for (const name of ['ana', 'bo', 'cy']) {
    const enrolled = await app.request('POST', `/api/flows/${flowId}/enroll`, {
      contact: { id: uniqueId(name), name },
    });
    expect(enrolled.status).toBe(202);
  }
  /** What Temporal itself counts running in the flow, asked directly. */
  const realCount = async () =>
    (await app.client.workflow.count(`SopflowFlowId = "${flowId}" AND ExecutionStatus = "Running"`)).count;
  await expect.poll(realCount, WAIT).toBe(3);

  // The API answers the same number when asked for counts, and none otherwise.
  const listed = await app.request('GET', '/api/flows?counts=true');
  expect(listed.status).toBe(200);
  const entry = (id: string) => listed.body.flows.find((f: { id: string }) => f.id === id);
  expect(entry(flowId).runningNow).toBe(3);
  expect(entry(draftId).runningNow).toBe(0);
  const plain = await app.request('GET', '/api/flows');
  expect(plain.body.flows.find((f: { id: string }) => f.id === flowId)).not.toHaveProperty('runningNow');
  expect((await app.request('GET', '/api/flows?counts=yes')).status).toBe(422);

  // A fresh page, so the list holds the flows made above.
  await builder.open('#/');
  await page.reload();
  await byId('new-flow').waitFor();
  const count = byId(`flow-running-${flowId}`);
  await expect.poll(() => count.getAttribute('data-count'), WAIT).toBe(String(await realCount()));
  expect(await text(count)).toBe('3 in it now');
  // A draft has nobody in it and shows no count.
  await byId(`flow-${draftId}`).waitFor();
  expect(await byId(`flow-running-${draftId}`).count()).toBe(0);

  // A fourth contact shows up without a reload.
  const late = await app.request('POST', `/api/flows/${flowId}/enroll`, {
    contact: { id: uniqueId('di'), name: 'di' },
  });
  expect(late.status).toBe(202);
  await expect.poll(realCount, WAIT).toBe(4);
  await expect.poll(() => count.getAttribute('data-count'), WAIT).toBe('4');

  await page.locator('.language-switch button[lang="zh"]').click();
  await expect.poll(() => text(count), WAIT).toBe('当前 4 人');
  await page.screenshot({ path: artifact('builder-flow-counts-zh.png') });
  await page.locator('.language-switch button[lang="en"]').click();
});
