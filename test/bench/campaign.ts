import { Contact } from '@sopflow/core';
import { Campaigns, type Database, TemporalGateway } from '@sopflow/server';
import {
  type CampaignProgress,
  type ContactFlowInput,
  ContactIdKey,
  contactFlow,
  contactFlowWorkflowId,
  FlowIdKey,
  FlowVersionKey,
  NodeKey,
} from '@sopflow/workflows';
import { type BenchContext, type BenchResult, ratioRow, round, roundAll } from './support/report';
import {
  type BenchStack,
  chainFlow,
  delay,
  insertContacts,
  pool,
  publish,
  settled,
  since,
  spawnChild,
  stamp,
} from './support/stack';

/**
 * 5. Campaign fan-out: N contacts inserted in bulk with SQL, then enrolled by the `campaign`
 * workflow (pages of `--campaign-page-size`, one enrollment after another, as the product
 * does) into a flow where they wait a day. Time from start to the campaign's result, and the
 * worker process's peak RSS. Baseline: the same number of one-at-a-time starts by a bare
 * Temporal client (trivial workflows, no worker), on a sample.
 */
export async function campaignFanOut({ stack, args, log }: BenchContext): Promise<BenchResult> {
  const n = args.campaignN;
  const db = await stack.database(`campaign_${stamp()}`);
  const taskQueue = `bench-campaign-${stamp()}`;
  const flowId = 'bench-campaign';
  const plan = await publish(
    db.store,
    chainFlow(flowId, [
      {
        id: 'in',
        type: 'trigger',
        trigger: {
          kind: 'audience',
          where: { field: 'contact.attributes.cohort', op: 'eq', value: 'spring' },
        },
      },
      { id: 'pause', type: 'wait', duration: 'P1D' },
      {
        id: 'hello',
        type: 'send',
        channel: 'wechat',
        message: { text: '{{ contact.name }}，春季活动开始了' },
      },
      { id: 'out', type: 'exit' },
    ]),
  );
  let t = performance.now();
  await insertContacts(db.sql, 'camp', n, { cohort: 'spring' });
  const insertMs = since(t);
  log(`  inserted ${n} contacts in ${round(insertMs / 1000, 1)} s`);

  const worker = await spawnChild('worker', {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
  });
  try {
    await settled(worker);
    const idle = worker.memory();
    const rssSamples: number[] = [];
    const sampler = setInterval(() => rssSamples.push(worker.memory().rssKb), 1000);
    const cpu = () => ({ worker: worker.cpuMs(), bench: process.cpuUsage(), ...stack.serverCpuMs() });
    const cpuPer = (before: ReturnType<typeof cpu>, count: number) => {
      const after = cpu();
      const bench = process.cpuUsage(before.bench);
      return roundAll({
        worker: (after.worker - before.worker) / count,
        bench: (bench.user + bench.system) / 1000 / count,
        temporal: (after.temporal - before.temporal) / count,
        postgres: (after.postgres - before.postgres) / count,
      });
    };
    let cpu0 = cpu();
    log(`  campaign: ${n} contacts, pages of ${args.campaignPageSize}`);
    t = performance.now();
    const { campaignId } = await new Campaigns(new TemporalGateway(stack.client, taskQueue), db.store).start(
      { flowId, audience: { everyone: true }, pageSize: args.campaignPageSize },
      plan,
    );
    const handle = stack.client.workflow.getHandle(campaignId);
    while ((await handle.describe()).status.name !== 'COMPLETED') {
      worker.assertAlive();
      await delay(250);
    }
    const progress = (await handle.result()) as CampaignProgress;
    const campaignMs = since(t);
    clearInterval(sampler);
    const peak = worker.memory();
    if (progress.enrolled !== n) throw new Error(`the campaign enrolled ${progress.enrolled} of ${n}`);

    const campaignCpu = cpuPer(cpu0, n);

    // What batching would give: the same enrollments (same start options as Enroller) with the
    // flow read once per page, PROTOTYPE_CONCURRENCY starts in flight and one insert per page.
    await insertContacts(db.sql, 'proto', n, { cohort: 'summer' });
    log(`  prototype: batched enrollment of ${n} more contacts`);
    cpu0 = cpu();
    t = performance.now();
    await batchedEnrollment(stack, db.store, flowId, taskQueue, args.campaignPageSize);
    const prototypeMs = since(t);
    const prototypeCpu = cpuPer(cpu0, n);
    const [{ count: prototypeEnrolled }] = (await db.sql`
      select count(*)::int as count from enrollments where contact_id like 'proto-%'`) as unknown as [
      { count: number },
    ];
    if (prototypeEnrolled !== n) throw new Error(`the prototype enrolled ${prototypeEnrolled} of ${n}`);

    const sample = Math.min(n, 500);
    log(`  bare client: ${sample} starts one after another`);
    t = performance.now();
    for (let i = 0; i < sample; i++) {
      await stack.client.workflow.start('benchBaseline', {
        taskQueue: `${taskQueue}-bare`,
        workflowId: `bare-campaign:${i}`,
        args: [{ contactId: `c${i}` }],
      });
    }
    const bareRate = (sample / since(t)) * 1000;
    const rate = (n / campaignMs) * 1000;
    const mib = (kb: number) => round(kb / 1024, 1);
    return {
      name: 'campaign',
      title: `Campaign fan-out: ${n.toLocaleString('en-US')} contacts`,
      rows: [
        ratioRow('enrolled per second', rate, '/s', 'bare sequential starts/s', bareRate),
        {
          metric: 'time to enroll everyone',
          value: round(campaignMs / 1000, 1),
          unit: 's',
          baseline: { label: 'N at the bare sequential rate', value: round(n / bareRate, 1) },
          ratio: round(campaignMs / 1000 / (n / bareRate), 3),
        },
        ratioRow('worker peak RSS', mib(peak.peakKb), 'MiB', 'same worker idle', mib(idle.rssKb)),
        ratioRow(
          `prototype: flow read once a page, ${PROTOTYPE_CONCURRENCY} starts in flight`,
          (n / prototypeMs) * 1000,
          '/s',
          'campaign enrolled/s',
          rate,
        ),
      ],
      details: {
        n,
        pageSize: args.campaignPageSize,
        insertMs: round(insertMs),
        campaignMs: round(campaignMs),
        progress,
        workerRssMiB: { idle: mib(idle.rssKb), peak: mib(peak.peakKb), end: mib(peak.rssKb) },
        rssSamplesMiB: rssSamples.map(mib),
        bare: { sample, rate: round(bareRate) },
        cpuMsPerContact: { campaign: campaignCpu, prototype: prototypeCpu },
        prototype: {
          ms: round(prototypeMs),
          rate: round((n / prototypeMs) * 1000),
          concurrency: PROTOTYPE_CONCURRENCY,
        },
        workflowTasksOver5s: worker.slowTasks(),
        workerOptions: worker.ready.workerOptions,
      },
      notes: [
        `${n} contacts inserted with one SQL statement in ${round(insertMs / 1000, 1)} s; the enrolled runs (wait 1 day) execute on the same production worker during the campaign.`,
      ],
    };
  } finally {
    await worker.stop();
  }
}

