import { FlowIdKey, NodeKey } from '@sopflow/workflows';
import { executionFlow, startContacts, type Variant } from './execution';
import { type BenchContext, type BenchResult, type Row, ratioRow, round } from './support/report';
import {
  type BenchStack,
  ChildExitedError,
  publish,
  settled,
  spawnChild,
  stamp,
  TimedOutError,
  waitForCount,
} from './support/stack';

/**
 * 7. Worker memory with N contacts waiting: wait 1 day → branch → send, N contacts started, RSS of
 * the worker process once every one of them waits on its timer and the worker is idle. The
 * production worker with its default settings (so the sticky cache holds at most
 * maxCachedWorkflows runs; the rest are evicted and replayed when their timers fire). Baseline:
 * the same steps written by hand (`benchBaseline`), in a fresh worker process with the same
 * settings.
 */
export async function workerMemory({ stack, args, log }: BenchContext): Promise<BenchResult> {
  const n = args.memoryN;
  const db = await stack.database(`memory_${stamp()}`);
  const document = executionFlow('bench-memory', 'P1D');
  // Wait first: the greeting is left out so the N runs cost a start and one workflow task each.
  document.nodes = document.nodes.filter((node) => node.id !== 'greet');
  document.edges = document.edges.filter((e) => e.source !== 'greet' && e.target !== 'greet');
  document.edges.push({ id: 'in-pause', source: 'in', target: 'pause' });
  const plan = await publish(db.store, document);

  const measure = async (variant: Variant, overrides?: Record<string, unknown>, workflowsPath?: string) => {
    const taskQueue = `bench-memory-${variant}-${stamp()}`;
    const custom = overrides !== undefined || workflowsPath !== undefined;
    const worker = await spawnChild(
      custom ? 'custom-worker' : 'worker',
      { DATABASE_URL: db.url, TEMPORAL_ADDRESS: stack.temporalAddress, TEMPORAL_TASK_QUEUE: taskQueue },
      { overrides, workflowsPath },
    );
    const sampler = setInterval(() => worker.memory(), 1000);
    const t = performance.now();
    const runTag = `memory-${variant}-${stamp()}`;
    const prefix = `m${variant[0]}${overrides ? 'x' : ''}${workflowsPath ? 's' : ''}`;
    const common = {
      maxCachedWorkflows: worker.ready.maxCachedWorkflows ?? 0,
      bundleMiB: round((worker.ready.bundleBytes ?? 0) / 2 ** 20, 2),
    };
    let idle = { rssKb: 0, peakKb: 0 };
    try {
      await settled(worker);
      idle = worker.memory();
      log(
        `  ${variant}${overrides ? ` ${JSON.stringify(overrides)}` : ''}${workflowsPath ? ' (bundled alone)' : ''}: ${n} contacts to their 1-day wait`,
      );
      await startContacts(stack.client, {
        variant,
        plan,
        taskQueue,
        prefix,
        runTag,
        count: n,
        concurrency: 50,
        waitMs: 24 * 3600_000,
        greetFirst: false,
      });
      const deadline = t + args.memoryTimeoutSeconds * 1000;
      if (variant === 'flow')
        await waitForCount(stack.client, `${FlowIdKey.name} = '${runTag}' AND ${NodeKey.name} = 'pause'`, n, {
          intervalMs: 1000,
          alive: worker,
          timeoutMs: deadline - performance.now(),
        });
      // Idle CPU alone can mislead (a timed-out workflow task waits for the server to hand it out
      // again): settle, then check a sample, until every sampled run waits on its timer.
      for (;;) {
        await settled(worker, { windowMs: 2000, timeoutMs: Math.max(0, deadline - performance.now()) });
        if (await allWaiting(stack, variant, prefix, plan.flowId, n)) break;
        if (performance.now() > deadline) throw new TimedOutError(`not all ${variant} runs wait`);
      }
      const after = worker.memory();
      const cached = Math.min(n, common.maxCachedWorkflows || n);
      return {
        ...common,
        status: 'waiting' as const,
        idleMiB: round(idle.rssKb / 1024, 1),
        waitingMiB: round(after.rssKb / 1024, 1),
        peakMiB: round(after.peakKb / 1024, 1),
        kibPerCachedRun: round((after.rssKb - idle.rssKb) / cached, 1),
        secondsToAllWaiting: round((performance.now() - t) / 1000, 1),
        workflowTasksOver5s: worker.slowTasks(),
      };
    } catch (error) {
      if (!(error instanceof ChildExitedError || error instanceof TimedOutError)) throw error;
      // The worker died or fell behind: what it held at its peak, and how many runs waited by then.
      const last = worker.memory();
      const waiting =
        variant === 'flow'
          ? (
              await stack.client.workflow.count(
                `${FlowIdKey.name} = '${runTag}' AND ${NodeKey.name} = 'pause'`,
              )
            ).count
          : undefined;
      const died = error instanceof ChildExitedError;
      log(
        `  ${variant}: ${died ? 'the worker died' : `gave up after ${args.memoryTimeoutSeconds} s`}: ${error.message}`,
      );
      return {
        ...common,
        status: died ? ('crashed' as const) : ('gave up' as const),
        reason: error.message,
        outOfMemory: died && error.exit.outOfMemory,
        rssMiB: round(last.rssKb / 1024, 1),
        idleMiB: round(idle.rssKb / 1024, 1),
        peakMiB: round(last.peakKb / 1024, 1),
        seconds: round((performance.now() - t) / 1000, 1),
        waitingAtTheEnd: waiting,
        workflowTasksOver5s: worker.slowTasks(),
      };
    } finally {
      clearInterval(sampler);
      await worker.stop();
    }
  };

  const baseline = await measure('baseline');
  const flow = await measure('flow');
  // With --worker-options '{…}': the flow again on a worker with those options (e.g. a smaller cache).
  const overrides = args.workerOptions
    ? (JSON.parse(args.workerOptions) as Record<string, unknown>)
    : undefined;
  const tuned = overrides && !Array.isArray(overrides) ? await measure('flow', overrides) : undefined;
  // With --memory-bundle-check: the hand-written workflow again, bundled alone (no engine modules),
  // to tell the memory a cached run costs for the modules the product's bundle evaluates per run.
  const alone = args.memoryBundleCheck
    ? await measure(
        'baseline',
        overrides ?? {},
        new URL('./workflows/bench-baseline.ts', import.meta.url).pathname,
      )
    : undefined;
  // Compared with the flow in the product bundle on a worker with the same options.
  const sameOptions = tuned ?? flow;
  type Measured = Awaited<ReturnType<typeof measure>>;
  const held = (m: Measured) => (m.status === 'waiting' ? m.waitingMiB : m.peakMiB);
  const label = (m: Measured, what: string) =>
    m.status === 'crashed'
      ? `${what}: CRASHED${m.outOfMemory ? ' (heap out of memory)' : ''}, peak before`
      : m.status === 'gave up'
        ? `${what}: not all waiting after ${args.memoryTimeoutSeconds} s, peak`
        : what;
  const rows: Row[] = [
    ratioRow(
      label(flow, `worker RSS with ${n.toLocaleString('en-US')} waiting`),
      held(flow),
      'MiB',
      label(baseline, 'hand-written workflow'),
      held(baseline),
    ),
  ];
  if (flow.status === 'waiting' && baseline.status === 'waiting')
    rows.push(
      ratioRow(
        'RSS growth per cached run',
        flow.kibPerCachedRun,
        'KiB',
        'hand-written',
        baseline.kibPerCachedRun,
      ),
    );
  if (tuned)
    rows.push(
      ratioRow(
        label(tuned, `worker RSS with ${n.toLocaleString('en-US')} waiting, ${JSON.stringify(overrides)}`),
        held(tuned),
        'MiB',
        label(flow, 'default settings'),
        held(flow),
      ),
    );
  if (alone?.status === 'waiting' && sameOptions.status === 'waiting')
    rows.push(
      ratioRow(
        'hand-written workflow bundled alone: RSS growth per cached run',
        alone.kibPerCachedRun,
        'KiB',
        'flow in the product bundle, same options',
        sameOptions.kibPerCachedRun,
      ),
    );
  const troubles = [flow, baseline, tuned, alone].filter(
    (m): m is Exclude<Measured, { status: 'waiting' }> => m !== undefined && m.status !== 'waiting',
  );
  return {
    name: 'worker-memory',
    title: `Worker memory: ${n.toLocaleString('en-US')} contacts waiting`,
    rows,
    details: {
      n,
      flow,
      baseline,
      ...(tuned ? { tuned: { overrides, ...tuned } } : {}),
      ...(alone ? { baselineBundledAlone: alone } : {}),
    },
    notes: [
      `Production worker, default settings: sticky cache maxCachedWorkflows = ${flow.maxCachedWorkflows} (the SDK's default for this heap); workflow bundle ${flow.bundleMiB} MiB, each run evaluates its modules anew.`,
      ...troubles.map(
        (m) =>
          `A worker ${m.status === 'crashed' ? 'died' : 'had not got every run to its wait'} after ${m.seconds} s (${m.reason}); peak RSS ${m.peakMiB} MiB${m.waitingAtTheEnd === undefined ? '' : `, ${m.waitingAtTheEnd} runs waiting by then`}.`,
      ),
    ],
  };
}

/** A sample of the runs: each waits on its timer with no workflow task pending. */
async function allWaiting(stack: BenchStack, variant: Variant, prefix: string, flowId: string, n: number) {
  for (let k = 0; k < 20; k++) {
    const i = Math.floor((k / 20) * n);
    const contact = `${prefix}-${String(i + 1).padStart(7, '0')}`;
    const id = variant === 'flow' ? `sopflow:${flowId}:${contact}` : `baseline:${flowId}:${contact}`;
    const description = await stack.client.workflow.getHandle(id).describe();
    if (description.status.name !== 'RUNNING' || description.raw.pendingWorkflowTask) return false;
  }
  return true;
}
