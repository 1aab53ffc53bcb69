import type {
  ContactAtNode as ContactAtNodeAnswer,
  FlowStats,
  MessageCounts,
  MessageStatusCounts,
  NodeContactsQuery,
  NodeStats,
  StatsQuery,
  VersionSummary,
} from '@sopflow/core/api';
import type { Database } from '../persistence';
import { type RunFilter, runsQuery, type TemporalGateway } from '../temporal/gateway';

/** Up to this many running journeys, who waits where is tallied from one listing (see `waitingPerNode`). */
const TALLY_LIMIT = 1000;

export { NodeContactsQuery, StatsQuery } from '@sopflow/core/api';

/** A running journey standing in a step now, as Temporal's visibility sees it (the API adds its link). */
export type ContactAtNode = Omit<ContactAtNodeAnswer, 'temporalUrl'>;

export type { NodeStats, VersionSummary } from '@sopflow/core/api';

/** A step's suppressed sends, skipped or held, counted by reason. */
function suppressedByReason(
  steps: { kind: string; reason: string | null; held: boolean; n: number }[],
  held: boolean,
): Record<string, number> {
  return Object.fromEntries(
    steps.filter((s) => s.kind === 'suppressed' && s.held === held).map((s) => [s.reason ?? '', s.n]),
  );
}

/** Messages by where each stands in its lifecycle, summed over the rows given. */
function lifecycleCounts(rows: { lifecycle: string; n: number }[]): MessageStatusCounts {
  const counts: Record<string, number> = {};
  for (const r of rows) counts[r.lifecycle] = (counts[r.lifecycle] ?? 0) + r.n;
  return counts as MessageStatusCounts;
}

/**
 * Statistics of a flow version, derived rather than counted by the workflow (which would cost
 * history events): entries, exits and ends come from the journey records each run hands over
 * (at its end, before continuing as new, and every few hundred steps), so they are exact for
 * finished journeys and for the recorded part of long ones, and so are sends suppressed at each step; who waits where *now* comes from
 * Temporal's visibility (`SopflowNode` of running runs, counted per node); enrollments and
 * messages from their own tables. Ranges apply to when a step happened, a journey started or
 * ended, or a message was recorded.
 */
export class Stats {
  constructor(
    private readonly store: Database,
    private readonly temporal: TemporalGateway,
    private readonly listUrl: (query: string) => string,
  ) {}

  /** The published versions of a flow, newest first. */
  async versions(flowId: string): Promise<VersionSummary[]> {
    const versions = await this.store.flows.versions(flowId);
    return versions.map((r) => ({
      version: r.version,
      note: r.note,
      publishedAt: r.publishedAt.toISOString(),
    }));
  }

  /**
   * The contacts whose running journey of a version stands in `nodeId` now, from the same
   * visibility query that counts them (`waitingNow`), so the list and the count agree. Undefined
   * when the version does not exist; `node_not_found` when the version has no such step.
   */
  async contactsAt(
    flowId: string,
    nodeId: string,
    query: NodeContactsQuery,
  ): Promise<
    | { found: false; reason: 'version_not_found' | 'node_not_found' }
    | { found: true; version: number; total: number; contacts: ContactAtNode[]; temporalUrl: string }
  > {
    const record = await this.store.flows.getVersion(flowId, query.version);
    if (!record) return { found: false, reason: 'version_not_found' };
    if (!Object.hasOwn(record.plan.nodes, nodeId)) return { found: false, reason: 'node_not_found' };
    const waitingThere: RunFilter = { flowId, version: record.version, node: nodeId, running: true };
    const total = await this.temporal.countRuns(waitingThere);
    const runs: Omit<ContactAtNode, 'name'>[] = [];
    for await (const run of this.temporal.runs(waitingThere, query.limit)) {
      runs.push({
        contactId: run.contactId ?? '',
        workflowId: run.workflowId,
        runId: run.runId,
        startedAt: run.startedAt.toISOString(),
      });
      if (runs.length >= query.limit) break;
    }
    const ids = runs.map((r) => r.contactId).filter(Boolean);
    const names = await this.store.contacts.names(ids);
    return {
      found: true,
      version: record.version,
      total,
      contacts: runs.map((r) => ({ ...r, name: names.get(r.contactId) ?? null })),
      temporalUrl: this.listUrl(runsQuery(waitingThere)),
    };
  }

