import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { signWebhook } from '@sopflow/server';
import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { artifact, type BuilderSession, textOf, useBuilder } from './support/builder';
import { type TestApp, uniqueId } from './support/stack';

/**
 * The operator's editor, end to end: a real API and worker on the run's Temporal and Postgres
 * serve the built builder, and a real Chromium draws the welcome SOP from the palette, watches
 * the compile errors come and go, previews it, publishes it, and a signed webhook enrolls a
 * contact into what was drawn.
 */

/** How long a condition may take to hold (a compile after typing, a save, a publish). */
const WAIT = { timeout: 15_000 };

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

async function center(locator: Locator) {
  await locator.waitFor();
  const box = await locator.boundingBox();
  if (!box) throw new Error('element has no box');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Drags a palette item onto the canvas at a point given as fractions of the canvas. */
async function dropStep(type: string, fx: number, fy: number) {
  const canvas = byId('canvas');
  const box = (await canvas.boundingBox())!;
  await byId(`palette-${type}`).dragTo(canvas, { targetPosition: { x: box.width * fx, y: box.height * fy } });
}

/** Creates a blank flow from the gallery (open at `#/new`) and waits for its editor. */
async function createBlankFlow(name: string, flowId: string) {
  await byId('gallery-blank').click();
  await byId('create-name').fill(name);
  await byId('create-id').fill(flowId);
  await byId('create-confirm').click();
  await page.locator(`[data-testid="editor"][data-flow-id="${flowId}"]`).waitFor();
}

/** Connects an exit handle to a step's input handle by dragging, as an operator does. */
async function connect(source: string, exit: string, target: string) {
  const from = await center(byId(`handle-${source}-${exit}`));
  const to = await center(byId(`handle-in-${target}`));
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 5 });
  await page.mouse.move(to.x, to.y, { steps: 5 });
  await page.mouse.up();
  // The editor names an edge after its ends (and its exit, unless that is `next`).
  await byId(`rf__edge-e-${source}-${exit === 'next' ? '' : `${exit}-`}${target}`).waitFor();
}

/** Waits until a node stops moving (after auto-layout and the zoom-to-fit animation). */
async function settled(locator: Locator) {
  let last = '';
  await expect
    .poll(
      async () => {
        const box = await locator.boundingBox();
        const now = JSON.stringify(box);
        const same = now === last;
        last = now;
        return same;
      },
      { timeout: 10_000, interval: 150 },
    )
    .toBe(true);
}

