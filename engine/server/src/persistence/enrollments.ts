import type { Sql } from 'postgres';

/** Enrollments: each contact's runs of each flow, from start to outcome. */
export class EnrollmentRepository {
  constructor(private readonly sql: Sql) {}

  async record(e: { workflowId: string; runId: string; flowId: string; version: number; contactId: string }) {
    await this.sql`
      insert into enrollments (workflow_id, run_id, flow_id, flow_version, contact_id)
      values (${e.workflowId}, ${e.runId}, ${e.flowId}, ${e.version}, ${e.contactId})
      on conflict do nothing`;
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

  /** When the contact last entered the flow, if ever. */
  async last(flowId: string, contactId: string): Promise<Date | undefined> {
    const [row] = await this.sql<{ at: Date | null }[]>`
      select max(started_at) as at from enrollments where flow_id = ${flowId} and contact_id = ${contactId}`;
    return row?.at ?? undefined;
  }
}
