import { mkdirSync } from 'node:fs';
import { cancelSignal, contactFlowWorkflowId } from '@sopflow/workflows';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { launchBrowser } from './support/browser';
import { waitingFlow } from './support/flows';
import { publishFlow, startTestApp, type TestApp, uniqueId } from './support/stack';

/**
 * What an operator sees in the Temporal UI (the dev server's, version 2.42): each contact's run
 * is found by sopflow's search attributes from a query in the URL, and a run's page shows its
 * summary, the step it waits at, its activities' summaries, search attributes and memo. Payloads
 * are encrypted in Temporal: the UI shows them decoded by sopflow's codec endpoint, called with
 * the operator's sopflow session. Screenshots land in test/artifacts/temporal-ui-*.png.
 */

const artifacts = new URL('./artifacts/', import.meta.url);
const UI_TIMEOUT = 20_000;

const person = (name: string) => {
  const id = uniqueId(name.toLowerCase());
  return { id, name, wecomUserId: `wx-${id}` };
};

let app: TestApp;
let browser: Browser;
let page: Page;
/**
 * The UI's codec settings as its "Codec Server" dialog saves them in the browser: sopflow's
 * endpoint, with cross-origin credentials (the session cookie), overriding the server's settings.
 * The dev server of this run has no endpoint of its own (each test app has its own port), and the
 * Temporal CLI 1.5.1 has no flag for credentials, so `sopflow dev` operators tick the same box once.
 */
async function useSopflowCodec(context: BrowserContext, withSession: boolean): Promise<Page> {
  if (withSession) {
    const { cookie } = await app.login();
    const [name, value] = cookie.split('=') as [string, string];
    await context.addCookies([{ name, value, url: app.url, httpOnly: true, sameSite: 'Strict' }]);
  }
  const endpoint = `${app.url}/api/temporal-codec`;
  const settings = { endpoint, includeCredentials: true, overrideRemoteCodecConfiguration: true };
  await context.addInitScript(
    Object.entries(settings)
      .map(
        ([key, value]) =>
          `localStorage.setItem(${JSON.stringify(key)}, ${JSON.stringify(JSON.stringify(value))});`,
      )
      .join('\n'),
  );
  return context.newPage();
}
const ui = () => inject('temporalUiUrl');

// Flow A: three contacts waiting. Flow B: Ann again and Dee on version 1 (Dee then leaves), Eve on version 2.
const flowA = waitingFlow(uniqueId('ui-welcome'), 'Welcome (UI)', '欢迎 {{ contact.name }}！');
const flowB = waitingFlow(uniqueId('ui-icebreaker'), 'Icebreaker (UI)', '{{ contact.name }}，聊聊吧');
const [ann, bo, cy, dee, eve] = [person('Ann'), person('Bo'), person('Cy'), person('Dee'), person('Eve')];
const runOf = (flow: { id: string }, contact: { id: string }) => contactFlowWorkflowId(flow.id, contact.id);
const runsOfA = [ann, bo, cy].map((c) => runOf(flowA, c));

async function enroll(flow: { id: string }, contact: ReturnType<typeof person>, version: number) {
  const answer = await app.request('POST', `/api/flows/${flow.id}/enroll`, { contact, event: {} });
  expect(answer).toMatchObject({ status: 202, body: { status: 'enrolled', version } });
}

/** Waits until a visibility query finds exactly these runs through the client. */
async function indexed(query: string, expected: string[]): Promise<void> {
  await vi.waitFor(
    async () => {
      const ids: string[] = [];
      for await (const run of app.client.workflow.list({ query })) ids.push(run.workflowId);
      expect(ids.sort()).toEqual([...expected].sort());
    },
    { timeout: UI_TIMEOUT, interval: 200 },
  );
}

/**
 * Opens the UI's workflow list filtered by a visibility query and waits until it lists exactly
 * the expected runs; `chips` are filters the UI must show, proof that it parsed the query.
 */
async function openList(query: string, expected: string[], chips: RegExp[] = []): Promise<string[]> {
  await page.goto(`${ui()}/namespaces/default/workflows?query=${encodeURIComponent(query)}`);
  const count = `${expected.length} Workflow${expected.length === 1 ? '' : 's'}`;
  await page.getByRole('heading', { name: count, exact: true }).waitFor({ timeout: UI_TIMEOUT });
  for (const chip of chips) await page.getByRole('button', { name: chip }).waitFor();
  const listed = () =>
    page
      .locator(
        '[data-testid="workflows-summary-configurable-table-row"] input[aria-label^="Select Workflow "]',
      )
      .evaluateAll((boxes) =>
        boxes.map((box) => box.getAttribute('aria-label')!.replace('Select Workflow ', '')).sort(),
      );
  await expect.poll(listed, { timeout: UI_TIMEOUT }).toEqual([...expected].sort());
  return listed();
}

