import type { Sql } from 'postgres';

/** Aggregates over journeys, enrollments and deliveries, for a flow version's statistics. */
export class StatsRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * Per step: entries, departures by exit and suppressed sends by reason (held or skipped); per end step: outcomes; enrollments started; messages
   * by channel and status, and by step, channel and where each stands in its lifecycle. Ranges apply to when a step happened, a journey started or ended, or a
   * message was recorded.
   */
  async versionTotals(flowId: string, v: number, range: { from: Date; to: Date }) {
    const { sql } = this;
    const { from, to } = range;
    const [steps, ends, [enrolled], messages, lifecycles] = await Promise.all([
      sql<
        {
          node_id: string;
          kind: string;
          exit: string | null;
          reason: string | null;
          held: boolean;
          n: number;
          contacts: number;
        }[]
      >`
          select node_id, kind, exit, reason, until is not null as held, count(*)::int as n,
                 count(distinct contact_id)::int as contacts
          from journey_steps
          where flow_id = ${flowId} and flow_version = ${v} and at >= ${from} and at < ${to}
          group by node_id, kind, exit, reason, held`,
      sql<{ outcome_node: string; outcome: string; n: number }[]>`
          select outcome_node, outcome, count(*)::int as n from enrollments
          where flow_id = ${flowId} and coalesce(final_version, flow_version) = ${v}
            and finished_at >= ${from} and finished_at < ${to}
          group by outcome_node, outcome`,
      sql<{ n: number }[]>`
          select count(*)::int as n from enrollments
          where flow_id = ${flowId} and flow_version = ${v} and started_at >= ${from} and started_at < ${to}`,
      sql<{ channel: string; status: string; n: number }[]>`
          select channel, status, count(*)::int as n from deliveries
          where flow_id = ${flowId} and flow_version = ${v} and created_at >= ${from} and created_at < ${to}
          group by channel, status order by channel`,
      sql<{ node_id: string; channel: string; lifecycle: string; n: number }[]>`
          select node_id, channel, lifecycle, count(*)::int as n from deliveries
          where flow_id = ${flowId} and flow_version = ${v} and created_at >= ${from} and created_at < ${to}
          group by node_id, channel, lifecycle`,
    ]);
    return { steps, ends, enrolled: enrolled?.n ?? 0, messages, lifecycles };
  }
}
