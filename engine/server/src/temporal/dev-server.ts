import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { createLogSink } from '../processes/log-sink';
import { dataDir } from '../processes/paths';
import { isPortFree } from '../processes/ports';
import { ensureTemporalCli } from './cli-binary';

export interface StartTemporalDevServerOptions {
  /**
   * Frontend gRPC port, bound on 127.0.0.1.
   * @default 7233
   */
  port?: number;
  /**
   * Web UI port; ignored when `ui` is false.
   * @default port + 1000
   */
  uiPort?: number;
  /**
   * Serve the Web UI. Tests turn it off to save a port and startup time.
   * @default true
   */
  ui?: boolean;
  /**
   * Namespace created at launch (the `default` namespace always exists as well).
   * @default 'default'
   */
  namespace?: string;
  /**
   * SQLite file for persistent state; its directory is created. Without it, state is in memory and lost on stop.
   * @default undefined (in memory)
   */
  dbFile?: string;
  /**
   * File that receives the server's stdout and stderr (appended).
   * @default `<dataDir()>/temporal.log`
   */
  logFile?: string;
  /**
   * Temporal CLI binary to run.
   * @default the result of {@link ensureTemporalCli} (which may build it)
   */
  cliPath?: string;
  /**
   * Progress lines while the CLI is being built on first use.
   * @default ignores them
   */
  onProgress?: (line: string) => void;
  /**
   * How long to wait for the frontend to answer before giving up.
   * @default 60_000
   */
  readyTimeoutMs?: number;
  /**
   * How long `stop()` waits after SIGTERM before sending SIGKILL.
   * @default 10_000
   */
  stopTimeoutMs?: number;
}

export interface TemporalDevServer {
  /** `host:port` for `Connection.connect({ address })`. */
  address: string;
  /** Web UI URL, or undefined when started headless. */
  uiUrl: string | undefined;
  namespace: string;
  logFile: string;
  /** Stops the server (SIGTERM, then SIGKILL after `stopTimeoutMs`) and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
}

const host = '127.0.0.1';

export async function startTemporalDevServer(
  opts: StartTemporalDevServerOptions = {},
): Promise<TemporalDevServer> {
  const port = opts.port ?? 7233;
  const ui = opts.ui ?? true;
  const uiPort = opts.uiPort ?? port + 1000;
  const namespace = opts.namespace ?? 'default';
  const logFile = opts.logFile ?? path.join(dataDir(), 'temporal.log');
  const readyTimeoutMs = opts.readyTimeoutMs ?? 60_000;
  const stopTimeoutMs = opts.stopTimeoutMs ?? 10_000;
  const address = `${host}:${port}`;

  // A server already listening (e.g. left over from a crashed run) would answer our readiness probe,
  // so we would silently talk to the wrong server while ours dies on "address in use".
  if (!(await isPortFree(port, host))) {
    throw new Error(`Cannot start the Temporal dev server: port ${port} on ${host} is already in use.`);
  }
  if (ui && !(await isPortFree(uiPort, host))) {
    throw new Error(`Cannot start the Temporal dev server: UI port ${uiPort} on ${host} is already in use.`);
  }

  const cli = opts.cliPath ?? (await ensureTemporalCli({ onProgress: opts.onProgress }));
  const args = ['server', 'start-dev', '--ip', host, '--port', String(port), '--log-level', 'warn'];
  // `default` is always created; listing it again is redundant.
  if (namespace !== 'default') args.push('--namespace', namespace);
  if (ui) args.push('--ui-port', String(uiPort));
  else args.push('--headless');
  if (opts.dbFile) {
    mkdirSync(path.dirname(path.resolve(opts.dbFile)), { recursive: true });
    args.push('--db-filename', path.resolve(opts.dbFile));
  }

  const log = createLogSink(logFile);
  log.write(`\n--- ${new Date().toISOString()} ${cli} ${args.join(' ')}\n`);
  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => log.write(chunk));
  child.stderr?.on('data', (chunk: Buffer) => log.write(chunk));

  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(`failed to spawn ${cli}: ${error.message}`));
    // 'close' rather than 'exit': it fires after stdout/stderr are drained, so the log tail is complete.
    child.once('close', (code, signal) =>
      resolve(signal ? `killed by ${signal}` : `exited with code ${code}`),
    );
  });
  let exitReason: string | undefined;
  void exited.then((reason) => {
    exitReason = reason;
  });

  // Last-resort cleanup: without it, a parent that exits without calling stop() leaves an orphaned server
  // holding the port (and the SQLite file) until someone kills it by hand.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      process.off('exit', killOnExit);
      await terminate(child, exited, () => exitReason !== undefined, stopTimeoutMs);
      await log.close();
    })();
    return stopping;
  };

  const failure = (why: string) =>
    new Error(`Temporal dev server at ${address} ${why}. Log: ${logFile}\n${log.tail().join('\n')}`);

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exitReason) {
      await stop();
      throw failure(`${exitReason} before it was ready`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw failure(`did not become ready within ${readyTimeoutMs} ms`);
    }
    // Raced with exit so a server that dies at once fails fast instead of after a probe timeout.
    if (await Promise.race([probe(address, namespace), exited.then(() => false)])) break;
    await Promise.race([sleep(250), exited]);
  }

  return { address, uiUrl: ui ? `http://${host}:${uiPort}` : undefined, namespace, logFile, stop };
}

/** Ready means the frontend answers and our namespace is registered, not just that the port is open. */
async function probe(address: string, namespace: string): Promise<boolean> {
  // A lazy connection that we always close: failed `Connection.connect` calls would leak gRPC channels.
  const connection = Connection.lazy({ address, connectTimeout: '2s' });
  try {
    await connection.ensureConnected();
    await connection.workflowService.describeNamespace({ namespace });
    return true;
  } catch {
    return false;
  } finally {
    await connection.close().catch(() => {});
  }
}

async function terminate(
  child: ChildProcess,
  exited: Promise<unknown>,
  hasExited: () => boolean,
  timeoutMs: number,
): Promise<void> {
  if (hasExited()) return;
  child.kill('SIGTERM');
  // Unref'd so a fast exit does not keep the parent alive for the rest of the timeout.
  const timer = sleep(timeoutMs, 'timeout' as const, { ref: false });
  if ((await Promise.race([exited, timer])) === 'timeout' && !hasExited()) {
    child.kill('SIGKILL');
    await exited;
  }
}
