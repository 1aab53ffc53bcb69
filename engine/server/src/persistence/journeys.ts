import type { RecordJourneyInput } from '@sopflow/workflows';
import type { Sql } from 'postgres';
import { type IntegratorEventInput, IntegratorWebhookRepository } from './integrator-webhooks';

/** Journeys: the steps each run took, in batches, and how it ended. */
export class JourneyRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * Records a batch of a journey's steps, and how the journey ended with its last batch. The batch
   * number makes a retried activity a no-op: the steps and the batch row commit together.
   */
  async recordBatch(input: RecordJourneyInput): Promise<void> {
    await this.sql.begin(async (tx) => {
      const [fresh] = await tx`
        insert into journey_batches (workflow_id, run_id, batch)
        values (${input.workflowId}, ${input.runId}, ${input.batch})
        on conflict do nothing returning batch`;
      if (!fresh) return;
      if (input.steps.length > 0) {
        const rows = input.steps.map((s) => ({
          workflow_id: input.workflowId,
          run_id: input.runId,
          flow_id: input.flowId,
          flow_version: s.version,
          contact_id: input.contactId,
          node_id: s.nodeId,
          kind: s.suppressed ? 'suppressed' : s.exit === undefined ? 'enter' : 'leave',
          exit: s.exit ?? null,
          channel: s.suppressed?.channel ?? null,
          reason: s.suppressed?.reason ?? null,
          until: s.suppressed?.until === undefined ? null : new Date(s.suppressed.until),
          at: new Date(s.at),
        }));
        // Postgres takes at most 65,535 parameters per statement: 12 per row.
        for (let i = 0; i < rows.length; i += 5000)
          await tx`insert into journey_steps ${tx(rows.slice(i, i + 5000))}`;
      }
      const end = input.finished;
      if (end) {
        const { kind, ...detail } = end.outcome;
        // Upserted: a journey that ends at once can end before the enroller has recorded its start.
        const [row] = await tx<{ inserted: boolean }[]>`
          insert into enrollments (workflow_id, run_id, flow_id, flow_version, contact_id, finished_at, outcome,
                                   outcome_node, outcome_detail, final_version)
          values (${input.workflowId}, ${input.runId}, ${input.flowId}, ${end.version}, ${input.contactId},
                  ${new Date(end.at)}, ${kind}, ${end.nodeId}, ${tx.json(detail as never)}, ${end.version})
          on conflict (workflow_id, run_id) do update set finished_at = excluded.finished_at,
            outcome = excluded.outcome, outcome_node = excluded.outcome_node,
            outcome_detail = excluded.outcome_detail, final_version = excluded.final_version
          returning (xmax = 0) as inserted`;
        await IntegratorWebhookRepository.publish(tx, journeyEndEvents(input, row?.inserted ?? false));
      }
    });
  }
}

/** What integrators hear of a journey's end: that it entered (when its start was not recorded), and how it ended. */
function journeyEndEvents(input: RecordJourneyInput, startUnrecorded: boolean): IntegratorEventInput[] {
  const end = input.finished!;
  const journey = {
    contactId: input.contactId,
    flowId: input.flowId,
    flowVersion: end.version,
    workflowId: input.workflowId,
    runId: input.runId,
  };
  const entered: IntegratorEventInput[] = startUnrecorded ? [{ type: 'journey.entered', data: journey }] : [];
  const { outcome } = end;
  if (outcome.kind === 'converted')
    return [
      ...entered,
      { type: 'journey.converted', data: { ...journey, nodeId: end.nodeId, event: outcome.event } },
    ];
  return [
    ...entered,
    {
      type: 'journey.exited',
      data: {
        ...journey,
        outcome: outcome.kind,
        nodeId: end.nodeId,
        ...('reason' in outcome ? { reason: outcome.reason } : {}),
      },
    },
  ];
}
