import { contactFlowWorkflowId } from '@sopflow/workflows';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { artifact, type BuilderSession, textOf, useBuilder } from './support/builder';
import { publishFlow, type TestApp, uniqueId } from './support/stack';

/**
 * Watching a live flow and going through its versions in the builder, end to end: a real API
 * and worker on the run's Temporal and Postgres serve the built builder, contacts are enrolled
 * into a flow where they wait, and a real Chromium shows how many stand in each step (the same
 * number Temporal counts), lists them with links to their runs, then compares two published
 * versions and rolls back to the first.
 */

/** How long a condition may take to hold (a poll of the numbers, a save, a publish). */
const WAIT = { timeout: 20_000 };

let builder: BuilderSession;
let app: TestApp;
let page: Page;

useBuilder({ viewport: { width: 1600, height: 1000 } }, (session) => {
  builder = session;
  ({ app, page } = session);
});

const byId = (id: string) => page.getByTestId(id);
const text = textOf;
const open = (hash: string) => builder.open(hash);

/**
 * Contacts are greeted on WeChat (those without a WeCom id are not: a suppressed send), wait in
 * `hold` for `go` (a day at most), then leave.
 */
const holdingFlow = (id: string) => ({
  schemaVersion: 1,
  id,
  name: 'Hold until go',
  nodes: [
    { id: 'in', type: 'trigger', trigger: { kind: 'manual' }, position: { x: 0, y: 0 } },
    {
      id: 'greet',
      type: 'send',
      channel: 'wechat',
      message: { text: 'Welcome' },
      position: { x: 0, y: 140 },
    },
    {
      id: 'hold',
      type: 'wait_for_event',
      label: 'Hold',
      event: 'go',
      timeout: 'P1D',
      position: { x: 0, y: 320 },
    },
    { id: 'out', type: 'exit', position: { x: 0, y: 500 } },
  ],
  edges: [
    { id: 'g', source: 'in', target: 'greet' },
    { id: 'a', source: 'greet', target: 'hold' },
    { id: 'b', source: 'hold', sourceHandle: 'event', target: 'out' },
    { id: 'c', source: 'hold', sourceHandle: 'timeout', target: 'out' },
  ],
});

