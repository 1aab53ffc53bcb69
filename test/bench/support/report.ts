import type { BenchStack } from './stack';

/** One line of the printed table: a measured figure, and where it has one, its baseline and ratio. */
export interface Row {
  metric: string;
  value: number;
  unit: string;
  baseline?: { label: string; value: number };
  /** value / baseline (or as `ratioNote` says), the figure to compare across machines. */
  ratio?: number;
  ratioNote?: string;
}

export interface BenchResult {
  name: string;
  title: string;
  rows: Row[];
  /** Everything else measured, for the JSON file. */
  details: Record<string, unknown>;
  /** What the figures mean and how they were taken, one line each. */
  notes: string[];
}

export interface BenchArgs {
  enrollN: number;
  enrollConcurrency: number;
  execN: number;
  execConcurrency: number;
  latencySeconds: number;
  latencyRate: number;
  campaignN: number;
  campaignPageSize: number;
  memoryN: number;
  /** Also measure the hand-written workflow bundled alone. */
  memoryBundleCheck: boolean;
  /** Give up on all runs reaching their wait after this long. */
  memoryTimeoutSeconds: number;
  /** Welcome deadline: customer adds per second, and for how many seconds. */
  welcomeRate: number;
  welcomeSeconds: number;
  compileNodes: number;
  coreRuns: number;
  builderNodes: number;
  builderBaselineNodes: number;
  /** JSON Worker options for the tuning experiment's candidate(s): an object or an array of them. */
  workerOptions: string;
}

export interface BenchContext {
  stack: BenchStack;
  args: BenchArgs;
  log(line: string): void;
}

export type Bench = (ctx: BenchContext) => Promise<BenchResult>;

export const round = (value: number, digits = 2) =>
  Number.isFinite(value) ? Number(value.toFixed(digits)) : value;

export function ratioRow(
  metric: string,
  value: number,
  unit: string,
  baselineLabel: string,
  baseline: number,
  ratioNote?: string,
): Row {
  return {
    metric,
    value: round(value),
    unit,
    baseline: { label: baselineLabel, value: round(baseline) },
    ratio: round(value / baseline, 3),
    ...(ratioNote ? { ratioNote } : {}),
  };
}

export const roundAll = (stats: Record<string, number>) =>
  Object.fromEntries(Object.entries(stats).map(([k, v]) => [k, round(v)]));
