import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { FlowDocument } from '@sopflow/core';
import { localStack } from '@sopflow/server';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../support/browser';
import { generatedFlow } from './engine-core';
import { type BenchContext, type BenchResult, ratioRow, round, roundAll } from './support/report';
import { spawnChild, stamp, summarize } from './support/stack';

/**
 * 8. The builder in Chromium (headless, software rendering): time from navigation to the flow's
 * nodes on the canvas, and requestAnimationFrame intervals while the canvas is panned with the
 * mouse, for a `--builder-nodes` flow against a `--builder-baseline-nodes` flow on the same page,
 * browser and server. The API serves builder-ui/dist (built first when missing).
 */
export async function builder({ stack, args, log }: BenchContext): Promise<BenchResult> {
  const builderDir = path.join(localStack.repoRoot(), 'builder-ui', 'dist');
  if (!existsSync(path.join(builderDir, 'index.html')) || builtBefore(builderDir)) {
    log('  building the builder (npm run build -w @sopflow/builder-ui): dist is missing or older than src');
    execFileSync('npm', ['run', 'build', '-w', '@sopflow/builder-ui'], {
      cwd: localStack.repoRoot(),
      stdio: 'inherit',
    });
  }
  const db = await stack.database(`builder_${stamp()}`);
  const big = { ...generatedFlow(args.builderNodes), id: 'bench-big', name: `${args.builderNodes} steps` };
  const small = {
    ...generatedFlow(args.builderBaselineNodes),
    id: 'bench-small',
    name: `${args.builderBaselineNodes} steps`,
  };
  for (const flow of [big, small]) await db.store.flows.saveDraft(FlowDocument.parse(flow));

  const api = await spawnChild('api', {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TEMPORAL_TASK_QUEUE: `bench-builder-${stamp()}`,
    SOPFLOW_PORT: String(await localStack.findFreePort()),
    BENCH_BUILDER_DIR: builderDir,
    // An API with accounts asks the builder to log in: the bench logs in as this admin.
    SOPFLOW_ADMIN_EMAIL: ADMIN.email,
    SOPFLOW_ADMIN_PASSWORD: ADMIN.password,
  });
  const browser = await launchBrowser();
  try {
    const measure = async (flowId: string, nodes: number) => {
      // The API's Content-Security-Policy (script-src 'self') refuses the string evaluation that
      // waitForFunction and evaluate rely on; the page renders the same without it.
      const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, bypassCSP: true });
      try {
        const login = await page.request.post(`${api.ready.url}/api/auth/login`, { data: ADMIN });
        if (![200, 404].includes(login.status())) throw new Error(`login answered ${login.status()}`);
        // A first visit fills the HTTP cache, as an operator's second look would.
        await page.goto(`${api.ready.url}/`);
        await page.waitForLoadState('networkidle');
        const render = await firstRender(
          page,
          `${api.ready.url}/#/flows/${encodeURIComponent(flowId)}`,
          nodes,
        );
        await page.waitForTimeout(500);
        const pan = await panFrames(page);
        return { ...render, ...pan };
      } catch (error) {
        const shot = path.join(localStack.repoRoot(), 'bench', 'results', 'builder-failure.png');
        mkdirSync(path.dirname(shot), { recursive: true });
        await page.screenshot({ path: shot }).catch(() => {});
        throw new Error(`${(error as Error).message} (screenshot: ${path.relative(process.cwd(), shot)})`);
      } finally {
        await page.close();
      }
    };
    log(`  ${args.builderBaselineNodes}-node flow`);
    await measure(small.id, args.builderBaselineNodes); // warm-up: JIT, fonts, caches
    const baseline = await measure(small.id, args.builderBaselineNodes);
    log(`  ${args.builderNodes}-node flow`);
    const large = await measure(big.id, args.builderNodes);
    return {
      name: 'builder',
      title: `Builder: ${args.builderNodes}-node flow in Chromium`,
      rows: [
        ratioRow(
          'page load to first node',
          large.firstNodeMs,
          'ms',
          `${args.builderBaselineNodes}-node flow`,
          baseline.firstNodeMs,
        ),
        ratioRow(
          'page load to all nodes rendered',
          large.allNodesMs,
          'ms',
          `${args.builderBaselineNodes}-node flow`,
          baseline.allNodesMs,
        ),
        ratioRow(
          'pan: frame interval p50',
          large.frames.p50,
          'ms',
          `${args.builderBaselineNodes}-node flow`,
          baseline.frames.p50,
        ),
        ratioRow(
          'pan: frame interval p95',
          large.frames.p95,
          'ms',
          `${args.builderBaselineNodes}-node flow`,
          baseline.frames.p95,
        ),
        ratioRow(
          'pan: longest frame',
          large.frames.max,
          'ms',
          `${args.builderBaselineNodes}-node flow`,
          baseline.frames.max,
        ),
      ],
      details: { large, baseline },
      notes: [
        `Headless Chromium (--disable-gpu), 1440×900; logged in; times from navigation start of a load of #/flows/<id> with a warm HTTP cache. Pan = mouse drag over empty canvas, ${PAN_STEPS} moves; the viewport moved ${round(large.panned)} px (${args.builderNodes} nodes) and ${round(baseline.panned)} px (${args.builderBaselineNodes}).`,
      ],
    };
  } finally {
    await browser.close();
    await api.stop();
  }
}

