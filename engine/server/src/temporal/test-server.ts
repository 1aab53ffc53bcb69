import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { cacheDir, repoRoot } from '../processes/paths';
import { findFreePort, isPortFree } from '../processes/ports';
import { superviseUntilReady } from '../processes/supervised-process';
import { temporalAnswers } from './probe';

/** The server's entry point in `io.temporal:temporal-test-server` (its jar manifest's Main-Class). */
export const TEMPORAL_TEST_SERVER_MAIN_CLASS = 'io.temporal.testserver.TestServer';

/** The Maven project that pins the server version: the single place to bump it. */
export function temporalTestServerPom(): string {
  return path.join(repoRoot(), 'test', 'support', 'time-skipping', 'pom.xml');
}

/**
 * A script that runs the fetched server as `<script> <port> [--enable-time-skipping]`: what @temporalio/testing
 * runs for `createTimeSkipping({ server: { executable: { type: 'existing-path', path } } })`.
 */
export function temporalTestServerLauncher(): string {
  return path.join(repoRoot(), 'test', 'support', 'time-skipping', 'temporal-test-server');
}

/** The `io.temporal:temporal-test-server` version the pom pins. */
export function temporalTestServerVersion(pom = temporalTestServerPom()): string {
  const match = /<temporal-test-server\.version>([^<]+)</.exec(readFileSync(pom, 'utf8'));
  if (!match?.[1]) throw new Error(`${pom} does not set <temporal-test-server.version>.`);
  return match[1].trim();
}

export interface EnsureTemporalTestServerOptions {
  /**
   * Directory the jars are copied to; its contents are the server's classpath.
   * @default `<repoRoot>/.cache/temporal-test-server/lib`
   */
  libDir?: string;
  /**
   * Maven project naming the server and its version.
   * @default {@link temporalTestServerPom}
   */
  pom?: string;
  /**
   * Maven command (a path, or a name looked up on PATH).
   * @default `MVN` from the environment, else `mvn`
   */
  mvn?: string;
  /**
   * Receives progress lines (including Maven's output on failure) while fetching.
   * @default ignores them
   */
  onProgress?: (line: string) => void;
}

/** Written into the lib dir last; a dir without it (or for another pom) is an interrupted or stale fetch. */
const MARKER = '.fetched';

function defaultLibDir(): string {
  return path.join(cacheDir(), 'temporal-test-server', 'lib');
}

function pomDigest(pom: string): string {
  return createHash('sha256').update(readFileSync(pom)).digest('hex');
}

function isFetched(libDir: string, digest: string): boolean {
  try {
    return (
      readFileSync(path.join(libDir, MARKER), 'utf8').trim() === digest &&
      readdirSync(libDir).some((name) => name.startsWith('temporal-test-server-') && name.endsWith('.jar'))
    );
  } catch {
    return false;
  }
}

/**
 * Returns the directory holding the time-skipping test server's jars (its classpath), fetching them from
 * Maven Central with `mvn dependency:copy-dependencies` on first use, and again whenever the pom changes.
 * Needs `mvn` (and a Java runtime for it) only while fetching.
 */
export async function ensureTemporalTestServer(opts: EnsureTemporalTestServerOptions = {}): Promise<string> {
  const libDir = path.resolve(opts.libDir ?? defaultLibDir());
  const pom = opts.pom ?? temporalTestServerPom();
  const digest = pomDigest(pom);
  if (isFetched(libDir, digest)) return libDir;

  const onProgress = opts.onProgress ?? (() => {});
  const version = temporalTestServerVersion(pom);
  onProgress(`Fetching the Temporal test server ${version} from Maven Central (first use only)...`);

  // Copied into a fresh sibling dir and renamed into place, so an interrupted fetch never looks complete and
  // two processes fetching at once (parallel test files) never see each other's half-copied jars.
  await mkdir(path.dirname(libDir), { recursive: true });
  const staging = `${libDir}.tmp-${process.pid}-${Date.now()}`;
  try {
    await runMaven(opts.mvn ?? process.env.MVN ?? 'mvn', pom, staging, onProgress);
    await writeFile(path.join(staging, MARKER), `${digest}\n`);
    if (!isFetched(libDir, digest)) {
      await rm(libDir, { recursive: true, force: true });
      try {
        await rename(staging, libDir);
      } catch (error) {
        // Lost a race with another process that finished first; its copy is as good as ours.
        if (!isFetched(libDir, digest)) throw error;
      }
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  onProgress(`Temporal test server ${version} ready in ${libDir}`);
  return libDir;
}

async function runMaven(
  mvn: string,
  pom: string,
  outputDir: string,
  onProgress: (line: string) => void,
): Promise<void> {
  const args = [
    '-q',
    '-B',
    '-Dstyle.color=never',
    '-f',
    pom,
    'dependency:copy-dependencies',
    `-DoutputDirectory=${outputDir}`,
  ];
  const recent: string[] = [];
  // Maven writes nothing to the pom's directory for copy-dependencies, but run it outside the repo anyway.
  const child = spawn(mvn, args, { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (raw) => {
      // Some Maven builds colour even in batch mode; blank lines left after the colour codes are noise.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escape sequences.
      const line = raw.replace(/\x1b\[[0-9;]*m/g, '').trimEnd();
      if (!line) return;
      recent.push(line);
      if (recent.length > 40) recent.shift();
      onProgress(line);
    });
  }
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new Error(
              `\`${mvn}\` was not found: Maven is needed once to fetch Temporal's time-skipping test server ` +
                '(io.temporal:temporal-test-server) from Maven Central. Install Maven 3 (and a Java 8+ runtime), ' +
                'or set MVN to its path.',
            )
          : error,
      );
    });
    child.once('close', resolve);
  });
  if (exitCode !== 0) {
    throw new Error(
      `\`${mvn} ${args.join(' ')}\` failed (exit code ${exitCode}); is Maven Central reachable?\n${recent.join('\n')}`,
    );
  }
}

