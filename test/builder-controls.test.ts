import { readFileSync } from 'node:fs';
import { contactFlowWorkflowId } from '@sopflow/workflows';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { artifact, type BuilderSession, textOf, useBuilder } from './support/builder';
import { waitsForGo } from './support/flows';
import { publishFlow, type TestApp, uniqueId } from './support/stack';

/**
 * A live flow is run from the builder as from the API: paused, resumed, stopped (its contacts
 * cancelled in Temporal), duplicated, exported and archived, from the toolbar's "More" menu.
 */

const WAIT = { timeout: 20_000 };

let builder: BuilderSession;
let app: TestApp;
let page: Page;

useBuilder({ viewport: { width: 1280, height: 800 } }, (session) => {
  builder = session;
  ({ app, page } = session);
});

const byId = (id: string) => page.getByTestId(id);

const status = async (id: string) =>
  (await app.request('GET', `/api/flows/${id}`)).body.flow.status as string;

async function act(action: string) {
  await byId('flow-actions').click();
  await byId(`flow-${action}`).click();
}

it('pauses, resumes, stops (cancelling its contacts), duplicates, exports and archives a flow', async () => {
  const id = uniqueId('controls');
  await publishFlow(app, waitsForGo(id));
  const contactId = uniqueId('c');
  const enrolled = await app.request('POST', `/api/flows/${id}/enroll`, { contact: { id: contactId } });
  expect(enrolled.status).toBe(202);

  await builder.open(`#/flows/${id}`, 'editor');
  // Written through the API without positions, the flow opens laid out: no step on another.
  const overlapping = async () => {
    const boxes = await page
      .locator('.react-flow__node')
      .evaluateAll((nodes) => nodes.map((n) => n.getBoundingClientRect()));
    return boxes.some((a, i) =>
      boxes.some((b, j) => i < j && a.x < b.right && b.x < a.right && a.y < b.bottom && b.y < a.bottom),
    );
  };
  await expect.poll(overlapping, WAIT).toBe(false);
  await page.locator('.language-switch button[lang="zh"]').click();
  await byId('flow-actions').click();
  expect(await textOf(byId('flow-actions-menu'))).toContain('暂停');
  await page.screenshot({ path: artifact('builder-controls-menu-zh.png') });
  await byId('flow-actions').click();

  await act('pause');
  await expect.poll(() => status(id), WAIT).toBe('paused');
  await expect.poll(() => textOf(byId('flow-status')), WAIT).toContain('已暂停');
  await act('resume');
  await expect.poll(() => status(id), WAIT).toBe('live');

  // Stopping asks first, then cancels the contact's run in Temporal.
  await act('stop');
  await byId('stop-reason').fill('活动取消');
  await page.screenshot({ path: artifact('builder-controls-stop-zh.png') });
  await byId('flow-action-confirm').click();
  await expect.poll(() => status(id), WAIT).toBe('stopped');
  const run = app.client.workflow.getHandle(contactFlowWorkflowId(id, contactId));
  expect(await run.result()).toMatchObject({ outcome: { kind: 'cancelled' } });

  // The export is the API's export file.
  const [download] = await Promise.all([page.waitForEvent('download'), act('export')]);
  expect(download.suggestedFilename()).toBe(`${id}.sopflow.json`);
  const exported = JSON.parse(readFileSync((await download.path())!, 'utf8'));
  expect(exported).toMatchObject({ sopflowExport: 1, flow: { id }, published: { version: 1 } });

  // A copy is a draft of its own, opened at once.
  const copyId = `${id}-copy`;
  await act('duplicate');
  expect(await byId('copy-name').inputValue()).toBe('Waits for go（副本）');
  await byId('flow-action-confirm').click();
  await page.locator(`[data-testid="editor"][data-flow-id="${copyId}"]`).waitFor();
  const copy = (await app.request('GET', `/api/flows/${copyId}`)).body;
  expect(copy).toMatchObject({ flow: { status: 'draft' }, draft: { name: 'Waits for go（副本）' } });
  expect(copy.draft.nodes).toEqual((await app.request('GET', `/api/flows/${id}`)).body.draft.nodes);

  // Archiving asks first; the flow leaves the list.
  await act('archive');
  await byId('flow-action-confirm').click();
  await expect.poll(() => status(copyId), WAIT).toBe('archived');
  await expect.poll(() => byId(`flow-${copyId}`).count(), WAIT).toBe(0);
});
