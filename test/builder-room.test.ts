import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifact, BUILDER_ADMIN, type BuilderSession, startBuilder } from './support/builder';
import { uniqueId } from './support/stack';

/**
 * Room to draw on a laptop: at 1280×800 the panels fold so the canvas gets most of the window,
 * the canvas can take the whole window, and fit-to-view leaves no step under the minimap, at
 * both sizes operators use and in both languages.
 */

const WAIT = { timeout: 15_000 };
const LAPTOP = { width: 1280, height: 800 };
const DESKTOP = { width: 1920, height: 1080 };

let session: BuilderSession;

beforeAll(async () => {
  session = await startBuilder({ viewport: LAPTOP, worker: false });
});
afterAll(async () => {
  await session?.close();
});

/** A page in a fresh browser context (no stored panel choices), logged in, on the gallery. */
async function freshPage(viewport: { width: number; height: number }, language: 'en' | 'zh'): Promise<Page> {
  const context = await session.browser.newContext({
    viewport,
    locale: language === 'zh' ? 'zh-CN' : 'en-US',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${session.app.url}/#/new`);
  await page.locator('[data-testid="login"], [data-testid="new-flow"]').first().waitFor();
  if (await page.getByTestId('login').isVisible()) {
    await page.getByTestId('login-email').fill(BUILDER_ADMIN.email);
    await page.getByTestId('login-password').fill(BUILDER_ADMIN.password);
    await page.getByTestId('login-submit').click();
  }
  await page.getByTestId('gallery-template-welcome').waitFor();
  return page;
}

/** Creates the welcome template's flow and waits until its canvas has settled on the first fit. */
async function welcomeFlow(page: Page): Promise<string> {
  const flowId = uniqueId('room');
  await page.getByTestId('gallery-template-welcome').click();
  await page.getByTestId('create-id').fill(flowId);
  await page.getByTestId('create-confirm').click();
  await page.locator(`[data-testid="editor"][data-flow-id="${flowId}"]`).waitFor();
  await page.getByTestId('no-problems').waitFor();
  await page.getByTestId('node-done-nudged').waitFor();
  return flowId;
}

async function box(locator: Locator) {
  const b = await locator.boundingBox();
  if (!b) throw new Error('element has no box');
  return b;
}

type Box = Awaited<ReturnType<typeof box>>;
const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** The ids of steps drawn (partly) under the minimap. */
async function stepsUnderMinimap(page: Page): Promise<string[]> {
  const minimap = await box(page.locator('.react-flow__minimap'));
  const under: string[] = [];
  for (const node of await page.locator('.react-flow__node').all()) {
    if (overlaps(await box(node), minimap)) under.push((await node.getAttribute('data-id')) ?? '?');
  }
  return under;
}

/** Fits the flow in view and waits for the animation to end (the viewport stops moving). */
async function fitToView(page: Page): Promise<void> {
  await page.getByTestId('fit-view').click();
  const transform = () => page.locator('.react-flow__viewport').getAttribute('style');
  let last = '';
  await expect
    .poll(async () => {
      const now = (await transform()) ?? '';
      const still = now === last;
      last = now;
      return still;
    }, WAIT)
    .toBe(true);
}

const canvasShare = async (page: Page, viewport: { width: number }) =>
  (await box(page.getByTestId('canvas'))).width / viewport.width;

describe('the canvas on a laptop (1280×800)', () => {
  for (const language of ['en', 'zh'] as const) {
    it(`gets most of the window, in ${language}`, async () => {
      const page = await freshPage(LAPTOP, language);
      await welcomeFlow(page);

      // Folded by default below 1600 px: the flow list to a rail, the palette to its icons.
      expect(await page.getByTestId('fold-flows').getAttribute('aria-expanded')).toBe('false');
      expect(await page.getByTestId('fold-palette').getAttribute('aria-expanded')).toBe('false');
      expect(await canvasShare(page, LAPTOP)).toBeGreaterThanOrEqual(0.6);
      expect(await stepsUnderMinimap(page)).toEqual([]);
      await page.screenshot({ path: artifact(`builder-room-laptop-${language}.png`) });

      // The side panel folds too: the canvas takes nearly all the width, and stays so on reload.
      await page.getByTestId('fold-side').click();
      expect(await page.getByTestId('side-panel').getAttribute('data-folded')).toBe('true');
      expect(await canvasShare(page, LAPTOP)).toBeGreaterThanOrEqual(0.85);
      await fitToView(page);
      expect(await stepsUnderMinimap(page)).toEqual([]);
      await page.reload();
      await page.getByTestId('node-done-nudged').waitFor();
      expect(await page.getByTestId('side-panel').getAttribute('data-folded')).toBe('true');
      await page.screenshot({ path: artifact(`builder-room-laptop-folded-${language}.png`) });

      // Opening the preview opens the side panel again.
      await page.getByTestId('open-preview').click();
      expect(await page.getByTestId('side-panel').getAttribute('data-folded')).toBeNull();

      // The whole window for the canvas; Esc gives the panels back.
      await page.getByTestId('canvas-only').click();
      await expect.poll(() => canvasShare(page, LAPTOP), WAIT).toBeGreaterThanOrEqual(0.99);
      expect(await page.getByTestId('palette').count()).toBe(0);
      expect(await page.locator('.app__header').isVisible()).toBe(false);
      await fitToView(page);
      expect(await stepsUnderMinimap(page)).toEqual([]);
      await page.screenshot({ path: artifact(`builder-room-canvas-only-${language}.png`) });
      await page.keyboard.press('Escape');
      await page.getByTestId('palette').waitFor();
      expect(await page.locator('.app__header').isVisible()).toBe(true);

      // Hidden, the minimap leaves fit-to-view the whole canvas; shown again, steps keep clear of it.
      await page.getByTestId('toggle-minimap').click();
      expect(await page.locator('.react-flow__minimap').count()).toBe(0);
      await page.getByTestId('toggle-minimap').click();
      await fitToView(page);
      expect(await stepsUnderMinimap(page)).toEqual([]);

      // A folded palette still adds steps, each icon named for the screen reader.
      const send = page.getByTestId('palette-send');
      expect(await send.getAttribute('aria-label')).toBe(language === 'zh' ? '发送消息' : 'Send message');
      await page.context().close();
    });
  }
});

/** Pairs of steps whose boxes on the canvas overlap. */
async function collisions(page: Page): Promise<string[]> {
  const boxes: [string, Box][] = [];
  for (const node of await page.locator('.react-flow__node').all())
    boxes.push([(await node.getAttribute('data-id')) ?? '?', await box(node)]);
  const found: string[] = [];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++)
      if (overlaps(boxes[i]![1], boxes[j]![1])) found.push(`${boxes[i]![0]} × ${boxes[j]![0]}`);
  return found;
}

describe('steps on the canvas', () => {
  it('never collide: a template is laid out from drawn sizes, errors sit beside a step, pastes land clear', async () => {
    const page = await freshPage(LAPTOP, 'zh');
    await welcomeFlow(page);
    await expect.poll(() => collisions(page), WAIT).toEqual([]);
    // Laid out as the starting point: nothing to undo.
    expect(await page.getByTestId('undo').isDisabled()).toBe(true);

    // An error shows beside its step, not in it: the step does not grow onto the next one.
    const greet = page.getByTestId('node-greet');
    await greet.click();
    await page.locator('[data-testid="inspector"] textarea').first().fill('Hi {{ contact.name');
    await expect.poll(() => greet.getAttribute('data-errors'), WAIT).not.toBe('0');
    const step = await box(greet);
    const problem = await box(greet.locator('.step__problem'));
    expect(problem.x).toBeGreaterThanOrEqual(step.x + step.width);
    expect(await collisions(page)).toEqual([]);
    await page.screenshot({ path: artifact('builder-room-error-zh.png') });
    await page.keyboard.press('Control+Z');
    await expect.poll(() => greet.getAttribute('data-errors'), WAIT).toBe('0');

    // Pasted twice, duplicated once: each copy lands where no step is.
    await page.getByTestId('node-nudge').click();
    await page.keyboard.press('Control+C');
    await page.keyboard.press('Control+V');
    await page.keyboard.press('Control+V');
    await page.keyboard.press('Control+D');
    await expect.poll(() => page.locator('.react-flow__node').count(), WAIT).toBe(12);
    await expect.poll(() => collisions(page), WAIT).toEqual([]);
    await page.context().close();
  });
});

describe('the canvas on a desktop (1920×1080)', () => {
  for (const language of ['en', 'zh'] as const) {
    it(`opens every panel and keeps steps clear of the minimap, in ${language}`, async () => {
      const page = await freshPage(DESKTOP, language);
      await welcomeFlow(page);
      expect(await page.getByTestId('fold-flows').getAttribute('aria-expanded')).toBe('true');
      expect(await page.getByTestId('fold-palette').getAttribute('aria-expanded')).toBe('true');
      expect(await canvasShare(page, DESKTOP)).toBeGreaterThanOrEqual(0.6);
      expect(await stepsUnderMinimap(page)).toEqual([]);
      await page.screenshot({ path: artifact(`builder-room-desktop-${language}.png`) });
      await page.context().close();
    });
  }
});

describe('a logged-out load', () => {
  it('asks for nothing but who is logged in, then loads the flows once logged in', async () => {
    const context = await session.browser.newContext({ viewport: LAPTOP, locale: 'zh-CN' });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const asked: string[] = [];
    const refused: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/api/')) asked.push(url.pathname + url.search);
    });
    page.on('response', (response) => {
      if (response.status() === 401) refused.push(new URL(response.url()).pathname);
    });
    await page.goto(`${session.app.url}/#/`);
    await page.getByTestId('login').waitFor();
    await page.screenshot({ path: artifact('builder-login-zh.png') });
    expect(asked).toEqual(['/api/auth/me']);
    expect(refused).toEqual(['/api/auth/me']);

    await page.getByTestId('login-email').fill(BUILDER_ADMIN.email);
    await page.getByTestId('login-password').fill(BUILDER_ADMIN.password);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('new-flow').waitFor();
    await expect.poll(() => asked.filter((p) => p === '/api/flows').length, WAIT).toBe(1);
    expect(refused).toEqual(['/api/auth/me']);
    await context.close();
  });
});