it('draws, checks, previews and publishes the welcome SOP, then runs it from its webhook', async () => {
  const flowId = uniqueId('drawn-welcome');
  const greeting = '欢迎 Vera 加入本群！';

  // 1. The gallery: the six templates come from the API; a blank flow is created and opened.
  await open('#/new');
  await byId('gallery-template-welcome').waitFor();
  await byId('gallery-template-reactivation').waitFor();
  await byId('gallery-template-wecom-new-customer').waitFor();
  await page.screenshot({ path: artifact('builder-gallery-en.png') });
  await createBlankFlow('Welcome, drawn by hand', flowId);
  await byId('node-start').waitFor();
  await byId('node-end').waitFor();
  await byId('no-problems').waitFor();

  // 2. The trigger: a webhook recording member.joined.
  await byId('node-start').click();
  await page.locator('[data-testid="inspector"][data-node-id="start"]').waitFor();
  expect(await byId('field-trigger-kind').inputValue()).toBe('webhook');
  await byId('field-trigger-event').fill('member.joined');

  // 3. Steps from the palette, each configured in the side panel as it lands.
  await dropStep('send', 0.2, 0.12);
  await page.locator('[data-testid="inspector"][data-node-id="send-1"]').waitFor();
  await byId('field-channel').selectOption('wechat');
  await byId('field-message').fill('欢迎 ');
  await byId('field-message-var-contact.name').click();
  await expect.poll(() => byId('field-message').inputValue(), WAIT).toBe('欢迎 {{ contact.name }}');
  await byId('field-message').press('End');
  await byId('field-message').pressSequentially(' 加入本群！');
  // The live preview renders the template for the sample contact, with the engine's renderer.
  await expect.poll(() => text(byId('field-message-preview')), WAIT).toContain(greeting);

  await dropStep('wait', 0.2, 0.55);
  await page.locator('[data-testid="inspector"][data-node-id="wait-1"]').waitFor();
  await byId('field-duration-amount').fill('10');
  await byId('field-duration-unit').selectOption('M');
  await expect.poll(() => text(byId('node-wait-1')), WAIT).toContain('10 minutes');

  await dropStep('send', 0.82, 0.12);
  await page.locator('[data-testid="inspector"][data-node-id="send-2"]').waitFor();
  await byId('field-message').fill('{{ contact.name }}，来做个自我介绍吧～');

  // 4. Connect by dragging handles; the last step is left unconnected on purpose.
  await connect('start', 'next', 'send-1');
  await connect('send-1', 'next', 'wait-1');
  await connect('wait-1', 'next', 'send-2');
  // The trigger's exit moved from the exit step to the first send, so two problems show:
  // the last send leads nowhere, and nothing reaches the exit step.
  const notConnected = page.locator(
    '[data-testid="problem"][data-node-id="send-2"][data-code="missing_exit"]',
  );
  await expect.poll(() => text(notConnected), WAIT).toContain('not connected');
  await page.locator('[data-testid="problem"][data-node-id="end"][data-code="unreachable_node"]').waitFor();
  await expect.poll(() => byId('node-send-2').getAttribute('data-errors'), WAIT).toBe('1');
  await expect.poll(() => text(byId('node-send-2')), WAIT).toContain('not connected');
  expect(await byId('publish').isDisabled()).toBe(true);
  await byId('node-send-1').click();
  await page.locator('[data-testid="inspector"][data-node-id="send-1"]').waitFor();
  await page.screenshot({ path: artifact('builder-errors-en.png') });

  await connect('send-2', 'next', 'end');
  await byId('no-problems').waitFor();
  await expect.poll(() => byId('node-send-2').getAttribute('data-errors'), WAIT).toBe('0');
  await expect.poll(() => byId('publish').isEnabled(), WAIT).toBe(true);

  // 5. Delete, undo, redo: the document history.
  await byId('node-send-2').click();
  await page.keyboard.press('Delete');
  await expect.poll(() => byId('node-send-2').count(), WAIT).toBe(0);
  await page.keyboard.press('Control+Z');
  await byId('node-send-2').waitFor();
  await page.keyboard.press('Control+Shift+Z');
  await expect.poll(() => byId('node-send-2').count(), WAIT).toBe(0);
  await page.keyboard.press('Control+Z');
  await byId('node-send-2').waitFor();
  await byId('no-problems').waitFor();

  // 6. Tidy up with the layout library, then the draft is saved by itself.
  await byId('auto-layout').click();
  await settled(byId('node-end'));
  const top = (await byId('node-start').boundingBox())!;
  const bottom = (await byId('node-end').boundingBox())!;
  expect(top.y).toBeLessThan(bottom.y);
  await page.locator('[data-testid="save-status"][data-status="saved"]').waitFor();
  const stored = await app.request('GET', `/api/flows/${flowId}`);
  expect(stored.body.draft.nodes.map((n: { id: string; type: string }) => `${n.id}:${n.type}`)).toEqual([
    'start:trigger',
    'end:exit',
    'send-1:send',
    'wait-1:wait',
    'send-2:send',
  ]);
  expect(stored.body.draft.nodes[0].trigger).toEqual({ kind: 'webhook', event: 'member.joined' });

  // 7. Preview: the dry-run for a sample contact lights the path up step by step.
  await byId('tab-preview').click();
  // A real contact fills the sample (any attribute, tags, addresses); one that does not exist is named.
  const real = uniqueId('real');
  expect(
    (
      await app.request('PUT', `/api/contacts/${real}`, {
        name: 'Rita',
        email: 'rita@example.com',
        tags: ['reader'],
        attributes: { tier: 'gold', city: '杭州' },
      })
    ).status,
  ).toBeLessThan(300);
  await byId('preview-real-id').fill(`${real}-nobody`);
  await byId('preview-real-load').click();
  await expect
    .poll(() => text(byId('preview-real-error')), WAIT)
    .toBe(`There is no contact "${real}-nobody".`);
  await byId('preview-real-id').fill(real);
  await byId('preview-real-load').click();
  await expect.poll(() => byId('preview-name').inputValue(), WAIT).toBe('Rita');
  expect(JSON.parse(await byId('preview-attributes').inputValue())).toEqual({ tier: 'gold', city: '杭州' });
  expect(await byId('preview-tags').inputValue()).toBe('reader');
  expect(await byId('preview-address-email').inputValue()).toBe('rita@example.com');
  // Then a sample of the operator's own: any attributes, as JSON.
  await byId('preview-name').fill('Vera');
  await byId('preview-attributes').fill('{"tier": "vip"');
  expect(await byId('preview-run').isDisabled()).toBe(true);
  await byId('preview-attributes').fill('{"tier": "vip"}');
  await byId('preview-address-wecomUserId').fill('wx-vera');
  await byId('preview-run').click();
  await page.locator('[data-testid="preview-result"][data-state="done"]').waitFor();
  const visited = await page
    .locator('[data-testid^="preview-step-"]')
    .evaluateAll((els) => els.map((el) => el.getAttribute('data-node-id')));
  expect(visited).toEqual(['start', 'send-1', 'wait-1', 'send-2', 'end']);
  for (const [i, id] of visited.entries())
    expect(await byId(`node-${id}`).getAttribute('data-trace')).toBe(String(i + 1));
  expect(await byId('node-end').getAttribute('data-trace-current')).toBe('true');
  expect(await text(byId('trace-send-1'))).toContain(greeting);
  expect(await text(byId('trace-send-2'))).toContain('+0d 00:10');
  // The sample contact has no time zone: times are the flow's, and the preview says so.
  expect(await text(byId('preview-zone'))).toBe(
    "Times in Asia/Shanghai (the flow's: the contact has no valid time zone)",
  );
  expect(await text(byId('preview-lines'))).toContain(
    "Times in Asia/Shanghai (the flow's time zone: the contact has none)",
  );
  expect(await text(byId('preview-step-2'))).toContain(greeting);
  expect(await text(byId('preview-lines'))).toContain(greeting);
  expect(await text(byId('preview-outcome'))).toContain('Left the flow at "end"');
  await byId('canvas').screenshot({ path: artifact('builder-canvas-en.png') });
  await page.screenshot({ path: artifact('builder-en.png') });

  // 8. Publish with a version note.
  await byId('publish').click();
  await byId('publish-note').fill('First version, drawn in the builder');
  await byId('publish-confirm').click();
  await expect.poll(() => text(byId('toast')), WAIT).toContain('Published version 1');
  const version = await app.request('GET', `/api/flows/${flowId}/versions/1`);
  expect(version.status).toBe(200);
  expect(version.body.note).toBe('First version, drawn in the builder');
  await expect.poll(() => text(byId('flow-status')), WAIT).toContain('live');
  // Publishing again with no change makes no second, identical version.
  await byId('publish').click();
  await byId('publish-confirm').click();
  await expect.poll(() => text(byId('toast')), WAIT).toContain('Nothing changed since version 1');
  expect((await app.request('GET', `/api/flows/${flowId}/versions`)).body.versions).toHaveLength(1);

  // 9. The settings drawer shows the webhook URL and secret.
  await byId('open-settings').click();
  await expect.poll(() => text(byId('webhook-url')), WAIT).toBe(`${app.url}/api/hooks/${flowId}`);
  await byId('webhook-reveal').click();
  const secret = await text(byId('webhook-secret'));
  await page.screenshot({ path: artifact('builder-settings-en.png') });
  expect(secret).toBe((await app.request('GET', `/api/flows/${flowId}/webhook`)).body.secret);
  await byId('settings-close').click();

  // 10. Fire the webhook, signed with that secret: the contact is enrolled and greeted.
  const contactId = uniqueId('vera');
  const body = JSON.stringify({
    contact: { id: contactId, name: 'Vera', wecomUserId: 'wx-vera' },
    event: {},
  });
  const hook = await fetch(`${app.url}/api/hooks/${flowId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-sopflow-signature': signWebhook(secret, body) },
    body,
  });
  expect(hook.status).toBe(202);
  expect(await hook.json()).toMatchObject({ status: 'enrolled' });
  await expect
    .poll(
      async () => {
        const outbox = await app.request('GET', `/api/outbox?flowId=${flowId}&contactId=${contactId}`);
        return outbox.body.messages
          .map((m: { nodeId: string; body: string }) => `${m.nodeId}: ${m.body}`)
          .join('\n');
      },
      { timeout: 30_000 },
    )
    .toContain(greeting);
  // The canvas counts them live: Vera now waits ten minutes at wait-1.
  await expect.poll(() => text(byId('watch-here-wait-1')), WAIT).toBe('1');

  // 11. The trigger's inspector has the webhook too: a test delivery, and a curl that works as pasted.
  await byId('node-start').click();
  await byId('tab-step').click();
  await byId('trigger-webhook-contact').fill(uniqueId('from-builder'));
  await byId('trigger-webhook-test').click();
  await expect.poll(() => text(byId('trigger-webhook-test-result')), WAIT).toContain('202: enrolled');
  await byId('trigger-webhook-test').click();
  await expect.poll(() => text(byId('trigger-webhook-test-result')), WAIT).toContain('in the flow already');
  await byId('trigger-webhook-contact').fill(uniqueId('from-terminal'));
  await byId('trigger-webhook-reveal').click();
  const script = await text(byId('trigger-webhook-curl'));
  expect(script).toContain(secret);
  const { stdout } = await promisify(execFile)('bash', ['-c', script], { timeout: 15_000 });
  expect(JSON.parse(stdout)).toMatchObject({ status: 'enrolled' });
  await byId('inspector').screenshot({ path: artifact('builder-trigger-webhook-en.png') });
  await byId('tab-preview').click();

  // 12. The same editor in Chinese.
  await page.locator('.language-switch button[lang="zh"]').click();
  await expect.poll(() => text(byId('publish')), WAIT).toContain('发布');
  expect(await text(byId('palette-send'))).toContain('发送消息');
  expect(await text(byId('palette-wait_for_event'))).toContain('等待事件');
  expect(await text(byId('tab-preview'))).toContain('预演');
  expect(await text(byId('node-send-1'))).toContain('发送消息');
  expect(await text(byId('node-wait-1'))).toContain('10 分钟');
  expect(await text(byId('problems'))).toContain('草稿编译通过');
  expect(await text(byId('preview-outcome'))).toContain('离开流程');
  await byId('tab-step').click();
  await expect.poll(() => text(byId('inspector')), WAIT).toContain('发送一次测试调用');
  await byId('inspector').screenshot({ path: artifact('builder-trigger-webhook-zh.png') });
  await byId('canvas').screenshot({ path: artifact('builder-canvas-zh.png') });
  await page.screenshot({ path: artifact('builder-zh.png') });
});

it('suggests a pinyin id for a Chinese name, and finds the flow by pinyin in the list', async () => {
  await open('#/new');
  await createBlankFlow('Nurture, found by search', uniqueId('search-other'));
  await open('#/new');
  await page.locator('.language-switch button[lang="zh"]').click();
  await byId('gallery-blank').click();
  await byId('create-name').fill('欢迎新人');
  await expect.poll(() => byId('create-id').inputValue(), WAIT).toMatch(/^huan-ying-xin-ren-[a-z0-9]{4}$/);
  const flowId = await byId('create-id').inputValue();
  await byId('create-confirm').click();
  await page.locator(`[data-testid="editor"][data-flow-id="${flowId}"]`).waitFor();
  const listed = page.locator('.flow-list li');
  expect(await listed.count()).toBeGreaterThan(1);
  await byId('flow-search').fill('hyxr');
  await expect.poll(() => listed.count(), WAIT).toBe(1);
  expect(await byId(`flow-${flowId}`).isVisible()).toBe(true);
  await page.screenshot({ path: artifact('flow-search-zh.png') });
  await byId('flow-search').fill('没有这个流程');
  await byId('flow-search-none').waitFor();
  expect(await text(byId('flow-search-none'))).toContain('没有匹配的流程');
  await byId('flow-search').fill('');
  await expect.poll(() => listed.count(), WAIT).toBeGreaterThan(1);
});

it('opens a template in Chinese and sets up a step of every type from the palette', async () => {
  const flowId = uniqueId('tpl-welcome');
  await open('#/new');
  await page.locator('.language-switch button[lang="zh"]').click();
  await expect.poll(() => text(byId('gallery-blank')), WAIT).toContain('空白流程');
  await byId('gallery-template-welcome').click();
  expect(await byId('create-name').inputValue()).toBe('入群欢迎');
  await byId('create-id').fill(flowId);
  await byId('create-confirm').click();
  await page.locator(`[data-testid="editor"][data-flow-id="${flowId}"]`).waitFor();
  await byId('no-problems').waitFor();
  expect(await text(byId('node-greet'))).toContain('@新人：欢迎 + 群规');
  expect(await text(byId('node-await-intro'))).toContain('事件到达');
  const templateNodes = await page.locator('.react-flow__node').count();
  expect(templateNodes).toBe(9);

  // Every node type from the palette (clicked: it lands in view), each with its own form.
  const added: [string, string][] = [
    ['send', 'send-1'],
    ['wait', 'wait-1'],
    ['wait_until', 'wait-until-1'],
    ['wait_for_event', 'wait-event-1'],
    ['branch', 'branch-1'],
    ['split', 'split-1'],
    ['update_contact', 'update-1'],
    ['http_request', 'http_1'],
    ['staff_task', 'task-1'],
    ['exit', 'exit-1'],
    ['trigger', 'trigger-1'],
  ];
  // Each comes into view as it is added, though the flow grows past the canvas.
  const canvasBox = (await byId('canvas').boundingBox())!;
  for (const [type, id] of added) {
    await byId(`palette-${type}`).click();
    await page.locator(`[data-testid="inspector"][data-node-id="${id}"]`).waitFor();
    await byId(`node-${id}`).waitFor();
    await expect
      .poll(async () => {
        const b = (await byId(`node-${id}`).boundingBox())!;
        return (
          b.x >= canvasBox.x &&
          b.y >= canvasBox.y &&
          b.x + b.width <= canvasBox.x + canvasBox.width &&
          b.y + b.height <= canvasBox.y + canvasBox.height
        );
      }, WAIT)
      .toBe(true);
  }
  expect(await page.locator('.react-flow__node').count()).toBe(templateNodes + added.length);
  // Two triggers, unconnected steps: the problems say so, in Chinese, and publishing waits.
  await page.locator('[data-testid="problem"][data-code="several_triggers"]').first().waitFor();
  expect(await text(byId('problems'))).toContain('没有连接');
  expect(await byId('publish').isDisabled()).toBe(true);

  // A branch gets a second condition: a handle per condition and "else". The flow has grown past
  // the view, so the branch is reached from its problem, as an operator would.
  await page.locator('[data-testid="problem"][data-node-id="branch-1"] button').first().click();
  await page.locator('[data-testid="inspector"][data-node-id="branch-1"]').waitFor();
  await byId('branch-add').click();
  await byId('branch-1-when-0-field').fill('contact.points');
  await byId('branch-1-when-0-op').selectOption('gte');
  await byId('branch-1-when-0-value').fill('100');
  for (const exit of ['c1', 'c2', 'else']) await byId(`handle-branch-1-${exit}`).waitFor();
  await page.screenshot({ path: artifact('builder-branch-zh.png') });

  // A split's weights show as shares on its exits.
  await byId('fit-view').click();
  await byId('node-split-1').click();
  await byId('arm-0-weight').fill('150');
  await expect.poll(() => text(byId('node-split-1')), WAIT).toContain('75%');

  // Copy and paste a step of the template; undo takes it away again.
  await byId('node-greet').click();
  await page.keyboard.press('Control+C');
  await page.keyboard.press('Control+V');
  await byId('node-send-2').waitFor();
  await page.keyboard.press('Control+Z');
  await expect.poll(() => byId('node-send-2').count(), WAIT).toBe(0);

  // Undo all the way back: the template as it was, compiling again.
  for (let i = 0; i < 100 && (await byId('undo').isEnabled()); i++) await byId('undo').click();
  await byId('no-problems').waitFor();
  expect(await page.locator('.react-flow__node').count()).toBe(templateNodes);
  await byId('auto-layout').click();
  await settled(byId('node-done-nudged'));
  await byId('canvas').screenshot({ path: artifact('builder-template-zh.png') });
});

it('turns quiet hours and a frequency cap on in the settings drawer, in Chinese, and the draft keeps them', async () => {
  const flowId = uniqueId('quiet');
  await page.setViewportSize({ width: 1280, height: 800 });
  await open('#/new');
  await page.locator('.language-switch button[lang="zh"]').click();
  await createBlankFlow('免打扰与频次', flowId);
  await byId('open-settings').click();
  await expect.poll(() => text(byId('settings')), WAIT).toContain('免打扰时段');
  expect(await byId('settings-quiet').isChecked()).toBe(false);
  expect(await byId('settings-cap').isChecked()).toBe(false);

  // Switched on, each starts from its defaults; a changed part keeps the others.
  await byId('settings-quiet').check();
  expect(await byId('settings-quiet-start').inputValue()).toBe('22:00');
  await byId('settings-quiet-end').fill('07:30');
  await byId('settings-cap').check();
  await byId('settings-cap-max').fill('5');
  await page.locator('[data-testid="save-status"][data-status="saved"]').waitFor();
  await expect
    .poll(async () => (await app.request('GET', `/api/flows/${flowId}`)).body.draft.settings, WAIT)
    .toMatchObject({
      quietHours: { start: '22:00', end: '07:30' },
      frequencyCap: { max: 5, per: 'P1D', onCap: 'defer' },
    });
  await page.screenshot({ path: artifact('builder-settings-zh.png') });

  // Switched off, they are gone from the draft.
  await byId('settings-quiet').uncheck();
  await byId('settings-cap').uncheck();
  await expect
    .poll(async () => {
      const { settings } = (await app.request('GET', `/api/flows/${flowId}`)).body.draft;
      return [settings.quietHours, settings.frequencyCap];
    }, WAIT)
    .toEqual([undefined, undefined]);
  await page.setViewportSize({ width: 1600, height: 1000 });
});

it("shows the server's warnings beside the problems, naming the step, as the draft opens and as it changes", async () => {
  const flowId = uniqueId('warned');
  const saved = await app.request('PUT', `/api/flows/${flowId}`, {
    schemaVersion: 1,
    id: flowId,
    name: 'Late tip',
    settings: { timezone: 'Asia/Shanghai', quietHours: { start: '22:00', end: '08:00' } },
    nodes: [
      { id: 'in', type: 'trigger', trigger: { kind: 'manual' }, position: { x: 0, y: 0 } },
      { id: 'until', type: 'wait_until', time: '23:00', position: { x: 0, y: 150 } },
      {
        id: 'tip',
        type: 'send',
        label: '晚安提示',
        channel: 'sms',
        message: { text: 'Tip' },
        position: { x: 0, y: 300 },
      },
      { id: 'out', type: 'exit', position: { x: 0, y: 450 } },
    ],
    edges: [
      { id: 'a', source: 'in', target: 'until' },
      { id: 'b', source: 'until', target: 'tip' },
      { id: 'c', source: 'tip', target: 'out' },
    ],
  });
  expect(saved.body.warnings.map((w: { code: string }) => w.code)).toEqual(['send_in_quiet_hours']);
  await open(`#/flows/${flowId}`);
  await page.locator('.language-switch button[lang="zh"]').click();
  const warning = page.locator(
    '[data-testid="warning"][data-code="send_in_quiet_hours"][data-node-id="tip"]',
  );
  await warning.waitFor(WAIT);
  expect(await text(warning)).toContain('步骤 晚安提示');
  expect((await text(byId('warning-count'))).trim()).toBe('1 条提醒');
  // Warnings do not stop publishing.
  expect(await byId('publish').isEnabled()).toBe(true);
  await page.screenshot({ path: artifact('builder-warnings-zh.png') });

  // Moved out of quiet hours, the next save answers no warning.
  await byId('node-until').click();
  await byId('field-time').fill('20:00');
  await expect.poll(() => byId('warning').count(), WAIT).toBe(0);
});
