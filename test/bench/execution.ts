import type { Contact, FlowDocumentInput, MessageContent, Plan } from '@sopflow/core';
import {
  type ContactFlowInput,
  ContactIdKey,
  contactFlow,
  contactFlowWorkflowId,
  FlowIdKey,
  FlowVersionKey,
  NodeKey,
} from '@sopflow/workflows';
import { type BenchContext, type BenchResult, ratioRow, round } from './support/report';
import {
  type BenchChild,
  type BenchStack,
  chainFlow,
  contactId,
  insertContacts,
  pool,
  publish,
  spawnChild,
  stamp,
  type WorkerSettings,
  waitForCount,
} from './support/stack';
import type { BenchBaselineInput } from './workflows/bench-baseline';

/**
 * 2. Execution: send → wait 1 s → branch → send, for N contacts to completion, as a published
 * flow run by `contactFlow` (the interpreter shell) and as the same steps written by hand
 * (`benchBaseline`), both with the same `deliver` activity on the same worker process, started
 * with the same options. The clock runs from the first start to the last completion.
 */

export const MESSAGES: Record<'greet' | 'vip' | 'other', MessageContent> = {
  greet: { text: '欢迎 {{ contact.name }} 加入！' },
  vip: { text: '{{ contact.name }}，作为 VIP，您的专属客服已就位。' },
  other: { text: '{{ contact.name }}，来做个自我介绍吧！' },
};

/** The flow under test; `wait` is the pause between the sends (PT1S here, P1D for worker memory). */
export function executionFlow(id: string, wait: string): FlowDocumentInput {
  return chainFlow(
    id,
    [
      { id: 'in', type: 'trigger', trigger: { kind: 'manual' } },
      { id: 'greet', type: 'send', channel: 'wechat', message: MESSAGES.greet },
      { id: 'pause', type: 'wait', duration: wait },
      {
        id: 'is-vip',
        type: 'branch',
        branches: [{ id: 'vip', when: { field: 'contact.attributes.tier', op: 'eq', value: 'vip' } }],
      },
      { id: 'vip-perk', type: 'send', channel: 'wechat', message: MESSAGES.vip },
      { id: 'done', type: 'exit' },
      { id: 'intro', type: 'send', channel: 'wechat', message: MESSAGES.other },
      { id: 'done2', type: 'exit' },
    ],
    [
      ['is-vip', 'vip', 'vip-perk'],
      ['is-vip', 'else', 'intro'],
    ],
  );
}

export function benchContact(id: string, i: number): Contact {
  return {
    id,
    name: `Bench ${i}`,
    addresses: { wecomUserId: `wx-${i}` },
    attributes: { tier: i % 2 === 0 ? 'vip' : 'member' },
    tags: [],
    points: 0,
    unsubscribed: [],
  };
}

export type Variant = 'flow' | 'baseline';

/**
 * Starts `count` contacts of one variant (ids `<prefix>-…`, tagged with `runTag` as their
 * SopflowFlowId search attribute so they can be counted) with the same start options for both.
 */
export async function startContacts(
  client: BenchStack['client'],
  options: {
    variant: Variant;
    plan: Plan;
    taskQueue: string;
    prefix: string;
    runTag: string;
    count: number;
    concurrency: number;
    waitMs: number;
    greetFirst?: boolean;
  },
): Promise<void> {
  const { plan } = options;
  await pool(options.count, options.concurrency, async (i) => {
    const contact = benchContact(contactId(options.prefix, i), i);
    const common = {
      taskQueue: options.taskQueue,
      typedSearchAttributes: [
        { key: FlowIdKey, value: options.runTag },
        { key: FlowVersionKey, value: plan.version },
        { key: ContactIdKey, value: contact.id },
        { key: NodeKey, value: plan.entry },
      ],
      memo: { flowName: plan.flowName, flowVersion: plan.version },
      staticSummary: `${plan.flowName} v${plan.version} for ${contact.name}`,
    };
    if (options.variant === 'flow') {
      const input: ContactFlowInput = { plan, contact, event: {} };
      await client.workflow.start(contactFlow, {
        ...common,
        workflowId: contactFlowWorkflowId(plan.flowId, contact.id),
        args: [input],
      });
    } else {
      const input: BenchBaselineInput = {
        flowId: plan.flowId,
        flowName: plan.flowName,
        contact,
        channel: 'wechat',
        waitMs: options.waitMs,
        ...(options.greetFirst === false ? { greetFirst: false } : {}),
        vipTier: 'vip',
        messages: MESSAGES,
      };
      await client.workflow.start('benchBaseline', {
        ...common,
        workflowId: `baseline:${plan.flowId}:${contact.id}`,
        args: [input],
      });
    }
  });
}

export interface RunFigures {
  ms: number;
  startMs: number;
  perSecond: number;
  workerCpuMsPerContact: number;
  temporalCpuMsPerContact: number;
  postgresCpuMsPerContact: number;
  historyEvents: number;
  /** ms from the first start until 10/50/90 % of the contacts had completed. */
  completedBy: Record<string, number>;
}

