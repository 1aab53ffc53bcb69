import { type ChildProcess, fork } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultRegistry } from '@sopflow/connectors';
import { compile, FlowDocument, type FlowDocumentInput, type Plan } from '@sopflow/core';
import {
  Database,
  encryptingDataConverter,
  localStack,
  PayloadEncryptionCodec,
  parsePayloadKeys,
} from '@sopflow/server';
import { SEARCH_ATTRIBUTES } from '@sopflow/workflows';
import { Client, Connection } from '@temporalio/client';
import type { Sql } from 'postgres';

/**
 * The benchmarks' own stack, started like the e2e global setup: one Temporal CLI dev server (in
 * memory, no UI) and one embedded Postgres in a temp dir. Each benchmark gets a database of its
 * own on that Postgres and task queues of its own on that Temporal server; the API and the worker
 * run as child processes so their memory and CPU can be read apart from the load generator.
 */

export interface BenchStack {
  temporalAddress: string;
  /** The Postgres server's URL with the default database; use {@link BenchStack.database}. */
  postgresUrl: string;
  connection: Connection;
  client: Client;
  /** CPU time (ms) used so far by the Temporal server and by all Postgres processes. */
  serverCpuMs(): { temporal: number; postgres: number };
  /** A fresh migrated database for one benchmark: its URL, a pool and the repositories on it. */
  database(name: string): Promise<BenchDatabase>;
  stop(): Promise<void>;
}

export interface BenchDatabase {
  url: string;
  sql: Sql;
  store: Database;
  close(): Promise<void>;
}

export const NAMESPACE = 'default';

