import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { localStack } from '@sopflow/server';

/**
 * An embedded Postgres of a test file's own, so the file can stop and start it without disturbing
 * the run's shared database. It restarts on the same data dir and port: the same URL works again.
 */
export interface OwnPostgres {
  url: string;
  /** Stops the server (fast shutdown: open connections are cut). */
  stop(): Promise<void>;
  /** Starts it again on the same data and port; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it and removes its data. */
  remove(): Promise<void>;
}

export async function startOwnPostgres(name: string): Promise<OwnPostgres> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `sopflow-${name}-pg-`));
  // The embedded server runs as the postgres user when we are root: it must reach its data dir.
  chmodSync(dataDir, 0o755);
  const port = await localStack.findFreePort();
  const open = () =>
    localStack.startPostgres({
      databaseUrl: '',
      dataDir,
      port,
      database: name.replace(/\W/g, '_'),
      logFile: path.join(dataDir, 'postgres.log'),
    });
  let handle: localStack.PostgresHandle | undefined = await open();
  const url = handle.url;
  return {
    url,
    async stop() {
      await handle?.stop();
      handle = undefined;
    },
    async start() {
      if (handle) return;
      handle = await open();
      if (handle.url !== url) throw new Error(`Postgres came back at ${handle.url}, not ${url}`);
    },
    async remove() {
      await handle?.stop();
      handle = undefined;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
