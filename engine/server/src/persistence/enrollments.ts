import type { Sql } from 'postgres';
import { publishIntegratorEvent } from './integrator-webhooks';

/** Enrollments: each contact's runs of each flow, from start to outcome. */
export class EnrollmentRepository {
  constructor(private readonly sql: Sql) {}

  async record(e: {
    workflowId: string;
    runId: string;
    flowId: string;
    version: number;
    contactId: string;
    /** The `state` of the event that started the run (a channel code's), if it had one. */
    channelState?: string;
  }) {
    await this.sql.begin(async (tx) => {
      const [fresh] = await tx`
        insert into enrollments (workflow_id, run_id, flow_id, flow_version, contact_id, channel_state)
        values (${e.workflowId}, ${e.runId}, ${e.flowId}, ${e.version}, ${e.contactId}, ${e.channelState ?? null})
        on conflict do nothing returning run_id`;
      // A journey that ended before this record recorded its start, and told integrators then.
      if (fresh)
        await publishIntegratorEvent(tx, 'journey.entered', {
          contactId: e.contactId,
          flowId: e.flowId,
          flowVersion: e.version,
          workflowId: e.workflowId,
          runId: e.runId,
        });
    });
  }

  /**
   * The contacts' journeys that have not recorded an end, by workflow id: read here, not from
   * Temporal's visibility, because an enrollment is written as its run starts while visibility
   * may lag behind it, and one query serves a whole import batch.
   */
  async unfinishedOfContacts(contactIds: string[]): Promise<{ contactId: string; workflowId: string }[]> {
    if (contactIds.length === 0) return [];
    const rows = await this.sql<{ contact_id: string; workflow_id: string }[]>`
      select distinct contact_id, workflow_id from enrollments
      where contact_id = any(${contactIds}) and finished_at is null`;
    return rows.map((r) => ({ contactId: r.contact_id, workflowId: r.workflow_id }));
  }

  /** Workflow ids of the flow's journeys that have not recorded an end. */
  async unfinishedWorkflows(flowId: string): Promise<string[]> {
    const rows = await this.sql<{ workflow_id: string }[]>`
      select distinct workflow_id from enrollments where flow_id = ${flowId} and finished_at is null`;
    return rows.map((r) => r.workflow_id);
  }

  /** Every workflow a contact was ever enrolled in; signals to finished ones are refused by Temporal. */
  async workflowsOfContact(contactId: string): Promise<string[]> {
    const rows = await this.sql<{ workflow_id: string }[]>`
      select distinct workflow_id from enrollments where contact_id = ${contactId}`;
    return rows.map((r) => r.workflow_id);
  }

  /**
   * When the contact's latest run of the flow ended, if it ever entered: re-entry cooldowns count
   * from there. A run with no recorded end counts from its start (it is still running, and
   * Temporal refuses a second run of the same contact, or it ended where no end was recorded).
   */
  async lastRunEnded(flowId: string, contactId: string): Promise<Date | undefined> {
    const [row] = await this.sql<{ at: Date }[]>`
      select coalesce(finished_at, started_at) as at from enrollments
      where flow_id = ${flowId} and contact_id = ${contactId}
      order by started_at desc limit 1`;
    return row?.at;
  }
}
