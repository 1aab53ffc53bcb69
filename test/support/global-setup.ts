import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { localStack } from '@sopflow/server';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalUiUrl: string;
    databaseUrl: string;
  }
}

/**
 * One real Temporal dev server (in memory, with its UI) and one real Postgres for the whole
 * end-to-end run. Postgres is DATABASE_URL when set, else an embedded one in a temp dir.
 * Test files isolate themselves by task queue and by ids, not by servers.
 */
export default async function setup(project: TestProject) {
  const [temporalPort, uiPort, pgPort] = [
    await localStack.findFreePort(),
    await localStack.findFreePort(),
    await localStack.findFreePort(),
  ];
  const temporal = await localStack.startTemporalDevServer({
    port: temporalPort,
    uiPort,
    ui: true,
    logFile: path.join(tmpdir(), `sopflow-e2e-temporal-${temporalPort}.log`),
    onProgress: (line) => console.log(`[temporal-cli] ${line}`),
  });
  const pgDir = mkdtempSync(path.join(tmpdir(), 'sopflow-e2e-pg-'));
  // The embedded server runs as the postgres user when we are root: it must reach its data dir.
  chmodSync(pgDir, 0o755);
  let postgres: Awaited<ReturnType<typeof localStack.startPostgres>>;
  try {
    postgres = await localStack.startPostgres({
      dataDir: pgDir,
      port: pgPort,
      database: `sopflow_e2e_${Date.now()}`,
    });
  } catch (error) {
    await temporal.stop();
    throw error;
  }
  project.provide('temporalAddress', temporal.address);
  project.provide('temporalUiUrl', temporal.uiUrl!);
  project.provide('databaseUrl', postgres.url);
  return async () => {
    await postgres.stop();
    await temporal.stop();
    rmSync(pgDir, { recursive: true, force: true });
  };
}