it('shows live counts per step, lists who waits there, and diffs and rolls back versions', async () => {
  const flowId = uniqueId('watched');
  expect(await publishFlow(app, holdingFlow(flowId))).toBe(1);
  const contacts = ['ana', 'bo', 'cy', 'di'].map((name) => ({ id: uniqueId(name), name }));
  for (const contact of contacts) {
    const enrolled = await app.request('POST', `/api/flows/${flowId}/enroll`, { contact });
    expect(enrolled.status).toBe(202);
  }
  // One of them gets `go` and leaves by the event exit; the others keep waiting.
  const leaver = contacts[0]!;
  await app.request('POST', '/api/events', { contactId: leaver.id, name: 'go' });
  await app.client.workflow.getHandle(contactFlowWorkflowId(flowId, leaver.id)).result();

  /** What Temporal itself counts in `hold` now, asked directly, not through sopflow's API. */
  const holdQuery = `SopflowFlowId = "${flowId}" AND SopflowNode = "hold" AND ExecutionStatus = "Running"`;
  const realCount = async () => (await app.client.workflow.count(holdQuery)).count;
  await expect.poll(realCount, WAIT).toBe(3);

  // 1. The canvas of a live flow: each step shows who is there now and who passed.
  await open(`#/flows/${flowId}`);
  await page.locator(`[data-testid="editor"][data-flow-id="${flowId}"]`).waitFor();
  await expect.poll(() => text(byId('watch-here-hold')), WAIT).toBe(String(await realCount()));
  expect(await text(byId('watch-here-in'))).toBe('0');
  expect(await text(byId('watch-here-out'))).toBe('0');
  // The leaver's journey is recorded: it passed every step, and took the event exit.
  await expect.poll(() => text(byId('watch-passed-hold')), WAIT).toBe('1');
  expect(await text(byId('share-hold-event'))).toBe('100%');
  expect(await byId('share-hold-timeout').count()).toBe(0);
  // The greeting could not reach the leaver (no WeCom id): the step says so, with the reason on hover.
  expect(await text(byId('watch-suppressed-greet'))).toBe('1 not sent');
  expect(await byId('watch-suppressed-greet').getAttribute('title')).toBe('no address: 1');
  expect(await byId('watch-held-greet').count()).toBe(0);

  // 2. The numbers refresh by themselves: a fifth contact shows up without a reload.
  const late = { id: uniqueId('eve'), name: 'eve' };
  expect((await app.request('POST', `/api/flows/${flowId}/enroll`, { contact: late })).status).toBe(202);
  await expect.poll(realCount, WAIT).toBe(4);
  await expect.poll(() => text(byId('watch-here-hold')), WAIT).toBe('4');

  // 3. The contacts in a step, each with a link to its run in the Temporal UI.
  await byId('tab-watch').click();
  await expect.poll(() => text(byId('watch-running')), WAIT).toBe('4');
  expect(await text(byId('watch-enrolled'))).toBe('5');
  await byId('node-hold').click();
  const list = page.locator('[data-testid="watch-contacts"][data-node-id="hold"]');
  await expect.poll(() => list.getAttribute('data-total'), WAIT).toBe('4');
  expect(await text(byId('watch-contacts-title'))).toContain('4 in "Hold" now');
  const listed = await page
    .locator('[data-testid="watch-contact"]')
    .evaluateAll((els) => els.map((el) => el.getAttribute('data-contact-id')));
  expect(listed.sort()).toEqual([...contacts.slice(1), late].map((c) => c.id).sort());
  const link = page.locator(`[data-testid="watch-contact"][data-contact-id="${late.id}"] a`);
  const href = (await link.getAttribute('href')) ?? '';
  expect(href.startsWith(app.env.TEMPORAL_UI_URL!.replace(/\/$/, ''))).toBe(true);
  expect(href).toContain(encodeURIComponent(contactFlowWorkflowId(flowId, late.id)));
  expect(await link.getAttribute('target')).toBe('_blank');
  await page.screenshot({ path: artifact('builder-watch-en.png') });

  // 4. The same panel in Chinese.
  await page.locator('.language-switch button[lang="zh"]').click();
  await expect.poll(() => text(byId('tab-watch')), WAIT).toContain('监控');
  expect(await text(byId('watch-contacts-title'))).toContain('此刻有 4 人在“Hold”');
  expect(await text(byId('watch-hold'))).toContain('当前');
  await page.screenshot({ path: artifact('builder-watch-zh.png') });
  await page.locator('.language-switch button[lang="en"]').click();
  await expect.poll(() => text(byId('tab-watch')), WAIT).toContain('Watch');

  // 5. A second version from the builder: the wait gets two days.
  await byId('tab-step').click();
  await byId('node-hold').click();
  await page.locator('[data-testid="inspector"][data-node-id="hold"]').waitFor();
  await byId('field-timeout-amount').fill('2');
  await expect.poll(() => text(byId('node-hold')), WAIT).toContain('2 days');
  await expect.poll(() => byId('publish').isEnabled(), WAIT).toBe(true);
  await byId('publish').click();
  await byId('publish-note').fill('Wait two days');
  await byId('publish-confirm').click();
  await expect.poll(() => text(byId('toast')), WAIT).toContain('Published version 2');
  // The dialog then says who still runs version 1, where they wait, and where they would go.
  await byId('older-1').waitFor(WAIT);
  expect(await text(byId('older-1-hold-waiting'))).toBe(String(await realCount()));
  expect(await byId('older-1-hold').inputValue()).toBe('hold');
  expect(await text(byId('older-1-moving'))).toMatch(/^(\d) of \1 move$/);
  await page.screenshot({ path: artifact('builder-publish-older-en.png') });
  await byId('older-drain').click();
  await byId('publish-dialog').waitFor({ state: 'detached' });
  await expect.poll(() => text(byId('flow-status')), WAIT).toContain('v2');
  // The new version has nobody yet: the four stay on version 1, where the watch can still look.
  await expect.poll(() => text(byId('watch-here-hold')), WAIT).toBe('0');
  await byId('tab-watch').click();
  await byId('watch-version').selectOption('1');
  await expect.poll(() => text(byId('watch-here-hold')), WAIT).toBe(String(await realCount()));
  await byId('watch-version').selectOption('2');
  await expect.poll(() => text(byId('watch-here-hold')), WAIT).toBe('0');

  // 6. History: both versions with their notes; compare them, see the changed step outlined.
  await byId('tab-history').click();
  await byId('history-version-2').waitFor();
  expect(await text(byId('history-note-2'))).toBe('Wait two days');
  expect(await text(byId('history-note-1'))).toBe('test');
  expect(await byId('diff-from-1').isChecked()).toBe(true);
  expect(await byId('diff-to-2').isChecked()).toBe(true);
  await byId('diff-show').click();
  await page.locator('[data-testid="diff-result"][data-from="1"][data-to="2"]').waitFor();
  expect(await text(byId('diff-changed-hold'))).toContain('timeout');
  expect(await byId('diff-added').count()).toBe(0);
  expect(await byId('diff-removed').count()).toBe(0);
  expect(await byId('node-hold').getAttribute('data-diff')).toBe('changed');
  expect(await byId('node-in').getAttribute('data-diff')).toBeNull();
  await byId('canvas').screenshot({ path: artifact('builder-diff-canvas-en.png') });
  await page.screenshot({ path: artifact('builder-history-en.png') });

  // 7. Roll back to version 1: it is published again, as version 3.
  await byId('rollback-1').click();
  await byId('rollback-confirm').click();
  await expect.poll(() => text(byId('toast')), WAIT).toContain('Version 1 is live again as version 3');
  await expect.poll(() => text(byId('flow-status')), WAIT).toContain('v3');
  await byId('history-version-3').waitFor();
  expect(await text(byId('history-note-3'))).toBe('Rolled back to version 1');
  const [v1, v3] = await Promise.all([
    app.request('GET', `/api/flows/${flowId}/versions/1`),
    app.request('GET', `/api/flows/${flowId}/versions/3`),
  ]);
  expect(v3.body.document).toEqual(v1.body.document);
  await page.screenshot({ path: artifact('builder-rollback-en.png') });
});