export interface StartTemporalTestServerOptions {
  /**
   * gRPC port. The server listens on all interfaces; clients use 127.0.0.1.
   * @default a free port
   */
  port?: number;
  /**
   * Whether time skips on its own from the start: whenever no workflow or activity task is in flight, the
   * server jumps to the next timer. Use it when plain clients (e.g. the sopflow API) drive the workflows.
   * When false the server starts "locked" like @temporalio/testing starts it: time only skips while a
   * `TimeSkippingClient` awaits a result or `unlockTimeSkippingWithSleep` runs.
   * @default true
   */
  autoSkip?: boolean;
  /**
   * Classpath directory.
   * @default the result of {@link ensureTemporalTestServer} (which may fetch it)
   */
  libDir?: string;
  /**
   * Java executable.
   * @default `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java`
   */
  java?: string;
  /**
   * File that receives the server's stdout and stderr (appended).
   * @default a file in the OS temp dir named after the port
   */
  logFile?: string;
  /** Progress lines while the jars are fetched on first use. */
  onProgress?: (line: string) => void;
  /**
   * How long to wait for the server to answer before giving up.
   * @default 60_000
   */
  readyTimeoutMs?: number;
  /**
   * How long `stop()` waits after SIGTERM before sending SIGKILL.
   * @default 10_000
   */
  stopTimeoutMs?: number;
}

export interface TemporalTestServer {
  /** `127.0.0.1:<port>` for `Connection.connect({ address })`. */
  address: string;
  port: number;
  /** The only namespace the test server has. */
  namespace: 'default';
  logFile: string;
  /** Stops the server (SIGTERM, then SIGKILL after `stopTimeoutMs`) and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
}

const host = '127.0.0.1';

/** JVM options for a short-lived test server: quick to start, small. */
const JVM_OPTIONS = ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1'];

/**
 * Starts Temporal's Java time-skipping test server (in memory, namespace `default` only) and waits until it
 * answers gRPC. Fetches the jars on first use.
 */
export async function startTemporalTestServer(
  opts: StartTemporalTestServerOptions = {},
): Promise<TemporalTestServer> {
  const port = opts.port ?? (await findFreePort());
  const address = `${host}:${port}`;
  const logFile = opts.logFile ?? path.join(tmpdir(), `sopflow-temporal-test-server-${port}.log`);
  const readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;
  const stopTimeoutMs = opts.stopTimeoutMs ?? 10_000;

  if (!(await isPortFree(port, host))) {
    throw new Error(`Cannot start the Temporal test server: port ${port} on ${host} is already in use.`);
  }
  const libDir = opts.libDir ?? (await ensureTemporalTestServer({ onProgress: opts.onProgress }));
  if (!existsSync(libDir)) throw new Error(`Temporal test server classpath ${libDir} does not exist.`);
  const java =
    opts.java ?? (process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java');
  const args = [...JVM_OPTIONS, '-cp', path.join(libDir, '*'), TEMPORAL_TEST_SERVER_MAIN_CLASS, String(port)];
  if (opts.autoSkip ?? true) args.push('--enable-time-skipping');

  const { stop } = await superviseUntilReady({
    name: 'Temporal test server',
    address,
    command: java,
    args,
    logFile,
    spawnFailure: (error) =>
      error.code === 'ENOENT'
        ? `could not start: \`${java}\` was not found (install a Java 8+ runtime, or set JAVA_HOME)`
        : `failed to spawn ${java}: ${error.message}`,
    // Ready means the workflow service answers.
    isReady: () => temporalAnswers(address, (c) => c.workflowService.getSystemInfo({})),
    readyTimeoutMs,
    stopTimeoutMs,
    pollMs: 100,
  });

  return { address, port, namespace: 'default', logFile, stop };
}