export async function startStack(log: (line: string) => void = console.log): Promise<BenchStack> {
  const [temporalPort, pgPort] = [await localStack.findFreePort(), await localStack.findFreePort()];
  log(`starting Temporal dev server on 127.0.0.1:${temporalPort} (in memory)…`);
  const temporal = await localStack.startTemporalDevServer({
    port: temporalPort,
    ui: false,
    logFile: path.join(tmpdir(), `sopflow-bench-temporal-${temporalPort}.log`),
    onProgress: (line) => log(`[temporal-cli] ${line}`),
  });
  const pgDir = mkdtempSync(path.join(tmpdir(), 'sopflow-bench-pg-'));
  chmodSync(pgDir, 0o755);
  let postgres: Awaited<ReturnType<typeof localStack.startPostgres>>;
  try {
    log(`starting embedded Postgres on 127.0.0.1:${pgPort} in ${pgDir}…`);
    postgres = await localStack.startPostgres({
      databaseUrl: '',
      dataDir: pgDir,
      port: pgPort,
      database: 'bench',
    });
  } catch (error) {
    await temporal.stop();
    throw error;
  }
  const connection = await Connection.connect({ address: temporal.address });
  await localStack.ensureSearchAttributes(connection, NAMESPACE, SEARCH_ATTRIBUTES);
  const client = new Client({
    connection,
    namespace: NAMESPACE,
    dataConverter: encryptingDataConverter(new PayloadEncryptionCodec(parsePayloadKeys(BENCH_PAYLOAD_KEYS))),
  });
  const admin = localStack.connectDatabase(postgres.url, { max: 2 });
  const open: BenchDatabase[] = [];
  const temporalPid = findPids(
    (cmd) => cmd.includes('start-dev') && cmd.includes(`--port\0${temporalPort}\0`),
  )[0];
  const postmasterPid = findPids((cmd, comm) => comm === 'postgres' && cmd.includes(pgDir))[0];
  return {
    temporalAddress: temporal.address,
    postgresUrl: postgres.url,
    connection,
    client,
    serverCpuMs: () => ({
      temporal: temporalPid ? procCpuMs(temporalPid) : Number.NaN,
      postgres: postmasterPid ? processTreeCpuMs(postmasterPid) : Number.NaN,
    }),
    async database(name) {
      await admin.unsafe(`create database "${name}"`);
      const url = withDatabase(postgres.url, name);
      const sql = localStack.connectDatabase(url, { max: 10 });
      await localStack.migrate(sql);
      const db: BenchDatabase = {
        url,
        sql,
        store: new Database(sql, { addressMatchKey: defaultRegistry().matchKey }),
        close: () => sql.end({ timeout: 5 }),
      };
      open.push(db);
      return db;
    },
    async stop() {
      for (const db of open) await db.close().catch(() => {});
      await admin.end({ timeout: 5 }).catch(() => {});
      await connection.close().catch(() => {});
      await postgres.stop().catch((e) => log(`stopping Postgres: ${e}`));
      await temporal.stop().catch((e) => log(`stopping Temporal: ${e}`));
      rmSync(pgDir, { recursive: true, force: true });
    },
  };
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** The channels a published flow may use: the default registry's, as the API compiles with. */
export const CHANNELS = defaultRegistry().channels();

/** Saves a flow document as a draft and publishes it through the repositories (no API, so no auth). */
export async function publish(store: Database, input: FlowDocumentInput): Promise<Plan> {
  const document = FlowDocument.parse(input);
  const check = compile(document, { channels: CHANNELS });
  if (!check.ok) throw new Error(`flow ${document.id} does not compile: ${JSON.stringify(check.errors)}`);
  await store.flows.saveDraft(document);
  const { plan } = await store.flows.publish(document.id, document, (version) => {
    const result = compile(document, { channels: CHANNELS, version });
    if (!result.ok) throw new Error('compile failed');
    return result.plan;
  });
  return plan;
}

type Nodes = FlowDocumentInput['nodes'];

/** A flow whose nodes are chained by `next` in order, plus extra edges `[source, handle, target]`. */
export function chainFlow(
  id: string,
  nodes: Nodes,
  extra: [string, string, string][] = [],
  settings: FlowDocumentInput['settings'] = { timezone: 'Asia/Shanghai', reentry: { mode: 'always' } },
): FlowDocumentInput {
  const enders = new Set(['exit', 'branch', 'split', 'wait_for_event', 'staff_task']);
  const edges: FlowDocumentInput['edges'] = [];
  nodes.forEach((n, i) => {
    const next = nodes[i + 1];
    if (next && !enders.has(n.type)) edges.push({ id: `${n.id}-next`, source: n.id, target: next.id });
  });
  for (const [source, sourceHandle, target] of extra)
    edges.push({ id: `${source}-${sourceHandle}`, source, sourceHandle, target });
  return { schemaVersion: 1, id, name: id, nodes, edges, settings };
}

/** Inserts `count` contacts reachable on wechat in one statement: ids `<prefix>-0000001`… */
export async function insertContacts(
  sql: Sql,
  prefix: string,
  count: number,
  attributes: Record<string, unknown> = {},
): Promise<void> {
  await sql`
    insert into contacts (id, name, attributes)
    select ${prefix} || '-' || lpad(g::text, 7, '0'), 'Bench ' || g, ${sql.json(attributes as never)}
    from generate_series(1, ${count}::int) g`;
  await sql`
    insert into contact_addresses (contact_id, kind, value, match_key)
    select ${prefix} || '-' || lpad(g::text, 7, '0'), 'wecomUserId', 'wx-' || g, 'wx-' || g
    from generate_series(1, ${count}::int) g`;
}

export const contactId = (prefix: string, i: number) => `${prefix}-${String(i + 1).padStart(7, '0')}`;

// ---------------------------------------------------------------------------------------------
// Child processes

export interface WorkerSettings {
  /** Worker.create options to set on top of what startWorker sets (the tuning experiments). */
  overrides?: Record<string, unknown>;
  /** custom-worker: bundle this workflows file instead of the product's. */
  workflowsPath?: string;
}

export interface ChildReady {
  type: 'ready';
  pid: number;
  url?: string;
  maxCachedWorkflows?: number;
  /** Size of the workflow bundle the worker runs (bytes of code). */
  bundleBytes?: number;
  workerOptions?: Record<string, unknown>;
}

export interface BenchChild {
  pid: number;
  ready: ChildReady;
  /** Resident memory now and its peak so far (KiB), from /proc. */
  memory(): { rssKb: number; peakKb: number };
  /** CPU time used so far (ms, user + system), from /proc. */
  cpuMs(): number;
  /** Workflow tasks that took over 5 s (Temporal core's TMPRL1104 warning) so far. */
  slowTasks(): number;
  /** How the process ended, once it has. */
  exit(): ChildExit | undefined;
  /** Throws a ChildExitedError when the process has ended. */
  assertAlive(): void;
  stop(): Promise<void>;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** It printed a JavaScript heap out-of-memory error. */
  outOfMemory: boolean;
}

export class ChildExitedError extends Error {
  override readonly name = 'ChildExitedError';
  constructor(
    message: string,
    readonly exit: ChildExit,
  ) {
    super(message);
  }
}

const CHILD = new URL('./child.ts', import.meta.url).pathname;

/** The keys the benchmark's processes encrypt Temporal payloads with, as production does. */
export const BENCH_PAYLOAD_KEYS = `bench-1:${Buffer.alloc(32, 9).toString('base64')}`;

/**
 * Forks `child.ts` as the API (`startApp` without a worker) or the worker (`startApp` without
 * the API: the production worker and its default settings; `custom` builds the same worker by
 * hand so Worker options can be overridden).
 */
export async function spawnChild(
  kind: 'api' | 'worker' | 'custom-worker',
  env: Record<string, string>,
  settings: WorkerSettings = {},
): Promise<BenchChild> {
  // BENCH_CPU_PROF_DIR: each child writes a V8 CPU profile there when it stops (node --cpu-prof).
  const profileDir = process.env.BENCH_CPU_PROF_DIR;
  const child: ChildProcess = fork(CHILD, [kind], {
    execArgv: ['--import', 'tsx', ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
    env: {
      ...process.env,
      SOPFLOW_PAYLOAD_KEYS: BENCH_PAYLOAD_KEYS,
      ...env,
      BENCH_WORKER_OVERRIDES: JSON.stringify(settings.overrides ?? {}),
      BENCH_WORKFLOWS_PATH: settings.workflowsPath ?? '',
    },
    // The API prints the generated admin password of each fresh database on stdout: not wanted here.
    stdio: ['ignore', kind === 'api' ? 'ignore' : 'inherit', 'pipe', 'ipc'],
  });
  // Temporal's core warns for every workflow task over 5 s; they are counted, not printed.
  let slowTasks = 0;
  let outOfMemory = false;
  let partial = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.includes('TMPRL1104')) slowTasks++;
      else {
        if (/ERR_WORKER_OUT_OF_MEMORY|heap out of memory/.test(line)) outOfMemory = true;
        process.stderr.write(`${line}\n`);
      }
    }
  });
  let exit: ChildExit | undefined;
  let lastMemory = { rssKb: 0, peakKb: 0 };
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = { code, signal, outOfMemory };
      resolve();
    }),
  );
  const ready = await new Promise<ChildReady>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} child did not start in 120 s`)), 120_000);
    child.on('message', (message: ChildReady | { type: 'error'; message: string }) => {
      clearTimeout(timer);
      if (message.type === 'ready') resolve(message);
      else reject(new Error(`${kind} child failed: ${message.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${kind} child exited with ${code} before it was ready`));
    });
  });
  const pid = child.pid!;
  return {
    pid,
    ready,
    memory: () => {
      if (!exit) lastMemory = procMemory(pid);
      return lastMemory;
    },
    cpuMs: () => procCpuMs(pid),
    slowTasks: () => slowTasks,
    exit: () => (exit ? { ...exit, outOfMemory: exit.outOfMemory || outOfMemory } : undefined),
    assertAlive() {
      if (exit)
        throw new ChildExitedError(
          `the ${kind} process exited (${exit.signal ?? `code ${exit.code}`})${outOfMemory ? ': JavaScript heap out of memory' : ''}`,
          { ...exit, outOfMemory },
        );
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.send({ type: 'stop' });
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

export function procMemory(pid: number): { rssKb: number; peakKb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rssKb: field('VmRSS'), peakKb: field('VmHWM') };
}

const TICKS_PER_SECOND = 100;

/** Pids whose NUL-separated command line or short name matches. */
export function findPids(match: (cmdline: string, comm: string) => boolean): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (match(cmdline, comm)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

export function procCpuMs(pid: number): number {
  const fields = statFields(pid);
  return fields ? ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND : 0;
}

/** CPU time of a process, its live children, and its children that exited and were waited for. */
export function processTreeCpuMs(pid: number): number {
  const fields = statFields(pid);
  if (!fields) return 0;
  const reaped = ((Number(fields[13]) + Number(fields[14])) * 1000) / TICKS_PER_SECOND;
  const children = findPids(() => true).filter((p) => statFields(p)?.[1] === String(pid));
  return procCpuMs(pid) + reaped + children.reduce((sum, p) => sum + procCpuMs(p), 0);
}

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) in parentheses: [0] is the state.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Resolves once the process has used under `busyFraction` of a core for a whole `windowMs`. */
export async function settled(
  child: BenchChild,
  { windowMs = 1000, busyFraction = 0.05, timeoutMs = 120_000 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let before = child.cpuMs();
  while (Date.now() < deadline) {
    await delay(windowMs);
    child.assertAlive();
    const now = child.cpuMs();
    if (now - before < windowMs * busyFraction) return;
    before = now;
  }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `task(i)` for i in [0, count) with at most `concurrency` at a time. */
export async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>) {
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < count; i = next++) await task(i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

export class TimedOutError extends Error {
  override readonly name = 'TimedOutError';
}

/** Polls a Temporal visibility count until it reaches `target` (or the timeout passes). */
export async function waitForCount(
  client: Client,
  query: string,
  target: number,
  {
    timeoutMs = 600_000,
    intervalMs = 250,
    onCount,
    alive,
  }: {
    timeoutMs?: number;
    intervalMs?: number;
    onCount?: (count: number) => void;
    /** A worker whose death should end the wait (it would never come). */
    alive?: BenchChild;
  } = {},
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    alive?.assertAlive();
    const { count } = await client.workflow.count(query);
    onCount?.(count);
    if (count >= target) return count;
    if (Date.now() > deadline)
      throw new TimedOutError(`timed out waiting for ${target} of "${query}" (at ${count})`);
    await delay(intervalMs);
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function summarize(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: sorted.reduce((s, v) => s + v, 0) / Math.max(1, sorted.length),
  };
}

export const median = (values: number[]) => summarize(values).p50;

/** Milliseconds since `start` (performance.now()). */
export const since = (start: number) => performance.now() - start;

export const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