it('lists the contacts in a step and the published versions through the API, and refuses what does not exist', async () => {
  const flowId = uniqueId('listed');
  await publishFlow(app, holdingFlow(flowId));
  const contacts = [
    { id: uniqueId('fay'), name: 'Fay' },
    { id: uniqueId('gus'), name: 'Gus' },
  ];
  for (const contact of contacts)
    expect((await app.request('POST', `/api/flows/${flowId}/enroll`, { contact })).status).toBe(202);
  const at = (query = '') => app.request('GET', `/api/flows/${flowId}/nodes/hold/contacts${query}`);
  await expect.poll(async () => (await at()).body.total, WAIT).toBe(2);

  const all = (await at()).body;
  expect(all).toMatchObject({ flowId, version: 1, nodeId: 'hold', total: 2 });
  expect(all.temporalUrl).toContain(encodeURIComponent('SopflowNode = "hold"'));
  const byContact = Object.fromEntries(
    all.contacts.map((c: { contactId: string; name: string; temporalUrl: string; workflowId: string }) => [
      c.contactId,
      c,
    ]),
  );
  for (const contact of contacts) {
    const listed = byContact[contact.id];
    expect(listed).toMatchObject({
      name: contact.name,
      workflowId: contactFlowWorkflowId(flowId, contact.id),
    });
    expect(listed.temporalUrl).toContain(encodeURIComponent(listed.workflowId));
    expect(listed.temporalUrl).toContain(`/${encodeURIComponent(listed.runId)}/history`);
  }
  const one = (await at('?limit=1')).body;
  expect([one.contacts.length, one.total]).toEqual([1, 2]);
  expect((await app.request('GET', `/api/flows/${flowId}/nodes/in/contacts`)).body.total).toBe(0);

  expect((await at('?limit=0')).body.error.code).toBe('invalid_query');
  expect((await at('?version=9')).body.error.code).toBe('version_not_found');
  const nowhere = await app.request('GET', `/api/flows/${flowId}/nodes/nowhere/contacts`);
  expect([nowhere.status, nowhere.body.error.code]).toEqual([404, 'node_not_found']);
  const noFlow = await app.request('GET', `/api/flows/${uniqueId('none')}/nodes/hold/contacts`);
  expect([noFlow.status, noFlow.body.error.code]).toEqual([404, 'flow_not_found']);

  const versions = await app.request('GET', `/api/flows/${flowId}/versions`);
  expect(versions.status).toBe(200);
  expect(versions.body.versions).toEqual([{ version: 1, note: 'test', publishedAt: expect.any(String) }]);
  expect((await app.request('GET', `/api/flows/${uniqueId('none')}/versions`)).status).toBe(404);

  // Viewers may look; nobody unauthenticated may.
  const viewer = (await app.request('POST', '/api/tokens', { name: uniqueId('viewer'), role: 'viewer' })).body
    .token as string;
  for (const route of [`/api/flows/${flowId}/versions`, `/api/flows/${flowId}/nodes/hold/contacts`]) {
    expect((await app.requestWith({ token: viewer }, 'GET', route)).status).toBe(200);
    expect((await app.requestWith({}, 'GET', route)).status).toBe(401);
  }
  // Both are in the OpenAPI document, with the role they need.
  const spec = (await app.request('GET', '/api/openapi.json')).body;
  expect(spec.paths['/api/flows/{id}/versions'].get['x-sopflow-role']).toBe('viewer');
  expect(spec.paths['/api/flows/{id}/nodes/{nodeId}/contacts'].get['x-sopflow-role']).toBe('viewer');
});