const QUANTILES: [string, number][] = [
  ['10%', 0.1],
  ['50%', 0.5],
  ['90%', 0.9],
];

/** One timed run of a variant: first start → last completion, with CPU per contact by process. */
export async function timedRun(
  stack: BenchStack,
  worker: BenchChild,
  options: Parameters<typeof startContacts>[1],
): Promise<RunFigures> {
  const cpu0 = { worker: worker.cpuMs(), ...stack.serverCpuMs() };
  const t0 = performance.now();
  await startContacts(stack.client, options);
  const startMs = performance.now() - t0;
  const reached: Record<string, number> = {};
  await waitForCount(
    stack.client,
    `${FlowIdKey.name} = '${options.runTag}' AND ExecutionStatus = 'Completed'`,
    options.count,
    {
      intervalMs: 200,
      alive: worker,
      onCount: (count) => {
        const at = performance.now() - t0;
        for (const [p, target] of QUANTILES)
          if (count >= target * options.count && reached[p] === undefined) reached[p] = round(at);
        if (process.env.BENCH_TRACE) console.log(`    ${round(at / 1000, 1)} s: ${count}`);
      },
    },
  );
  const ms = performance.now() - t0;
  const cpu1 = { worker: worker.cpuMs(), ...stack.serverCpuMs() };
  const failed = await stack.client.workflow.count(
    `${FlowIdKey.name} = '${options.runTag}' AND ExecutionStatus != 'Completed'`,
  );
  if (failed.count > 0) throw new Error(`${failed.count} ${options.variant} runs did not complete`);
  const sampleId =
    options.variant === 'flow'
      ? contactFlowWorkflowId(options.plan.flowId, contactId(options.prefix, 0))
      : `baseline:${options.plan.flowId}:${contactId(options.prefix, 0)}`;
  const history = await stack.client.workflow.getHandle(sampleId).fetchHistory();
  const per = (a: number, b: number) => round((b - a) / options.count, 3);
  return {
    ms: round(ms),
    startMs: round(startMs),
    perSecond: round((options.count / ms) * 1000),
    workerCpuMsPerContact: per(cpu0.worker, cpu1.worker),
    temporalCpuMsPerContact: per(cpu0.temporal, cpu1.temporal),
    postgresCpuMsPerContact: per(cpu0.postgres, cpu1.postgres),
    historyEvents: history.events?.length ?? 0,
    completedBy: reached,
  };
}

/** Sums rounds of one variant: total time, rate over all of them, CPU per contact weighted. */
function combine(rounds: RunFigures[], counts: number[]): RunFigures {
  const total = counts.reduce((a, b) => a + b, 0);
  const weighted = (key: keyof RunFigures) =>
    round(rounds.reduce((sum, r, i) => sum + (r[key] as number) * counts[i]!, 0) / total, 3);
  const ms = rounds.reduce((sum, r) => sum + r.ms, 0);
  return {
    ms: round(ms),
    startMs: round(rounds.reduce((sum, r) => sum + r.startMs, 0)),
    perSecond: round((total / ms) * 1000),
    workerCpuMsPerContact: weighted('workerCpuMsPerContact'),
    temporalCpuMsPerContact: weighted('temporalCpuMsPerContact'),
    postgresCpuMsPerContact: weighted('postgresCpuMsPerContact'),
    historyEvents: rounds[0]!.historyEvents,
    completedBy: {},
  };
}

/**
 * Both variants on one worker process: a warm-up of each, then N contacts of each in two halves,
 * in the order baseline, flow, flow, baseline, so a drift in the machine's load falls on both.
 */
