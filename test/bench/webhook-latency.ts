import { localStack, signWebhook } from '@sopflow/server';
import { type BenchContext, type BenchResult, ratioRow, round, roundAll } from './support/report';
import { chainFlow, delay, pool, publish, spawnChild, stamp, summarize } from './support/stack';

/**
 * 4. Webhook latency at a fixed request rate: an open-loop generator on loopback (fetch, i.e.
 * undici) signs every request (a new contact each) and sends one every 1/`--latency-rate` s for
 * `--latency-seconds`; afterwards every 202 must have enrolled exactly one contact (one
 * enrollment row, one Temporal run). The baseline is a bare Temporal client starting trivial
 * workflows at the same rate for the same time; the two alternate in 5 s slices so both meet the
 * same background load. No worker polls either task queue, as in the enrollment benchmark.
 */
export async function webhookLatency({ stack, args, log }: BenchContext): Promise<BenchResult> {
  const { latencySeconds: seconds, latencyRate: rate } = args;
  const db = await stack.database(`latency_${stamp()}`);
  const flowId = 'bench-latency';
  const taskQueue = `bench-latency-${stamp()}`;
  await publish(
    db.store,
    chainFlow(flowId, [
      { id: 'in', type: 'trigger', trigger: { kind: 'webhook' } },
      { id: 'greet', type: 'send', channel: 'wechat', message: { text: '欢迎 {{ contact.name }}' } },
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
    const acceptedIds = new Set<string>();
    const statuses: Record<string, number> = {};
    const hook = async (id: string) => {
      const body = JSON.stringify({ contact: { id, name: id, wecomUserId: `wx-${id}` }, event: {} });
      const response = await fetch(`${api.ready.url}/api/hooks/${flowId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sopflow-signature': signWebhook(secret, body) },
        body,
      });
      const text = await response.text();
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      if (response.status !== 202) throw new Error(`answered ${response.status}`);
      const { workflowId } = JSON.parse(text) as { workflowId: string };
      acceptedIds.add(workflowId.slice(`sopflow:${flowId}:`.length));
    };
    let bareSeq = 0;
    const bareStart = () =>
      stack.client.workflow.start('benchBaseline', {
        taskQueue: `${taskQueue}-bare`,
        workflowId: `bare-latency:${bareSeq++}`,
        args: [{ contactId: `c${bareSeq}` }],
      });
    log('  warm-up: 200 webhook deliveries and 200 bare starts');
    await pool(200, 8, (i) => hook(`warm-${i}`));
    await pool(200, 8, () => bareStart().then(() => undefined));
    acceptedIds.clear();
    for (const key of Object.keys(statuses)) delete statuses[key];

    // Alternating slices, webhook then bare client, so both see the same background load.
    const slices = Math.max(1, Math.round(seconds / SLICE_SECONDS));
    const sliceSeconds = seconds / slices;
    log(`  ${rate}/s for ${seconds} s each, in ${slices} alternating slices of ${round(sliceSeconds, 1)} s`);
    const webhook = { latencies: [] as number[], errors: 0, sent: 0 };
    const bare = { latencies: [] as number[], errors: 0, sent: 0 };
    let next = 0;
    for (let slice = 0; slice < slices; slice++) {
      await fixedRate(rate, sliceSeconds, () => hook(`lat-${next++}`), webhook);
      await fixedRate(rate, sliceSeconds, bareStart, bare);
    }
    const accepted = acceptedIds.size;

    // Every 202 enrolled exactly one contact: one enrollment row and one Temporal run each.
    // Requests still in flight when autocannon stopped may have enrolled without an answer seen:
    // they are counted apart, as enrolled but unanswered.
    await delay(2000);
    const enrolled = (await db.sql`
      select contact_id, count(*)::int as n from enrollments
      where flow_id = ${flowId} and contact_id like 'lat-%' group by contact_id`) as unknown as {
      contact_id: string;
      n: number;
    }[];
    const enrollments = new Map(enrolled.map((r) => [r.contact_id, r.n]));
    const { count: runs } = await stack.client.workflow.count(
      `SopflowFlowId = '${flowId}' AND SopflowContactId STARTS_WITH 'lat-'`,
    );
    const once = [...acceptedIds].filter((id) => enrollments.get(id) === 1).length;
    const duplicated = enrolled.filter((r) => r.n > 1).length;
    const unanswered = enrolled.filter((r) => !acceptedIds.has(r.contact_id)).length;
    const exact = once === accepted && duplicated === 0 && runs === enrolled.length;
    const hookLatency = summarize(webhook.latencies);
    const bareLatency = summarize(bare.latencies);

    return {
      name: 'webhook-latency',
      title: `Webhook latency: ${rate} req/s for ${seconds} s`,
      rows: [
        ratioRow('p50', hookLatency.p50, 'ms', 'bare start p50', bareLatency.p50),
        ratioRow('p99', hookLatency.p99, 'ms', 'bare start p99', bareLatency.p99),
        ratioRow('max', hookLatency.max, 'ms', 'bare start max', bareLatency.max),
        {
          metric: `errors (of ${webhook.sent} sent)`,
          value: webhook.errors,
          unit: '',
          baseline: { label: 'bare start errors', value: bare.errors },
        },
        { metric: 'accepted (202) that enrolled exactly one contact', value: once, unit: `of ${accepted}` },
      ],
      details: {
        rate,
        seconds,
        slices,
        webhook: { sent: webhook.sent, errors: webhook.errors, statuses, latencyMs: roundAll(hookLatency) },
        bare: { sent: bare.sent, errors: bare.errors, latencyMs: roundAll(bareLatency) },
        check: {
          accepted,
          acceptedEnrolledOnce: once,
          contactsEnrolled: enrolled.length,
          duplicated,
          enrolledButUnanswered: unanswered,
          temporalRuns: runs,
          exact,
        },
      },
      notes: [
        `Open-loop load (a request every 1/${rate} s whatever the answers, fetch/undici on loopback, so no coordinated omission), after 200 warm-up deliveries; ${accepted} answered 202, each enrolled exactly once: ${exact ? 'yes' : 'NO'} (${enrolled.length} contacts enrolled, ${duplicated} twice, ${unanswered} enrolled without a 202 seen; ${runs} Temporal runs).`,
      ],
    };
  } finally {
    await api.stop();
  }
}

const SLICE_SECONDS = 5;

/** Calls `task` at a fixed rate for `seconds` (open loop: a slow answer does not delay the next). */
async function fixedRate(
  rate: number,
  seconds: number,
  task: () => Promise<unknown>,
  into: { latencies: number[]; errors: number; sent: number },
) {
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  const total = Math.round(rate * seconds);
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await delay(wait);
    // Latency from when the request was due, so a late send (a busy load generator) counts too.
    const started = Math.min(due, performance.now());
    into.sent++;
    pending.push(
      task().then(
        () => void into.latencies.push(performance.now() - started),
        () => void into.errors++,
      ),
    );
  }
  await Promise.all(pending);
}
