import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { localStack } from '@sopflow/server';
import { builder } from './builder';
import { campaignFanOut } from './campaign';
import { engineCore } from './engine-core';
import { enrollment } from './enrollment';
import { execution } from './execution';
import { historyCost } from './history';
import type { Bench, BenchArgs, BenchResult, Row } from './support/report';
import { startStack } from './support/stack';
import { tuning } from './tuning';
import { webhookLatency } from './webhook-latency';
import { welcomeDeadline } from './welcome-deadline';
import { workerMemory } from './worker-memory';

/**
 * `npm run bench [-- --flag value …]`: runs every benchmark on a local stack it starts itself,
 * prints one table and writes the figures to bench/results/<timestamp>.json and latest.json.
 * Each headline figure is a ratio against a baseline measured in the same run on the same
 * Temporal server with the same worker settings, because the machines are shared and noisy.
 */

const BENCHES: Record<string, Bench> = {
  'engine-core': engineCore,
  enrollment,
  execution,
  history: historyCost,
  'webhook-latency': webhookLatency,
  campaign: campaignFanOut,
  'worker-memory': workerMemory,
  builder,
  'welcome-deadline': welcomeDeadline,
  tuning,
};
/** Run unless --only names others; `tuning` is an experiment, run on request. */
const DEFAULT_SET = Object.keys(BENCHES).filter((name) => name !== 'tuning');

const FLAGS = {
  only: { type: 'string', default: DEFAULT_SET.join(','), help: 'benchmarks to run, comma-separated' },
  'enroll-n': { type: 'string', default: '1000', help: 'enrollment: contacts' },
  'enroll-concurrency': { type: 'string', default: '64', help: 'enrollment: requests in flight' },
  'exec-n': { type: 'string', default: '200', help: 'execution: contacts per variant' },
  'exec-concurrency': { type: 'string', default: '50', help: 'execution: starts in flight' },
  'latency-seconds': { type: 'string', default: '30', help: 'webhook latency: seconds per run' },
  'latency-rate': { type: 'string', default: '40', help: 'webhook latency: requests per second' },
  'campaign-n': {
    type: 'string',
    default: '1000',
    help: 'campaign: audience size (10000 or 100000 for the full figure)',
  },
  'campaign-page-size': { type: 'string', default: '200', help: 'campaign: contacts per page' },
  'memory-n': {
    type: 'string',
    default: '1000',
    help: 'worker memory: waiting contacts (10000 for the full figure, with --memory-timeout 900)',
  },
  'memory-timeout': {
    type: 'string',
    default: '300',
    help: 'worker memory: seconds to wait for every run to reach its wait',
  },
  'memory-bundle-check': {
    type: 'boolean',
    default: false,
    help: 'worker memory: also the hand-written workflow bundled alone',
  },
  'welcome-rate': { type: 'string', default: '50', help: 'welcome deadline: customer adds per second' },
  'welcome-seconds': { type: 'string', default: '60', help: 'welcome deadline: seconds of adds' },
  'compile-nodes': { type: 'string', default: '1000', help: 'engine core: nodes in the generated flow' },
  'core-runs': { type: 'string', default: '30', help: 'engine core: timed runs per figure' },
  'builder-nodes': { type: 'string', default: '300', help: 'builder: nodes in the big flow' },
  'builder-baseline-nodes': { type: 'string', default: '10', help: 'builder: nodes in the baseline flow' },
  'worker-options': {
    type: 'string',
    default: '',
    help: 'Worker options (JSON): tuning tries each (object or array); worker-memory adds a run with them',
  },
  help: { type: 'boolean', default: false, help: 'this list' },
} as const;

