import { Contact, type ContactInput, type FlowDocument, type Plan } from '@sopflow/core';
import type { Sql } from 'postgres';
import { newWebhookSecret } from './webhook-signature';

/** Reads and writes sopflow's own records in Postgres. */

export type FlowStatus = 'draft' | 'live' | 'paused' | 'stopped' | 'archived';

export interface FlowRecord {
  id: string;
  name: string;
  status: FlowStatus;
  draft: FlowDocument;
  webhookSecret: string;
  latestVersion: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface FlowVersionRecord {
  flowId: string;
  version: number;
  document: FlowDocument;
  plan: Plan;
  note: string | null;
  publishedAt: Date;
}

export interface OutboxRecord {
  id: string;
  idempotencyKey: string;
  workflowId: string;
  flowId: string;
  flowVersion: number;
  nodeId: string;
  contactId: string;
  channel: string;
  body: string;
  createdAt: Date;
}

interface FlowRow {
  id: string;
  name: string;
  status: FlowStatus;
  draft: FlowDocument;
  webhook_secret: string;
  latest_version: number | null;
  created_at: Date;
  updated_at: Date;
}

const toFlow = (row: FlowRow): FlowRecord => ({
  id: row.id,
  name: row.name,
  status: row.status,
  draft: row.draft,
  webhookSecret: row.webhook_secret,
  latestVersion: row.latest_version,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export interface ContactRow {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  wecom_user_id: string | null;
  wecom_external_user_id: string | null;
  open_id: string | null;
  timezone: string | null;
  attributes: Record<string, unknown>;
  tags: string[];
  points: number;
  unsubscribed: string[];
}

export function contactFromRow(r: ContactRow): Contact {
  return Contact.parse({
    id: r.id,
    name: r.name ?? undefined,
    email: r.email ?? undefined,
    phone: r.phone ?? undefined,
    wecomUserId: r.wecom_user_id ?? undefined,
    wecomExternalUserId: r.wecom_external_user_id ?? undefined,
    openId: r.open_id ?? undefined,
    timezone: r.timezone ?? undefined,
    attributes: r.attributes,
    tags: r.tags,
    points: r.points,
    unsubscribed: r.unsubscribed,
  });
}

export class Store {
  constructor(readonly sql: Sql) {}

  /** Creates the flow or replaces its draft; published versions are never touched. */
  async saveDraft(document: FlowDocument): Promise<FlowRecord> {
    const { sql } = this;
    const [row] = await sql<FlowRow[]>`
      insert into flows (id, name, draft, webhook_secret)
      values (${document.id}, ${document.name}, ${sql.json(document as never)}, ${newWebhookSecret()})
      on conflict (id) do update set name = excluded.name, draft = excluded.draft, updated_at = now()
      returning *, (select max(version) from flow_versions v where v.flow_id = flows.id) as latest_version`;
    return toFlow(row!);
  }

  async getFlow(id: string): Promise<FlowRecord | undefined> {
    const [row] = await this.sql<FlowRow[]>`
      select f.*, (select max(version) from flow_versions v where v.flow_id = f.id) as latest_version
      from flows f where f.id = ${id}`;
    return row ? toFlow(row) : undefined;
  }

  async listFlows(options: { archived?: boolean } = {}): Promise<FlowRecord[]> {
    const rows = await this.sql<FlowRow[]>`
      select f.*, (select max(version) from flow_versions v where v.flow_id = f.id) as latest_version
      from flows f where ${options.archived ? this.sql`f.status = 'archived'` : this.sql`f.status <> 'archived'`}
      order by f.updated_at desc`;
    return rows.map(toFlow);
  }

  async setFlowStatus(id: string, status: FlowStatus): Promise<void> {
    await this.sql`update flows set status = ${status}, updated_at = now() where id = ${id}`;
  }

  /** Workflow ids of the flow's journeys that have not recorded an end. */
  async unfinishedWorkflows(flowId: string): Promise<string[]> {
    const rows = await this.sql<{ workflow_id: string }[]>`
      select distinct workflow_id from enrollments where flow_id = ${flowId} and finished_at is null`;
    return rows.map((r) => r.workflow_id);
  }

  /**
   * Stores a compiled version as the next version number and makes a draft flow live (a paused
   * or stopped flow stays so until it is resumed). The row lock
   * on the flow serialises concurrent publishes so version numbers never collide.
   */
  async publish(
    flowId: string,
    document: FlowDocument,
    compilePlan: (version: number) => Plan,
    note?: string,
  ) {
    return this.sql.begin(async (tx) => {
      await tx`select id from flows where id = ${flowId} for update`;
      const [{ next }] = (await tx`
        select coalesce(max(version), 0) + 1 as next from flow_versions where flow_id = ${flowId}`) as unknown as [
        { next: number },
      ];
      const plan = compilePlan(next);
      await tx`
        insert into flow_versions (flow_id, version, document, plan, note)
        values (${flowId}, ${next}, ${tx.json(document as never)}, ${tx.json(plan as never)}, ${note ?? null})`;
      await tx`
        update flows set status = case when status in ('paused', 'stopped') then status else 'live' end,
          updated_at = now()
        where id = ${flowId}`;
      return { version: next, plan };
    });
  }

  async getVersion(flowId: string, version?: number): Promise<FlowVersionRecord | undefined> {
    const rows = await this.sql<
      {
        flow_id: string;
        version: number;
        document: FlowDocument;
        plan: Plan;
        note: string | null;
        published_at: Date;
      }[]
    >`
      select * from flow_versions where flow_id = ${flowId}
      ${version === undefined ? this.sql`` : this.sql`and version = ${version}`}
      order by version desc limit 1`;
    const row = rows[0];
    if (!row) return undefined;
    return {
      flowId: row.flow_id,
      version: row.version,
      document: row.document,
      plan: row.plan,
      note: row.note,
      publishedAt: row.published_at,
    };
  }

  /** Inserts or updates a contact; given attributes are merged into the stored ones. */
  async upsertContact(input: ContactInput): Promise<Contact> {
    const c = Contact.parse(input);
    const { sql } = this;
    const [row] = await sql<ContactRow[]>`
      insert into contacts (id, name, email, phone, wecom_user_id, wecom_external_user_id, open_id, timezone,
                            attributes, tags, points, unsubscribed)
      values (${c.id}, ${c.name ?? null}, ${c.email ?? null}, ${c.phone ?? null}, ${c.wecomUserId ?? null},
              ${c.wecomExternalUserId ?? null}, ${c.openId ?? null}, ${c.timezone ?? null},
              ${sql.json(c.attributes as never)}, ${c.tags}, ${c.points}, ${c.unsubscribed})
      on conflict (id) do update set
        name = coalesce(excluded.name, contacts.name),
        email = coalesce(excluded.email, contacts.email),
        phone = coalesce(excluded.phone, contacts.phone),
        wecom_user_id = coalesce(excluded.wecom_user_id, contacts.wecom_user_id),
        wecom_external_user_id = coalesce(excluded.wecom_external_user_id, contacts.wecom_external_user_id),
        open_id = coalesce(excluded.open_id, contacts.open_id),
        timezone = coalesce(excluded.timezone, contacts.timezone),
        attributes = contacts.attributes || excluded.attributes,
        tags = (select coalesce(array_agg(distinct t), '{}') from unnest(contacts.tags || excluded.tags) t),
        unsubscribed = (select coalesce(array_agg(distinct u), '{}') from unnest(contacts.unsubscribed || excluded.unsubscribed) u),
        updated_at = now()
      returning *`;
    return contactFromRow(row!);
  }

  /** The contact with this WeCom external user id, created (as `wecom:<id>`) when there is none. */
  async upsertContactByWeComId(externalUserId: string): Promise<Contact> {
    const [row] = await this.sql<ContactRow[]>`
      select * from contacts where wecom_external_user_id = ${externalUserId} order by created_at limit 1`;
    if (row) return contactFromRow(row);
    return this.upsertContact({ id: `wecom:${externalUserId}`, wecomExternalUserId: externalUserId });
  }

  async getContact(id: string): Promise<Contact | undefined> {
    const [row] = await this.sql<ContactRow[]>`select * from contacts where id = ${id}`;
    return row ? contactFromRow(row) : undefined;
  }

  async recordEnrollment(e: {
    workflowId: string;
    runId: string;
    flowId: string;
    version: number;
    contactId: string;
  }) {
    await this.sql`
      insert into enrollments (workflow_id, run_id, flow_id, flow_version, contact_id)
      values (${e.workflowId}, ${e.runId}, ${e.flowId}, ${e.version}, ${e.contactId})
      on conflict do nothing`;
  }

  /**
   * Records an event. A client-given id seen before makes it a duplicate, unless that earlier
   * delivery never finished processing: then it is processed again.
   */
  async recordEvent(e: {
    eventId?: string;
    contactId: string;
    name: string;
    payload: Record<string, unknown>;
  }) {
    const [row] = await this.sql<{ id: string; processed: boolean }[]>`
      insert into events (event_id, contact_id, name, payload)
      values (${e.eventId ?? null}, ${e.contactId}, ${e.name}, ${this.sql.json(e.payload as never)})
      on conflict (event_id) do update set event_id = excluded.event_id
      returning id, processed_at is not null as processed`;
    return { id: row!.id, duplicate: row!.processed };
  }

  async markEventProcessed(id: string) {
    await this.sql`update events set processed_at = now() where id = ${id}`;
  }

  /** Every workflow a contact was ever enrolled in; signals to finished ones are refused by Temporal. */
  async workflowsOfContact(contactId: string): Promise<string[]> {
    const rows = await this.sql<{ workflow_id: string }[]>`
      select distinct workflow_id from enrollments where contact_id = ${contactId}`;
    return rows.map((r) => r.workflow_id);
  }

  /** When the contact last entered the flow, if ever. */
  async lastEnrollment(flowId: string, contactId: string): Promise<Date | undefined> {
    const [row] = await this.sql<{ at: Date | null }[]>`
      select max(started_at) as at from enrollments where flow_id = ${flowId} and contact_id = ${contactId}`;
    return row?.at ?? undefined;
  }

  /** The latest published plans of live flows, for routing events to the flows they start. */
  async livePlans(): Promise<Plan[]> {
    const rows = await this.sql<{ plan: Plan }[]>`
      select distinct on (v.flow_id) v.plan from flow_versions v join flows f on f.id = v.flow_id
      where f.status = 'live' order by v.flow_id, v.version desc`;
    return rows.map((r) => r.plan);
  }

  async listOutbox(
    filter: { flowId?: string; contactId?: string; limit?: number } = {},
  ): Promise<OutboxRecord[]> {
    const { sql } = this;
    const rows = await sql<
      {
        id: string;
        idempotency_key: string;
        workflow_id: string;
        flow_id: string;
        flow_version: number;
        node_id: string;
        contact_id: string;
        channel: string;
        body: string;
        created_at: Date;
      }[]
    >`
      select * from outbox
      where true
      ${filter.flowId ? sql`and flow_id = ${filter.flowId}` : sql``}
      ${filter.contactId ? sql`and contact_id = ${filter.contactId}` : sql``}
      order by id limit ${Math.min(filter.limit ?? 500, 5000)}`;
    return rows.map((r) => ({
      id: String(r.id),
      idempotencyKey: r.idempotency_key,
      workflowId: r.workflow_id,
      flowId: r.flow_id,
      flowVersion: r.flow_version,
      nodeId: r.node_id,
      contactId: r.contact_id,
      channel: r.channel,
      body: r.body,
      createdAt: r.created_at,
    }));
  }
}