export async function compareVariants(
  { stack, args, log }: BenchContext,
  settings: { kind: 'worker' | 'custom-worker'; worker?: WorkerSettings; label: string },
): Promise<{ flow: RunFigures; baseline: RunFigures; rounds: unknown[]; workerOptions: unknown }> {
  const n = args.execN;
  const run = stamp();
  const db = await stack.database(`exec_${run}_${settings.label.replace(/\W/g, '_')}`.slice(0, 60));
  const taskQueue = `bench-exec-${run}-${settings.label}`;
  const plan = await publish(db.store, executionFlow('bench-exec', 'PT1S'));
  const worker = await spawnChild(
    settings.kind,
    { DATABASE_URL: db.url, TEMPORAL_ADDRESS: stack.temporalAddress, TEMPORAL_TASK_QUEUE: taskQueue },
    settings.worker,
  );
  try {
    const halves = [Math.ceil(n / 2), Math.floor(n / 2)];
    const order: [Variant, number][] = [
      ['baseline', 0],
      ['flow', 0],
      ['flow', 1],
      ['baseline', 1],
    ];
    const prefixes = ['warm-f', 'warm-b', 'f0', 'f1', 'b0', 'b1'];
    for (const prefix of prefixes) await insertContacts(db.sql, prefix, prefix.startsWith('warm') ? 100 : n);
    const common = { plan, taskQueue, concurrency: args.execConcurrency, waitMs: 1000 };
    log(`  [${settings.label}] warm-up: 100 contacts of each variant`);
    await timedRun(stack, worker, {
      ...common,
      variant: 'baseline',
      prefix: 'warm-b',
      runTag: `${run}-wb`,
      count: 100,
    });
    await timedRun(stack, worker, {
      ...common,
      variant: 'flow',
      prefix: 'warm-f',
      runTag: `${run}-wf`,
      count: 100,
    });
    const results: Record<Variant, RunFigures[]> = { flow: [], baseline: [] };
    const rounds: unknown[] = [];
    for (const [variant, half] of order) {
      const count = halves[half]!;
      log(`  [${settings.label}] ${variant}: ${count} contacts`);
      const figures = await timedRun(stack, worker, {
        ...common,
        variant,
        prefix: `${variant[0]}${half}`,
        runTag: `${run}-${variant}-${half}`,
        count,
      });
      results[variant].push(figures);
      rounds.push({ variant, count, ...figures });
    }
    const [{ count }] = (await db.sql`
      select count(*)::int as count from outbox where contact_id not like 'warm-%'`) as unknown as [
      { count: number },
    ];
    if (count !== 4 * n) throw new Error(`expected ${4 * n} messages in the outbox, found ${count}`);
    return {
      flow: combine(results.flow, halves),
      baseline: combine(results.baseline, halves),
      rounds,
      workerOptions: worker.ready.workerOptions,
    };
  } finally {
    await worker.stop();
  }
}

export async function execution(ctx: BenchContext): Promise<BenchResult> {
  const { flow, baseline, rounds, workerOptions } = await compareVariants(ctx, {
    kind: 'worker',
    label: 'default',
  });
  const n = ctx.args.execN;
  const alone = await bundledAlone(ctx);
  return {
    name: 'execution',
    title: `Execution: send → wait 1 s → branch → send, ${n} contacts`,
    rows: [
      ratioRow(
        'flow (contactFlow) to completion',
        flow.ms / 1000,
        's',
        'hand-written workflow',
        baseline.ms / 1000,
      ),
      ratioRow(
        'worker CPU per contact',
        flow.workerCpuMsPerContact,
        'ms',
        'hand-written',
        baseline.workerCpuMsPerContact,
      ),
      ratioRow(
        'history events per contact',
        flow.historyEvents,
        'events',
        'hand-written',
        baseline.historyEvents,
      ),
      ratioRow(
        'hand-written, bundled alone: worker CPU per contact',
        alone.workerCpuMsPerContact,
        'ms',
        'hand-written in the product bundle',
        baseline.workerCpuMsPerContact,
      ),
    ],
    details: { n, concurrency: ctx.args.execConcurrency, flow, baseline, rounds, workerOptions, alone },
    notes: [
      `Production worker (startApp, default settings) in its own process; every message checked in the outbox (${4 * n}). Times include the 1 s wait; N is run in halves, baseline-flow-flow-baseline. "Bundled alone": the hand-written workflow on a worker whose bundle holds only it (no @sopflow/core modules), ${round(alone.ms / 1000, 1)} s for N.`,
    ],
  };
}

/**
 * The hand-written workflow on a worker built like startWorker's but bundling only
 * test/bench/workflows/bench-baseline.ts: what the product bundle's modules (evaluated for every new
 * run) cost each contact.
 */
async function bundledAlone({ stack, args, log }: BenchContext): Promise<RunFigures> {
  const n = args.execN;
  const run = stamp();
  const db = await stack.database(`exec_${run}_alone`);
  const taskQueue = `bench-exec-${run}-alone`;
  const plan = await publish(db.store, executionFlow('bench-exec', 'PT1S'));
  const worker = await spawnChild(
    'custom-worker',
    { DATABASE_URL: db.url, TEMPORAL_ADDRESS: stack.temporalAddress, TEMPORAL_TASK_QUEUE: taskQueue },
    { workflowsPath: new URL('./workflows/bench-baseline.ts', import.meta.url).pathname },
  );
  try {
    await insertContacts(db.sql, 'warm-b', 100);
    await insertContacts(db.sql, 'a0', n);
    const common = {
      plan,
      taskQueue,
      concurrency: args.execConcurrency,
      waitMs: 1000,
      variant: 'baseline' as const,
    };
    log('  [bundled alone] warm-up: 100 contacts');
    await timedRun(stack, worker, { ...common, prefix: 'warm-b', runTag: `${run}-ab`, count: 100 });
    log(`  [bundled alone] hand-written: ${n} contacts`);
    return await timedRun(stack, worker, { ...common, prefix: 'a0', runTag: `${run}-a`, count: n });
  } finally {
    await worker.stop();
  }
}
