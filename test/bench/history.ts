import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FlowDocumentInput, Plan } from '@sopflow/core';
import { contactFlowWorkflowId } from '@sopflow/workflows';
import proto from '@temporalio/proto';

const { temporal } = proto;

import { benchContact, startContacts } from './execution';
import type { BenchContext, BenchResult, Row } from './support/report';
import { chainFlow, contactId, delay, publish, spawnChild, stamp } from './support/stack';

/**
 * 3. History cost: Temporal history events per executed node, by node type, read from real
 * histories. For each type, a flow with the node once and a flow with it three times in a row
 * (trigger → X… → exit) run for one contact each; the cost of one node is the difference of the
 * two histories' lengths divided by two, so the run's fixed events (start, first task,
 * completion) cancel out. The baseline is the fixed cost itself: trigger → exit.
 */

type Nodes = FlowDocumentInput['nodes'];
type NodeSpec = {
  type: string;
  /** What the node is (k copies get ids x1…xk). */
  make: (id: string) => Nodes[number];
  /** The exits to connect to the next node (none: `next`). */
  exits?: string[];
  /** Signal an event when the run waits at each copy. */
  signal?: boolean;
  label?: string;
};

const COPIES = 3;

export async function historyCost({ stack, log }: BenchContext): Promise<BenchResult> {
  const db = await stack.database(`history_${stamp()}`);
  const taskQueue = `bench-history-${stamp()}`;
  const crm = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"level":"gold"}');
  });
  await new Promise<void>((resolve) => crm.listen(0, '127.0.0.1', resolve));
  const crmUrl = `http://127.0.0.1:${(crm.address() as AddressInfo).port}`;
  const worker = await spawnChild('worker', {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    SOPFLOW_HTTP_ALLOWED_HOSTS: '127.0.0.1',
  });

  const specs: NodeSpec[] = [
    {
      type: 'send',
      make: (id) => ({ id, type: 'send', channel: 'wechat', message: { text: 'Hi {{ contact.name }}' } }),
    },
    { type: 'wait', make: (id) => ({ id, type: 'wait', duration: 'PT1S' }) },
    {
      type: 'wait_for_event',
      label: 'wait_for_event (timeout)',
      make: (id) => ({ id, type: 'wait_for_event', event: 'message.received', timeout: 'PT1S' }),
      exits: ['event', 'timeout'],
    },
    {
      type: 'wait_for_event',
      label: 'wait_for_event (event)',
      make: (id) => ({ id, type: 'wait_for_event', event: 'message.received', timeout: 'PT1M' }),
      exits: ['event', 'timeout'],
      signal: true,
    },
    {
      type: 'branch',
      make: (id) => ({
        id,
        type: 'branch',
        branches: [{ id: 'vip', when: { field: 'contact.attributes.tier', op: 'eq', value: 'vip' } }],
      }),
      exits: ['vip', 'else'],
    },
    {
      type: 'split',
      make: (id) => ({
        id,
        type: 'split',
        arms: [
          { id: 'a', weight: 1 },
          { id: 'b', weight: 1 },
        ],
      }),
      exits: ['a', 'b'],
    },
    {
      type: 'update_contact',
      make: (id) => ({
        id,
        type: 'update_contact',
        update: { addTags: ['bench'], points: { add: 1, reason: 'bench' } },
      }),
    },
    {
      type: 'http_request',
      make: (id) => ({ id, type: 'http_request', method: 'GET', url: `${crmUrl}/crm/{{ contact.id }}` }),
    },
  ];

  let seq = 0;
  const runFlow = async (
    flowId: string,
    nodes: Nodes,
    extra: [string, string, string][],
    spec?: NodeSpec,
  ) => {
    const plan = await publish(db.store, chainFlow(flowId, nodes, extra));
    const prefix = `h${seq++}`;
    await db.store.contacts.upsert(benchContact(contactId(prefix, 0), 0));
    await startContacts(stack.client, {
      variant: 'flow',
      plan,
      taskQueue,
      prefix,
      runTag: flowId,
      count: 1,
      concurrency: 1,
      waitMs: 0,
    });
    const handle = stack.client.workflow.getHandle(contactFlowWorkflowId(plan.flowId, contactId(prefix, 0)));
    if (spec?.signal) await signalEach(handle, plan);
    await handle.result();
    const history = await handle.fetchHistory();
    const byType: Record<string, number> = {};
    for (const event of history.events ?? []) {
      const name = eventName(event.eventType);
      byType[name] = (byType[name] ?? 0) + 1;
    }
    return { total: history.events?.length ?? 0, byType };
  };

  try {
    const trigger = { id: 'in', type: 'trigger', trigger: { kind: 'manual' } } as const;
    const exit = { id: 'out', type: 'exit' } as const;
    log('  control: trigger → exit');
    const control = await runFlow('h-control', [trigger, exit], []);
    const perType: {
      label: string;
      type: string;
      eventsPerNode: number;
      byType: Record<string, number>;
      one: number;
      three: number;
    }[] = [];
    for (const spec of specs) {
      const label = spec.label ?? spec.type;
      log(`  ${label}`);
      const histories = [];
      for (const k of [1, COPIES]) {
        const ids = Array.from({ length: k }, (_, i) => `x${i + 1}`);
        const nodes = [trigger, ...ids.map((id) => spec.make(id)), exit];
        const extra: [string, string, string][] = spec.exits
          ? ids.flatMap((id, i) =>
              spec.exits!.map((exitName): [string, string, string] => [id, exitName, ids[i + 1] ?? 'out']),
            )
          : [];
        histories.push(await runFlow(`h-${label.replace(/\W+/g, '-')}-${k}`, nodes, extra, spec));
      }
      const [one, three] = histories as [typeof control, typeof control];
      const byType: Record<string, number> = {};
      for (const name of new Set([...Object.keys(one.byType), ...Object.keys(three.byType)])) {
        const diff = ((three.byType[name] ?? 0) - (one.byType[name] ?? 0)) / (COPIES - 1);
        if (diff !== 0) byType[name] = diff;
      }
      perType.push({
        label,
        type: spec.type,
        eventsPerNode: (three.total - one.total) / (COPIES - 1),
        byType,
        one: one.total,
        three: three.total,
      });
    }

    const rows: Row[] = perType.map((t) => ({
      metric: `${t.label}: events per node`,
      value: t.eventsPerNode,
      unit: 'events',
      baseline: { label: 'whole run of trigger → exit', value: control.total },
      ratio: Number((t.eventsPerNode / control.total).toFixed(3)),
    }));
    return {
      name: 'history',
      title: 'History cost per executed node',
      rows,
      details: { control, perType },
      notes: [
        `Per node = (history with the node 3× − with it once) / 2. Breakdown: ${perType
          .map(
            (t) =>
              `${t.label} = ${
                Object.entries(t.byType)
                  .map(([k, v]) => `${v} ${k}`)
                  .join(' + ') || 'nothing'
              }`,
          )
          .join('; ')}.`,
      ],
    };
  } finally {
    await worker.stop();
    crm.close();
  }
}

/** Sends `message.received` each time the run waits at the next wait_for_event copy. */
async function signalEach(
  handle: ReturnType<BenchContext['stack']['client']['workflow']['getHandle']>,
  plan: Plan,
) {
  const waits = Object.values(plan.nodes).filter((n) => n.type === 'wait_for_event').length;
  for (let i = 1; i <= waits; i++) {
    for (let tries = 0; ; tries++) {
      const state = (await handle.query('sopflow.state')) as { awaiting: { nodeId: string } | null };
      if (state.awaiting?.nodeId === `x${i}`) break;
      if (tries > 200) throw new Error(`the run never waited at x${i}`);
      await delay(50);
    }
    await handle.signal('sopflow.event', { name: 'message.received', payload: {} });
  }
}

function eventName(type: number | null | undefined): string {
  const name = temporal.api.enums.v1.EventType[type ?? 0] ?? String(type);
  return name
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase());
}