  /**
   * How many running journeys of a version stand in each step. The builder asks every few
   * seconds, and a count per step would be hundreds of visibility requests for a large flow: while
   * few enough run, one listing tallied by `SopflowNode` answers them all; past that, a count per
   * step costs less than listing every run.
   */
  private async waitingPerNode(
    version: RunFilter,
    nodeIds: string[],
  ): Promise<{ running: number; waiting: number[] }> {
    const running = await this.temporal.countRuns({ ...version, running: true });
    if (running > TALLY_LIMIT) {
      const waiting = await Promise.all(
        nodeIds.map((node) => this.temporal.countRuns({ ...version, node, running: true })),
      );
      return { running, waiting };
    }
    const tally = new Map<string, number>();
    for await (const run of this.temporal.runs({ ...version, running: true }, TALLY_LIMIT)) {
      if (run.node !== undefined) tally.set(run.node, (tally.get(run.node) ?? 0) + 1);
    }
    return { running, waiting: nodeIds.map((id) => tally.get(id) ?? 0) };
  }

  async flow(flowId: string, query: StatsQuery): Promise<FlowStats | undefined> {
    const record = await this.store.flows.getVersion(flowId, query.version);
    if (!record) return undefined;
    const v = record.version;
    const from = query.from ? new Date(query.from) : new Date(0);
    const to = query.to ? new Date(query.to) : new Date('9999-01-01T00:00:00Z');
    const version: RunFilter = { flowId, version: v };

    const { steps, ends, enrolled, messages, lifecycles } = await this.store.stats.versionTotals(flowId, v, {
      from,
      to,
    });

    const nodeIds = Object.keys(record.plan.nodes);
    let waiting: (number | null)[];
    let running: number | null;
    try {
      ({ running, waiting } = await this.waitingPerNode(version, nodeIds));
    } catch {
      running = null;
      waiting = nodeIds.map(() => null);
    }

    const nodes: NodeStats[] = nodeIds.map((nodeId, i) => {
      const node = record.plan.nodes[nodeId]!;
      const mine = steps.filter((s) => s.node_id === nodeId);
      const entered = mine.find((s) => s.kind === 'enter');
      const endedHere = ends.filter((e) => e.outcome_node === nodeId);
      return {
        nodeId,
        type: node.type,
        ...(node.label ? { label: node.label } : {}),
        entered: entered?.n ?? 0,
        contacts: entered?.contacts ?? 0,
        left: Object.fromEntries(mine.filter((s) => s.kind === 'leave').map((s) => [s.exit ?? '', s.n])),
        suppressed: suppressedByReason(mine, false),
        held: suppressedByReason(mine, true),
        ended: endedHere.reduce((sum, e) => sum + e.n, 0),
        converted: endedHere.filter((e) => e.outcome === 'converted').reduce((sum, e) => sum + e.n, 0),
        messages: lifecycleCounts(lifecycles.filter((m) => m.node_id === nodeId)),
        waitingNow: waiting[i] ?? null,
        temporalUrl: this.listUrl(runsQuery({ ...version, node: nodeId, running: true })),
      };
    });

    const finished: Record<string, number> = { exited: 0, converted: 0, failed: 0, cancelled: 0 };
    for (const e of ends) finished[e.outcome] = (finished[e.outcome] ?? 0) + e.n;
    const channels = new Map<string, Omit<MessageCounts, 'channel' | 'statuses'>>();
    for (const m of messages) {
      const counts = channels.get(m.channel) ?? { sent: 0, failed: 0, unconfirmed: 0, pending: 0 };
      // Deliveries are pending, sending, sent, failed or unconfirmed (a check in the schema).
      const key = (m.status === 'sending' ? 'pending' : m.status) as keyof typeof counts;
      counts[key] = (counts[key] ?? 0) + m.n;
      channels.set(m.channel, counts);
    }
    return {
      flowId,
      version: v,
      from: query.from ?? null,
      to: query.to ?? null,
      enrolled,
      running,
      finished,
      converted: finished.converted ?? 0,
      nodes,
      messages: [...channels].map(([channel, counts]) => ({
        channel,
        ...counts,
        statuses: lifecycleCounts(lifecycles.filter((m) => m.channel === channel)),
      })),
      temporalUrl: this.listUrl(runsQuery(version)),
      runningUrl: this.listUrl(runsQuery({ flowId, running: true })),
    };
  }
}