const PROTOTYPE_CONCURRENCY = 32;

/** Enrolls contacts `proto-…` page by page: one flow read, concurrent starts, one insert a page. */
async function batchedEnrollment(
  stack: BenchStack,
  store: Database,
  flowId: string,
  taskQueue: string,
  pageSize: number,
) {
  const { sql } = store;
  const published = (await store.flows.getVersion(flowId))!;
  const { plan, version } = published;
  let after = '';
  for (;;) {
    const rows = await sql<
      { id: string; name: string; wecom_user_id: string; attributes: Record<string, unknown> }[]
    >`
      select c.id, c.name, a.value as wecom_user_id, c.attributes from contacts c
      left join contact_addresses a on a.contact_id = c.id and a.kind = 'wecomUserId'
      where c.id like 'proto-%' and c.id > ${after} order by c.id limit ${pageSize}`;
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.id;
    const started: {
      workflow_id: string;
      run_id: string;
      flow_id: string;
      flow_version: number;
      contact_id: string;
    }[] = [];
    await pool(rows.length, PROTOTYPE_CONCURRENCY, async (i) => {
      const row = rows[i]!;
      const contact = Contact.parse({
        id: row.id,
        name: row.name,
        addresses: { wecomUserId: row.wecom_user_id },
        attributes: row.attributes,
      });
      const workflowId = contactFlowWorkflowId(flowId, contact.id);
      const input: ContactFlowInput = { plan, contact, event: {} };
      const handle = await stack.client.workflow.start(contactFlow, {
        taskQueue,
        workflowId,
        args: [input],
        typedSearchAttributes: [
          { key: FlowIdKey, value: flowId },
          { key: FlowVersionKey, value: version },
          { key: ContactIdKey, value: contact.id },
          { key: NodeKey, value: plan.entry },
        ],
        memo: { flowName: plan.flowName, flowVersion: version },
        staticSummary: `${plan.flowName} v${version} for ${contact.name ?? contact.id}`,
      });
      started.push({
        workflow_id: workflowId,
        run_id: handle.firstExecutionRunId,
        flow_id: flowId,
        flow_version: version,
        contact_id: contact.id,
      });
    });
    await sql`insert into enrollments ${sql(started)}`;
  }
}
