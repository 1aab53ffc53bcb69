import type { FlowDocument, Plan } from '@sopflow/core';
import type { HistoryFlows } from '@sopflow/core/api';
import type { Sql } from 'postgres';
import { stringify } from 'safe-stable-stringify';
import { newWebhookSecret } from '../webhook-signature';

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

/** Flows (their drafts and status) and their published versions. */
export class FlowRepository {
  constructor(private readonly sql: Sql) {}

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

  async get(id: string): Promise<FlowRecord | undefined> {
    const [row] = await this.sql<FlowRow[]>`
      select f.*, (select max(version) from flow_versions v where v.flow_id = f.id) as latest_version
      from flows f where f.id = ${id}`;
    return row ? toFlow(row) : undefined;
  }

  async list(options: { archived?: boolean } = {}): Promise<FlowRecord[]> {
    const rows = await this.sql<FlowRow[]>`
      select f.*, (select max(version) from flow_versions v where v.flow_id = f.id) as latest_version
      from flows f where ${options.archived ? this.sql`f.status = 'archived'` : this.sql`f.status <> 'archived'`}
      order by f.updated_at desc`;
    return rows.map(toFlow);
  }

  async setStatus(id: string, status: FlowStatus): Promise<void> {
    await this.sql`update flows set status = ${status}, updated_at = now() where id = ${id}`;
  }

  /**
   * Stores a compiled version as the next version number and makes a draft flow live (a paused
   * or stopped flow stays so until it is resumed). The row lock
   * on the flow serialises concurrent publishes so version numbers never collide.
   */
  /**
   * Stores `document` as the flow's next version, unless it is the latest version's document
   * already (`unchanged`, that version): publishing twice makes no second, identical version.
   */
  async publish(
    flowId: string,
    document: FlowDocument,
    compilePlan: (version: number) => Plan,
    note?: string,
  ): Promise<{ version: number; plan: Plan; unchanged: boolean }> {
    return this.sql.begin(async (tx) => {
      await tx`select id from flows where id = ${flowId} for update`;
      const [latest] = (await tx`
        select version, document, plan from flow_versions where flow_id = ${flowId}
        order by version desc limit 1`) as unknown as {
        version: number;
        document: FlowDocument;
        plan: Plan;
      }[];
      // Stored as jsonb, which orders keys its own way: compared in one canonical order.
      if (latest && stringify(latest.document) === stringify(document))
        return { version: latest.version, plan: latest.plan, unchanged: true };
      const next = (latest?.version ?? 0) + 1;
      const plan = compilePlan(next);
      await tx`
        insert into flow_versions (flow_id, version, document, plan, note)
        values (${flowId}, ${next}, ${tx.json(document as never)}, ${tx.json(plan as never)}, ${note ?? null})`;
      await tx`
        update flows set status = case when status in ('paused', 'stopped') then status else 'live' end,
          updated_at = now()
        where id = ${flowId}`;
      return { version: next, plan, unchanged: false };
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

  /**
   * The name of each flow and the type and label of each step of the given versions (a contact's
   * history names its steps with them); flows and versions that do not exist are left out.
   */
  async stepNames(versions: readonly { flowId: string; version: number }[]): Promise<HistoryFlows> {
    const named: HistoryFlows = {};
    if (versions.length === 0) return named;
    const rows = await this.sql<
      { flow_id: string; version: number; name: string; id: string; type: string; label: string | null }[]
    >`
      select v.flow_id, v.version, f.name, n->>'id' as id, n->>'type' as type, n->>'label' as label
      from unnest(${versions.map((v) => v.flowId)}::text[], ${versions.map((v) => v.version)}::int[])
        as wanted(flow_id, version)
      join flow_versions v on v.flow_id = wanted.flow_id and v.version = wanted.version
      join flows f on f.id = v.flow_id
      cross join jsonb_array_elements(v.document->'nodes') as n`;
    for (const row of rows) {
      named[row.flow_id] ??= { name: row.name, versions: {} };
      const { versions: steps } = named[row.flow_id]!;
      steps[row.version] = {
        ...steps[row.version],
        [row.id]: row.label ? { type: row.type, label: row.label } : { type: row.type },
      };
    }
    return named;
  }

  /** The latest published plans of live flows, for routing events to the flows they start. */
  async livePlans(): Promise<Plan[]> {
    const rows = await this.sql<{ plan: Plan }[]>`
      select distinct on (v.flow_id) v.plan from flow_versions v join flows f on f.id = v.flow_id
      where f.status = 'live' order by v.flow_id, v.version desc`;
    return rows.map((r) => r.plan);
  }

  /** The published versions of a flow, newest first, without their documents. */
  async versions(flowId: string): Promise<{ version: number; note: string | null; publishedAt: Date }[]> {
    const rows = await this.sql<{ version: number; note: string | null; published_at: Date }[]>`
      select version, note, published_at from flow_versions where flow_id = ${flowId} order by version desc`;
    return rows.map((r) => ({ version: r.version, note: r.note, publishedAt: r.published_at }));
  }
}