/** A filter chip as the UI shows it: `SopflowNode = "pause"`, `SopflowFlowVersion = 2`, `ExecutionStatus = Running`. */
const chip = (name: string, value: string | number, quoted = typeof value === 'string') =>
  new RegExp(`^\\s*${name} = ${quoted ? `"${value}"` : value}\\s*$`);

const screenshot = (name: string) =>
  page.screenshot({ path: new URL(`temporal-ui-${name}.png`, artifacts).pathname, fullPage: true });

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  app = await startTestApp();
  browser = await launchBrowser();
  page = await useSopflowCodec(await browser.newContext({ viewport: { width: 1600, height: 1000 } }), true);

  expect(await publishFlow(app, flowA)).toBe(1);
  expect(await publishFlow(app, flowB)).toBe(1);
  for (const contact of [ann, bo, cy]) await enroll(flowA, contact, 1);
  for (const contact of [ann, dee]) await enroll(flowB, contact, 1);
  const v2 = structuredClone(flowB);
  v2.nodes[1]!.message = { text: 'v2: {{ contact.name }}' };
  expect(await publishFlow(app, v2)).toBe(2);
  await enroll(flowB, eve, 2);

  // Dee leaves flow B once waiting: the run completes, still marked with the step it waited at.
  await indexed(
    `SopflowFlowId = "${flowB.id}" AND SopflowNode = "pause"`,
    [ann, dee, eve].map((c) => runOf(flowB, c)),
  );
  const deeRun = app.client.workflow.getHandle(runOf(flowB, dee));
  await deeRun.signal(cancelSignal, 'left the group');
  await deeRun.result();

  // Visibility is eventually consistent: the UI is opened once the server's index has caught up.
  await indexed(`SopflowFlowId = "${flowA.id}" AND SopflowNode = "pause"`, runsOfA);
  await indexed(`SopflowFlowId = "${flowB.id}" AND ExecutionStatus = "Running"`, [
    runOf(flowB, ann),
    runOf(flowB, eve),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('the Temporal UI', () => {
  it("lists exactly one flow's runs for SopflowFlowId in the URL", async () => {
    const listed = await openList(`SopflowFlowId="${flowA.id}"`, runsOfA, [chip('SopflowFlowId', flowA.id)]);
    expect(listed).toHaveLength(3);
    await page.getByText(`"${flowA.id}"`).first().waitFor();
    for (const id of runsOfA) await page.getByRole('link', { name: id, exact: true }).waitFor();
    for (const other of [ann, dee, eve]) expect(await page.getByText(runOf(flowB, other)).count()).toBe(0);
    await screenshot('flow');
  });

  it('lists who waits at a step, who is in a flow now, one contact across flows, and a version', async () => {
    await openList(`SopflowFlowId="${flowA.id}" AND SopflowNode="pause"`, runsOfA, [
      chip('SopflowFlowId', flowA.id),
      chip('SopflowNode', 'pause'),
    ]);
    await screenshot('waiting');

    // Across the whole server, our waiting contacts are all there (other tests' runs may be too).
    const everywhere = await page.goto(
      `${ui()}/namespaces/default/workflows?query=${encodeURIComponent('SopflowNode="pause"')}`,
    );
    expect(everywhere?.ok()).toBe(true);
    for (const id of [...runsOfA, runOf(flowB, ann), runOf(flowB, eve)])
      await page.getByRole('link', { name: id, exact: true }).waitFor({ timeout: UI_TIMEOUT });

    // A finished run keeps the step it last waited at, so "who is there now" adds the status.
    await openList(`SopflowFlowId="${flowB.id}" AND SopflowNode="pause"`, [
      runOf(flowB, ann),
      runOf(flowB, dee),
      runOf(flowB, eve),
    ]);
    await openList(
      `SopflowFlowId="${flowB.id}" AND ExecutionStatus="Running"`,
      [runOf(flowB, ann), runOf(flowB, eve)],
      [chip('ExecutionStatus', 'Running', false)],
    );
    await screenshot('running');

    await openList(
      `SopflowContactId="${ann.id}"`,
      [runOf(flowA, ann), runOf(flowB, ann)],
      [chip('SopflowContactId', ann.id)],
    );
    await screenshot('contact');

    // Spaces around `=`: without them the UI 2.42 shows the Int filter's chip with no value.
    await openList(
      `SopflowFlowId="${flowB.id}" AND SopflowFlowVersion = 2`,
      [runOf(flowB, eve)],
      [chip('SopflowFlowVersion', 2)],
    );
    await screenshot('version');
  });

  it("shows a run's summary, current step, activity summaries, search attributes and memo", async () => {
    await openList(`SopflowFlowId="${flowA.id}"`, runsOfA);
    await page.getByRole('link', { name: runOf(flowA, ann), exact: true }).click();
    await page.getByRole('heading', { name: runOf(flowA, ann) }).waitFor({ timeout: UI_TIMEOUT });

    // History, compact: the deliver activity is named by its summary, and the 10-minute timer runs.
    await page.getByTestId('compact').click();
    await page.getByText('send via wechat: Greet').first().waitFor({ timeout: UI_TIMEOUT });
    await page.getByText('10 minutes').first().waitFor();
    await screenshot('run-history');

    // User Metadata: the static summary, the current details (markdown), events with a summary.
    await page.getByTestId('user-metadata-tab').click();
    const rendered = page.frameLocator('iframe[title="output"]');
    await rendered.first().getByText('Welcome (UI) v1 for Ann').waitFor({ timeout: UI_TIMEOUT });
    await rendered.nth(1).locator('strong', { hasText: 'Wait 10 minutes' }).waitFor();
    expect((await rendered.nth(1).locator('body').textContent())?.trim()).toBe('At step Wait 10 minutes');
    await page.getByText('send via wechat: Greet').waitFor();
    await screenshot('run-metadata');

    await page.getByTestId('search-attributes-tab').click();
    await page.getByText('"SopflowFlowId"').waitFor({ timeout: UI_TIMEOUT });
    const attributes = await page.locator('main').textContent();
    expect(attributes).toContain(`"SopflowFlowId": "${flowA.id}"`);
    expect(attributes).toContain(`"SopflowContactId": "${ann.id}"`);
    expect(attributes).toContain('"SopflowFlowVersion": 1');
    expect(attributes).toContain('"SopflowNode": "pause"');
    await screenshot('run-search-attributes');

    // The UI 2.42 runs a memo through the codec only now and then (it shows it sealed otherwise):
    // its fields are there either way.
    await page.getByTestId('memo-tab').click();
    await page.getByText('"flowName"').waitFor({ timeout: UI_TIMEOUT });
    await page.getByText('"flowVersion"').waitFor({ timeout: UI_TIMEOUT });
    await screenshot('run-memo');
  });

  it("shows a run's input decoded with a sopflow session, and sealed without one", async () => {
    const runPage = `${ui()}/namespaces/default/workflows/${encodeURIComponent(runOf(flowA, bo))}`;
    await page.goto(runPage);
    await page.getByRole('heading', { name: runOf(flowA, bo) }).waitFor({ timeout: UI_TIMEOUT });
    // The start's input (the contact, as the run got it) in the history, decoded by sopflow.
    await expect
      .poll(() => page.locator('main').textContent(), { timeout: UI_TIMEOUT })
      .toContain(`"wecomUserId": "${bo.wecomUserId}"`);
    await screenshot('run-input-decoded');

    // The same page in a browser with the same codec settings but no session: sopflow answers 401,
    // and the UI shows the sealed payloads.
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    try {
      const stranger = await useSopflowCodec(context, false);
      const refused = stranger.waitForResponse((r) => r.url().endsWith('/api/temporal-codec/decode'));
      await stranger.goto(runPage);
      await stranger.getByRole('heading', { name: runOf(flowA, bo) }).waitFor({ timeout: UI_TIMEOUT });
      expect((await refused).status()).toBe(401);
      await stranger.getByText('"encryption-key-id"').first().waitFor({ timeout: UI_TIMEOUT });
      const text = await stranger.locator('main').textContent();
      expect(text).not.toContain(bo.wecomUserId);
      expect(text).not.toContain('Welcome (UI) v1 for Bo');
      await stranger.screenshot({
        path: new URL('temporal-ui-run-input-sealed.png', artifacts).pathname,
        fullPage: true,
      });
    } finally {
      await context.close();
    }
  });

  it('saves a query as a view that brings it back', async () => {
    const query = `SopflowFlowId="${flowA.id}" AND ExecutionStatus="Running"`;
    await openList(query, runsOfA);
    await page.getByTestId('create-view-button').click();
    const dialog = page.locator('#save-view-modal');
    await dialog.getByTestId('save-view-modal-input').fill('In Welcome now');
    await dialog.getByTestId('confirm-modal-button').click();
    await page.getByText('Custom Views 1 / 20').waitFor({ timeout: UI_TIMEOUT });
    // Saved views live in this browser's local storage, not on the server.
    const stored = await page.evaluate<string | null>("localStorage.getItem('saved-workflow-queries')");
    expect(stored).toContain('In Welcome now');

    // From the unfiltered list, the saved view restores the query.
    await page.goto(`${ui()}/namespaces/default/workflows`);
    await page.getByText('In Welcome now').first().click();
    await expect
      .poll(() => new URL(page.url()).searchParams.get('query'), {
        timeout: UI_TIMEOUT,
      })
      .toBe(query);
    for (const id of runsOfA) await page.getByRole('link', { name: id, exact: true }).waitFor();
    await screenshot('saved-view');
  });
});
