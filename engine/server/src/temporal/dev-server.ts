import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { dataDir } from '../processes/paths';
import { isPortFree } from '../processes/ports';
import { superviseUntilReady } from '../processes/supervised-process';
import { ensureTemporalCli } from './cli-binary';
import { temporalAnswers } from './probe';

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
   * The remote codec the Web UI decodes payloads with (`--ui-codec-endpoint`): sopflow's
   * `/api/temporal-codec`. The CLI has no setting for the UI to send cookies with it, so each
   * browser ticks "Include cross-origin credentials" in the UI's codec settings once.
   * @default none: the UI shows encrypted payloads as they are
   */
  uiCodecEndpoint?: string;
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
  if (ui) {
    args.push('--ui-port', String(uiPort));
    if (opts.uiCodecEndpoint) args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  } else args.push('--headless');
  if (opts.dbFile) {
    mkdirSync(path.dirname(path.resolve(opts.dbFile)), { recursive: true });
    args.push('--db-filename', path.resolve(opts.dbFile));
  }

  const { stop } = await superviseUntilReady({
    name: 'Temporal dev server',
    address,
    command: cli,
    args,
    logFile,
    // Ready means the frontend answers and our namespace is registered.
    isReady: () => temporalAnswers(address, (c) => c.workflowService.describeNamespace({ namespace })),
    readyTimeoutMs,
    stopTimeoutMs,
    pollMs: 250,
  });

  return { address, uiUrl: ui ? `http://${host}:${uiPort}` : undefined, namespace, logFile, stop };
}