it('moves the contacts of an older version to the new one from the publish dialog, in Chinese', async () => {
  const flowId = uniqueId('moved');
  await publishFlow(app, holdingFlow(flowId));
  for (const name of ['hal', 'ida'])
    expect(
      (await app.request('POST', `/api/flows/${flowId}/enroll`, { contact: { id: uniqueId(name), name } }))
        .status,
    ).toBe(202);
  const waitingIn = async (version: number) =>
    (await app.request('GET', `/api/flows/${flowId}/stats?version=${version}`)).body.nodes.find(
      (n: { nodeId: string }) => n.nodeId === 'hold',
    )?.waitingNow;
  await expect.poll(() => waitingIn(1), WAIT).toBe(2);

  await open(`#/flows/${flowId}`);
  await page.locator(`[data-testid="editor"][data-flow-id="${flowId}"]`).waitFor();
  await page.locator('.language-switch button[lang="zh"]').click();
  await byId('node-hold').click();
  await byId('field-timeout-amount').fill('3');
  await expect.poll(() => byId('publish').isEnabled(), WAIT).toBe(true);
  await byId('publish').click();
  await byId('publish-confirm').click();
  await byId('older-1').waitFor(WAIT);
  expect(await text(byId('older-versions'))).toContain('仍在旧版本中的联系人');
  expect(await text(byId('older-1-moving'))).toBe('2 人中 2 人将换到新版本');
  // Left on version 1, nobody would move, and the move button says so by being off.
  await byId('older-1-hold').selectOption('');
  expect(await text(byId('older-1-moving'))).toBe('2 人中 0 人将换到新版本');
  expect(await byId('older-migrate').isDisabled()).toBe(true);
  await byId('older-1-hold').selectOption('hold');
  await page.screenshot({ path: artifact('builder-publish-older-zh.png') });
  await byId('older-migrate').click();
  await expect
    .poll(() => text(byId('older-moved')), WAIT)
    .toBe('版本 1：已通知 2 人在下一次等待时换到新版本。');
  await byId('older-close').click();
  await expect.poll(() => waitingIn(2), WAIT).toBe(2);
  expect(await waitingIn(1)).toBe(0);
});