const ADMIN = { email: 'bench@example.com', password: 'bench-password-not-secret' };

/** Whether any builder source file changed after the build. */
function builtBefore(dist: string): boolean {
  const built = statSync(path.join(dist, 'index.html')).mtimeMs;
  const src = path.join(dist, '..', 'src');
  return readdirSync(src, { recursive: true, withFileTypes: true }).some(
    (entry) => entry.isFile() && statSync(path.join(entry.parentPath, entry.name)).mtimeMs > built,
  );
}

// Page-side code is passed as strings: the repo's type check has no DOM library.

/** Loads the flow's page and times its first node and all its nodes on the canvas (ms from navigation start). */
async function firstRender(page: Page, url: string, nodes: number) {
  // From another document, so this is a real page load (with a warm HTTP cache), not a hash change.
  await page.goto('about:blank');
  await page.goto(url, { waitUntil: 'commit' });
  // React Flow renders nodes hidden until it has measured them: count the visible ones.
  const handle = await page.waitForFunction(
    `(() => {
      const count = document.querySelectorAll('.react-flow__node').length;
      if (count > 0) window.__first ??= performance.now();
      const visible = document.querySelectorAll('.react-flow__node:not([style*="visibility: hidden"])').length;
      return visible >= ${nodes} ? { first: window.__first, all: performance.now(), count } : false;
    })()`,
    undefined,
    { polling: 'raf', timeout: 60_000 },
  );
  const { first, all, count } = (await handle.jsonValue()) as { first: number; all: number; count: number };
  return { firstNodeMs: round(first), allNodesMs: round(all), nodesRendered: count };
}

const PAN_STEPS = 90;

/** Drags the canvas by its empty background while recording requestAnimationFrame intervals. */
async function panFrames(page: Page) {
  const start = await page.evaluate<{ x: number; y: number } | null>(`(() => {
    const pane = document.querySelector('.react-flow__pane').getBoundingClientRect();
    for (let y = pane.top + 20; y < pane.bottom - 20; y += 15)
      for (let x = pane.left + 20; x < pane.right - 20; x += 15) {
        const hit = document.elementFromPoint(x, y);
        if (hit?.closest('.react-flow__pane') && !hit.closest('.react-flow__node, .react-flow__edge, .react-flow__panel'))
          return { x, y };
      }
    return null;
  })()`);
  if (!start) throw new Error('no empty canvas to grab');
  const transform = () =>
    page.evaluate<{ x: number; y: number }>(`(() => {
      const m = new DOMMatrix(getComputedStyle(document.querySelector('.react-flow__viewport')).transform);
      return { x: m.e, y: m.f };
    })()`);
  const before = await transform();
  await page.evaluate(`(() => {
    window.__frames = [];
    window.__recording = true;
    let last = performance.now();
    const loop = (t) => {
      window.__frames.push(t - last);
      last = t;
      if (window.__recording) requestAnimationFrame(loop);
    };
    requestAnimationFrame(loop);
  })()`);
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  for (let i = 1; i <= PAN_STEPS; i++) {
    const angle = (i / PAN_STEPS) * Math.PI * 2;
    await page.mouse.move(start.x - i * 4, start.y + Math.sin(angle) * 120, { steps: 1 });
    await page.waitForTimeout(16);
  }
  await page.mouse.up();
  const frames = await page.evaluate<number[]>(`(() => {
    window.__recording = false;
    return window.__frames.slice(1);
  })()`);
  const after = await transform();
  const panned = Math.hypot(after.x - before.x, after.y - before.y);
  if (panned < 50) throw new Error(`the canvas did not pan (moved ${panned} px)`);
  const stats = summarize(frames);
  return {
    frames: roundAll(stats) as ReturnType<typeof summarize>,
    over50ms: frames.filter((f) => f > 50).length,
    panned,
  };
}
