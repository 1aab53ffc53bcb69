import { executionFlow, type RunFigures, timedRun } from './execution';
import { type BenchContext, type BenchResult, type Row, round } from './support/report';
import { insertContacts, publish, spawnChild, stamp } from './support/stack';

/**
 * The tuning experiment (`npm run bench -- --only tuning [--worker-options JSON]`): the execution
 * benchmark's flow for `--exec-n` contacts on a worker built like startWorker's (custom-worker)
 * with its default options, then with each candidate set of Worker options, then with the
 * defaults again, each in a fresh worker process. Ratios are against the mean of the two
 * default runs, which bracket the candidates so a drift in the machine's load shows.
 */

const CANDIDATES: Record<string, unknown>[] = [
  { maxCachedWorkflows: 500 },
  { maxConcurrentWorkflowTaskExecutions: 10 },
  {
    workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: 2 },
    activityTaskPollerBehavior: { type: 'simple-maximum', maximum: 2 },
  },
];

export async function tuning({ stack, args, log }: BenchContext): Promise<BenchResult> {
  const parsed: unknown = args.workerOptions ? JSON.parse(args.workerOptions) : CANDIDATES;
  const candidates = (Array.isArray(parsed) ? parsed : [parsed]) as Record<string, unknown>[];
  const configs = [{}, ...candidates, {}];
  const n = args.execN;
  const db = await stack.database(`tuning_${stamp()}`);
  const plan = await publish(db.store, executionFlow('bench-tuning', 'PT1S'));
  const runs: {
    options: Record<string, unknown>;
    figures: RunFigures;
    rssMiB: number;
    peakMiB: number;
  }[] = [];
  for (const [index, options] of configs.entries()) {
    const taskQueue = `bench-tuning-${index}-${stamp()}`;
    const worker = await spawnChild(
      'custom-worker',
      { DATABASE_URL: db.url, TEMPORAL_ADDRESS: stack.temporalAddress, TEMPORAL_TASK_QUEUE: taskQueue },
      { overrides: options },
    );
    try {
      await insertContacts(db.sql, `t${index}`, n);
      await insertContacts(db.sql, `w${index}`, 100);
      const common = {
        variant: 'flow' as const,
        plan,
        taskQueue,
        concurrency: args.execConcurrency,
        waitMs: 1000,
      };
      await timedRun(stack, worker, {
        ...common,
        prefix: `w${index}`,
        runTag: `tune-w-${index}`,
        count: 100,
      });
      log(`  ${JSON.stringify(options)}: ${n} contacts`);
      const figures = await timedRun(stack, worker, {
        ...common,
        prefix: `t${index}`,
        runTag: `tune-${index}`,
        count: n,
      });
      const memory = worker.memory();
      runs.push({
        options,
        figures,
        rssMiB: round(memory.rssKb / 1024),
        peakMiB: round(memory.peakKb / 1024),
      });
      log(
        `    ${round(figures.ms / 1000, 1)} s, worker CPU ${figures.workerCpuMsPerContact} ms/contact, peak RSS ${round(memory.peakKb / 1024)} MiB`,
      );
    } finally {
      await worker.stop();
    }
  }
  const defaultMs = (runs[0]!.figures.ms + runs[runs.length - 1]!.figures.ms) / 2;
  const rows: Row[] = runs.map((r, i) => ({
    metric:
      i === 0 ? 'defaults (first)' : i === runs.length - 1 ? 'defaults (again)' : JSON.stringify(r.options),
    value: round(r.figures.ms / 1000, 1),
    unit: 's',
    baseline: { label: 'defaults, mean of both', value: round(defaultMs / 1000, 1) },
    ratio: round(r.figures.ms / defaultMs, 3),
  }));
  return {
    name: 'tuning',
    title: `Worker options: flow for ${n} contacts`,
    rows,
    details: { n, runs },
    notes: [
      'custom-worker = startWorker’s settings (maxConcurrentActivityTaskExecutions 100) plus the options shown.',
    ],
  };
}