async function main() {
  const { values } = parseArgs({
    options: Object.fromEntries(
      Object.entries(FLAGS).map(([name, f]) => [name, { type: f.type, default: f.default }]),
    ) as {
      [K in keyof typeof FLAGS]: { type: (typeof FLAGS)[K]['type']; default: (typeof FLAGS)[K]['default'] };
    },
    strict: true,
  });
  if (values.help) {
    console.log('npm run bench -- [flags]\n');
    for (const [name, f] of Object.entries(FLAGS))
      console.log(`  --${name.padEnd(24)} ${f.help} (${f.default})`);
    return;
  }
  const int = (name: keyof typeof FLAGS) => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
    return value;
  };
  const args: BenchArgs = {
    enrollN: int('enroll-n'),
    enrollConcurrency: int('enroll-concurrency'),
    execN: int('exec-n'),
    execConcurrency: int('exec-concurrency'),
    latencySeconds: int('latency-seconds'),
    latencyRate: int('latency-rate'),
    campaignN: int('campaign-n'),
    campaignPageSize: int('campaign-page-size'),
    memoryN: int('memory-n'),
    memoryBundleCheck: values['memory-bundle-check'],
    memoryTimeoutSeconds: int('memory-timeout'),
    welcomeRate: int('welcome-rate'),
    welcomeSeconds: int('welcome-seconds'),
    compileNodes: int('compile-nodes'),
    coreRuns: int('core-runs'),
    builderNodes: int('builder-nodes'),
    builderBaselineNodes: int('builder-baseline-nodes'),
    workerOptions: values['worker-options'],
  };
  const selected = values.only
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of selected)
    if (!BENCHES[name])
      throw new Error(`no benchmark "${name}"; there are ${Object.keys(BENCHES).join(', ')}`);

  const started = new Date();
  const log = (line: string) =>
    console.log(`${((Date.now() - started.getTime()) / 1000).toFixed(1).padStart(6)}s ${line}`);
  const stack = await startStack(log);
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      log(`${signal}: stopping the servers`);
      void stack.stop().finally(() => process.exit(130));
    });
  const results: BenchResult[] = [];
  const failures: { name: string; error: string }[] = [];
  try {
    for (const name of selected) {
      log(`▶ ${name}`);
      const t0 = Date.now();
      try {
        const result = await BENCHES[name]!({ stack, args, log });
        results.push(result);
        log(`✓ ${name} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      } catch (error) {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        failures.push({ name, error: message });
        log(`✗ ${name}: ${message}`);
      }
    }
  } finally {
    await stack.stop();
  }

  const table = formatTable(results);
  console.log(`\n${table}`);
  for (const r of results) for (const note of r.notes) console.log(`  [${r.name}] ${note}`);
  for (const f of failures) console.log(`  [${f.name}] FAILED: ${f.error.split('\n')[0]}`);

  const report = {
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    durationSeconds: Math.round((Date.now() - started.getTime()) / 1000),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
    },
    args,
    table,
    results,
    failures,
  };
  const dir = path.join(localStack.repoRoot(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
  const json = `${JSON.stringify(report, null, 2)}\n`;
  writeFileSync(file, json);
  writeFileSync(path.join(dir, 'latest.json'), json);
  console.log(`\nwrote ${path.relative(process.cwd(), file)} and bench/results/latest.json`);
  if (failures.length > 0) process.exitCode = 1;
}

/** A Markdown table: benchmark, figure, value, baseline, ratio. */
export function formatTable(results: BenchResult[]): string {
  const fmt = (v: number) =>
    Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : String(Number(v.toPrecision(3)));
  const lines = [
    '| benchmark | figure | value | baseline (same run) | ratio |',
    '| --- | --- | ---: | --- | ---: |',
  ];
  for (const r of results) {
    r.rows.forEach((row: Row, i) => {
      const baseline = row.baseline ? `${row.baseline.label}: ${fmt(row.baseline.value)} ${row.unit}` : '';
      const ratio =
        row.ratio === undefined ? '' : `${row.ratio.toFixed(2)}×${row.ratioNote ? ` ${row.ratioNote}` : ''}`;
      lines.push(
        `| ${i === 0 ? r.title : ''} | ${row.metric} | ${fmt(row.value)} ${row.unit} | ${baseline} | ${ratio} |`,
      );
    });
  }
  return lines.join('\n');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
