import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchBrowser } from './browser';
import { startTestApp, type TestApp } from './stack';

/** What the builder's end-to-end tests share: the built builder, a stack serving it, a Chromium page. */

const root = path.resolve(import.meta.dirname, '..', '..');
export const builderDir = path.join(root, 'builder-ui', 'dist');
const artifacts = path.join(root, 'test', 'artifacts');

/** Where a screenshot goes (git-ignored). */
export const artifact = (name: string) => path.join(artifacts, name);

/** The account the builder logs in with. */
export const BUILDER_ADMIN = { email: 'ops@example.com', password: 'builder-e2e-password' };

/** The newest modification time under the paths the builder bundle is made from. */
function newest(paths: string[]): number {
  let latest = 0;
  for (const p of paths) {
    if (!existsSync(p)) continue;
    const stat = statSync(p);
    if (stat.isDirectory()) {
      const children = readdirSync(p)
        .filter((name) => name !== 'node_modules' && name !== 'dist')
        .map((name) => path.join(p, name));
      latest = Math.max(latest, newest(children));
    } else latest = Math.max(latest, stat.mtimeMs);
  }
  return latest;
}

/** Builds builder-ui/dist unless it is newer than every source it is made from. */
export function buildBuilderIfStale(): void {
  const index = path.join(builderDir, 'index.html');
  const sources = [
    'builder-ui/src',
    'builder-ui/index.html',
    'builder-ui/vite.config.ts',
    'builder-ui/package.json',
    'engine/core/src',
  ];
  if (existsSync(index) && statSync(index).mtimeMs >= newest(sources.map((s) => path.join(root, s)))) return;
  execFileSync('npm', ['run', 'build', '-w', '@sopflow/builder-ui'], { cwd: root, stdio: 'pipe' });
}

export interface BuilderSession {
  app: TestApp;
  browser: Browser;
  page: Page;
  /** Opens the builder at `hash`, logs in when the API asks, and waits for the `ready` test id. */
  open(hash: string, ready?: string): Promise<void>;
  close(): Promise<void>;
}

/** A stack (API, and a worker unless told not to) serving the built builder, and a page in Chromium. */
export async function startBuilder(options: {
  viewport: { width: number; height: number };
  worker?: boolean;
  /** More of the app's environment (a provider's callback settings). */
  env?: Record<string, string>;
}): Promise<BuilderSession> {
  buildBuilderIfStale();
  mkdirSync(artifacts, { recursive: true });
  const app = await startTestApp({
    builderDir,
    worker: options.worker ?? true,
    env: {
      ...options.env,
      SOPFLOW_ADMIN_EMAIL: BUILDER_ADMIN.email,
      SOPFLOW_ADMIN_PASSWORD: BUILDER_ADMIN.password,
    },
  });
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: options.viewport, locale: 'en-US' });
  page.setDefaultTimeout(20_000);
  const byId = (id: string) => page.getByTestId(id);
  return {
    app,
    browser,
    page,
    async open(hash, ready = 'new-flow') {
      await page.goto(`${app.url}/${hash}`);
      await page.locator(`[data-testid="login"], [data-testid="${ready}"]`).first().waitFor();
      if (await byId('login').isVisible()) {
        await byId('login-email').fill(BUILDER_ADMIN.email);
        await byId('login-password').fill(BUILDER_ADMIN.password);
        await byId('login-submit').click();
      }
      await byId(ready).waitFor();
    },
    async close() {
      await browser.close();
      await app.stop();
    },
  };
}

/**
 * A builder session for the test file: started before its tests, closed after them; `use` is told
 * the session once it is up (for the file's `page`, `app` and friends).
 */
export function useBuilder(
  options: Parameters<typeof startBuilder>[0],
  use: (session: BuilderSession) => void,
): void {
  let session: BuilderSession | undefined;
  beforeAll(async () => {
    session = await startBuilder(options);
    use(session);
  });
  afterAll(async () => {
    await session?.close();
  });
}

/** The text of an element, '' when it has none. */
export const textOf = async (locator: Locator) => (await locator.textContent()) ?? '';
