import { localStack, signWebhook } from '@sopflow/server';
import { type BenchContext, type BenchResult, ratioRow, round, roundAll } from './support/report';
import { chainFlow, pool, publish, since, spawnChild, stamp, summarize } from './support/stack';

/**
 * 1. Enrollment throughput: contacts enrolled per second through the signed webhook (each 202
 * means Temporal durably recorded the start) against a bare Temporal client starting as many
 * trivial workflows as fast as it can, at the same concurrency, on the same server. No worker
 * polls either task queue, so both measure the start path alone.
 */
export async function enrollment({ stack, args, log }: BenchContext): Promise<BenchResult> {
  const n = args.enrollN;
  const concurrency = args.enrollConcurrency;
  const db = await stack.database(`enroll_${stamp()}`);
  const flowId = 'bench-enroll';
  const taskQueue = `bench-enroll-${stamp()}`;
  await publish(
    db.store,
    chainFlow(flowId, [
      {
        id: 'in',
        type: 'trigger',
        trigger: { kind: 'webhook', payload: [{ name: 'group', type: 'string', required: true }] },
      },
      {
        id: 'greet',
        type: 'send',
        channel: 'wechat',
        message: { text: '欢迎 {{ contact.name }} 加入 {{ event.group }}' },
      },
      { id: 'out', type: 'exit' },
    ]),
  );
  const secret = (await db.store.flows.get(flowId))!.webhookSecret;
  const api = await spawnChild('api', {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    SOPFLOW_PORT: String(await localStack.findFreePort()),
  });
  try {
    const url = `${api.ready.url}/api/hooks/${flowId}`;
    const hook = async (id: string) => {
      const body = JSON.stringify({
        contact: { id, name: `Bench ${id}`, wecomUserId: `wx-${id}` },
        event: { group: '读书会' },
      });
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sopflow-signature': signWebhook(secret, body) },
        body,
      });
      await response.arrayBuffer();
      return response.status;
    };
    const bare = (id: string) =>
      stack.client.workflow.start('benchBaseline', {
        taskQueue: `${taskQueue}-bare`,
        workflowId: `bare:${id}`,
        args: [{ contactId: id }],
      });

    log(`  warm-up: 200 webhook deliveries and 200 bare starts`);
    await pool(200, concurrency, async (i) => void (await hook(`warm-${i}`)));
    await pool(200, concurrency, async (i) => void (await bare(`warm-${i}`)));

    /** CPU ms per enrollment by process, over one measured phase. */
    const cpu = () => ({ api: api.cpuMs(), bench: process.cpuUsage(), ...stack.serverCpuMs() });
    const cpuPer = (before: ReturnType<typeof cpu>, count: number) => {
      const after = cpu();
      const bench = process.cpuUsage(before.bench);
      return roundAll({
        api: (after.api - before.api) / count,
        bench: (bench.user + bench.system) / 1000 / count,
        temporal: (after.temporal - before.temporal) / count,
        postgres: (after.postgres - before.postgres) / count,
      });
    };

    log(`  bare client: ${n} workflow starts at concurrency ${concurrency}`);
    const bareLatency: number[] = [];
    let cpu0 = cpu();
    let t0 = performance.now();
    await pool(n, concurrency, async (i) => {
      const t = performance.now();
      await bare(`c-${i}`);
      bareLatency.push(since(t));
    });
    const bareMs = since(t0);
    const bareCpu = cpuPer(cpu0, n);

    log(`  webhook: ${n} signed deliveries at concurrency ${concurrency}`);
    const hookLatency: number[] = [];
    const statuses = new Map<number, number>();
    cpu0 = cpu();
    t0 = performance.now();
    await pool(n, concurrency, async (i) => {
      const t = performance.now();
      const status = await hook(`c-${i}`);
      hookLatency.push(since(t));
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    });
    const hookMs = since(t0);
    const hookCpu = cpuPer(cpu0, n);
    const accepted = statuses.get(202) ?? 0;
    const [{ count }] = (await db.sql`
      select count(*)::int as count from enrollments where flow_id = ${flowId} and contact_id like 'c-%'`) as unknown as [
      { count: number },
    ];

    const hookRate = (accepted / hookMs) * 1000;
    const bareRate = (n / bareMs) * 1000;
    return {
      name: 'enrollment',
      title: `Enrollment: ${n} contacts, concurrency ${concurrency}`,
      rows: [
        ratioRow('webhook enrollments/s (202)', hookRate, '/s', 'bare client starts/s', bareRate),
        ratioRow(
          'Temporal server CPU per enrollment',
          hookCpu.temporal!,
          'ms',
          'per bare start',
          bareCpu.temporal!,
        ),
        ratioRow(
          'webhook p50 latency under saturation',
          summarize(hookLatency).p50,
          'ms',
          'bare start p50',
          summarize(bareLatency).p50,
        ),
      ],
      details: {
        n,
        concurrency,
        webhook: {
          ms: round(hookMs),
          rate: round(hookRate),
          statuses: Object.fromEntries(statuses),
          enrollmentsRecorded: count,
          latencyMs: roundAll(summarize(hookLatency)),
          cpuMsPerEnrollment: hookCpu,
        },
        bare: {
          ms: round(bareMs),
          rate: round(bareRate),
          latencyMs: roundAll(summarize(bareLatency)),
          cpuMsPerStart: bareCpu,
        },
      },
      notes: [
        `API in its own process (startApp without worker); load from the bench process with fetch; no worker polls, so only starts are measured. ${accepted}/${n} answered 202, ${count} enrollments recorded.`,
      ],
    };
  } finally {
    await api.stop();
  }
}
