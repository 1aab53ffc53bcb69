import type { Contact } from '@sopflow/core';
import { IANAZone } from 'luxon';
import type { Sql } from 'postgres';
import { z } from 'zod';
import { type ContactRow, contactFromRow } from './store';
import type { TemporalGateway } from './temporal/gateway';

/**
 * Contacts as other systems and operators manage them: upserted by their external id (the
 * contact id), listed and searched, imported in bulk, and read back with their whole history.
 */

const optionalText = (max: number) => z.string().max(max).nullable().optional();

/**
 * A change to a contact. Fields left out stay as they are; `null` clears an address. Attributes
 * are merged (a key set to null is removed); `tags` and `unsubscribed` (a list) replace, while
 * `unsubscribed` as `{ channel: true | false }` opts in or out per channel. `points` sets the
 * balance, and the difference goes to the points ledger.
 */
export const ContactPatch = z
  .object({
    id: z.string().min(1).max(200),
    name: optionalText(200),
    email: z.email().max(320).nullable().optional(),
    phone: z
      .string()
      .regex(/^\+?[0-9][0-9 ()-]{2,39}$/, {
        error: 'A phone number: digits, optionally +, spaces, ( ) and -.',
      })
      .nullable()
      .optional(),
    wecomUserId: optionalText(200),
    wecomExternalUserId: optionalText(200),
    openId: optionalText(200),
    timezone: z
      .string()
      .max(64)
      .refine((zone) => IANAZone.isValidZone(zone), { error: 'Not an IANA time zone such as Asia/Shanghai.' })
      .nullable()
      .optional(),
    attributes: z.record(z.string().min(1).max(100), z.unknown()).optional(),
    tags: z.array(z.string().min(1).max(100)).max(500).optional(),
    points: z.number().int().optional(),
    unsubscribed: z
      .union([z.array(z.string().min(1).max(32)).max(50), z.record(z.string().min(1).max(32), z.boolean())])
      .optional(),
  })
  .strict();
export type ContactPatch = z.infer<typeof ContactPatch>;

export interface SaveResult {
  contacts: Contact[];
  created: string[];
}

export interface ContactQuery {
  /** Matches the start of the id, email or phone, or any part of the name. */
  q?: string;
  tag?: string;
  /** Only contacts unsubscribed from this channel. */
  unsubscribed?: string;
  /** Contacts with ids after this one (for the next page). */
  after?: string;
  limit?: number;
}

const COLUMNS = {
  name: 'name',
  email: 'email',
  phone: 'phone',
  wecomUserId: 'wecom_user_id',
  wecomExternalUserId: 'wecom_external_user_id',
  openId: 'open_id',
  timezone: 'timezone',
} as const;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, '\\$&');

export class Contacts {
  constructor(
    private readonly sql: Sql,
    /** Where a run is seen in the Temporal UI. */
    private readonly runUrl: (workflowId: string, runId?: string) => string = () => '',
    /** For where running journeys wait now (Temporal visibility). */
    private readonly temporal?: TemporalGateway,
  ) {}

  /** Workflow id → the step each running journey of the contact waits at; empty when unknown. */
  private async waitingAt(contactId: string): Promise<Map<string, string>> {
    const at = new Map<string, string>();
    if (!this.temporal) return at;
    try {
      for await (const run of this.temporal.runs({ contactId, running: true }, 100)) {
        if (run.node) at.set(run.workflowId, run.node);
      }
    } catch {
      // Temporal unreachable: the history is still worth answering.
    }
    return at;
  }

  /**
   * Applies patches in one transaction: contacts that do not exist are created. Patches must
   * have distinct ids. Point changes are written to the ledger with `reason`.
   */
  async save(patches: ContactPatch[], reason = 'set by the API'): Promise<SaveResult> {
    if (patches.length === 0) return { contacts: [], created: [] };
    const docs = patches.map((p) => {
      const { unsubscribed, ...rest } = p;
      if (unsubscribed === undefined) return rest;
      if (Array.isArray(unsubscribed)) return { ...rest, unsubscribed };
      const entries = Object.entries(unsubscribed);
      return {
        ...rest,
        unsubscribedAdd: entries.filter(([, on]) => on).map(([channel]) => channel),
        unsubscribedRemove: entries.filter(([, on]) => !on).map(([channel]) => channel),
      };
    });
    return this.sql.begin(async (tx) => {
      const input = tx.json(docs as never);
      const created = await tx<{ id: string }[]>`
        insert into contacts (id) select e->>'id' from jsonb_array_elements(${input}::jsonb) e
        on conflict (id) do nothing returning id`;
      const set = Object.entries(COLUMNS).map(
        ([field, column]) =>
          tx`${tx(column)} = case when p ? ${field} then p->>${field} else c.${tx(column)} end`,
      );
      const rows = await tx<(ContactRow & { old_points: number })[]>`
        update contacts c set
          ${set.reduce((all, one) => tx`${all}, ${one}`)},
          attributes = case when p ? 'attributes'
            then (c.attributes || (p->'attributes'))
                 - array(select key from jsonb_each(p->'attributes') where value = 'null'::jsonb)
            else c.attributes end,
          tags = case when p ? 'tags'
            then array(select distinct jsonb_array_elements_text(p->'tags')) else c.tags end,
          points = case when p ? 'points' then (p->>'points')::int else c.points end,
          unsubscribed = case when p ? 'unsubscribed'
            then array(select distinct jsonb_array_elements_text(p->'unsubscribed'))
            else array(
              select u from unnest(c.unsubscribed) u where not (coalesce(p->'unsubscribedRemove', '[]') ? u)
              union select jsonb_array_elements_text(coalesce(p->'unsubscribedAdd', '[]'))) end,
          updated_at = now()
        from jsonb_array_elements(${input}::jsonb) p, contacts old
        where c.id = p->>'id' and old.id = c.id
        returning c.*, old.points as old_points`;
      const ledger = rows
        .filter((r) => r.points !== r.old_points)
        .map((r) => ({ contact_id: r.id, points: r.points - r.old_points, reason }));
      if (ledger.length > 0) await tx`insert into points_ledger ${tx(ledger)}`;
      const byId = new Map(rows.map((r) => [r.id, contactFromRow(r)]));
      return {
        contacts: patches.map((p) => byId.get(p.id)!),
        created: created.map((r) => r.id),
      };
    });
  }

  async list(query: ContactQuery): Promise<{ contacts: Contact[]; next: string | null }> {
    const { sql } = this;
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
    const q = query.q?.trim();
    const prefix = q ? `${escapeLike(q)}%` : '';
    const rows = await sql<ContactRow[]>`
      select * from contacts where true
      ${
        q
          ? sql`and (id like ${prefix} or lower(email) like lower(${prefix}) or phone like ${prefix}
                 or name ilike ${`%${escapeLike(q)}%`})`
          : sql``
      }
      ${query.tag ? sql`and ${query.tag} = any(tags)` : sql``}
      ${query.unsubscribed ? sql`and ${query.unsubscribed} = any(unsubscribed)` : sql``}
      ${query.after ? sql`and id > ${query.after}` : sql``}
      order by id limit ${limit + 1}`;
    const page = rows.slice(0, limit);
    return {
      contacts: page.map(contactFromRow),
      next: rows.length > limit ? page[page.length - 1]!.id : null,
    };
  }

  /** The contact and its journey: enrollments, steps, deliveries, events and points. */
  async history(id: string, limit = 200) {
    const { sql } = this;
    const [row] = await sql<(ContactRow & { created_at: Date; updated_at: Date })[]>`
      select * from contacts where id = ${id}`;
    if (!row) return undefined;
    const [waiting, enrollments, steps, deliveries, events, points] = await Promise.all([
      this.waitingAt(id),
      sql<
        {
          workflow_id: string;
          run_id: string;
          flow_id: string;
          flow_version: number;
          started_at: Date;
          finished_at: Date | null;
          outcome: string | null;
          outcome_node: string | null;
          outcome_detail: Record<string, unknown> | null;
          final_version: number | null;
        }[]
      >`select * from enrollments where contact_id = ${id} order by started_at desc limit ${limit}`,
      sql<
        {
          workflow_id: string;
          flow_id: string;
          flow_version: number;
          node_id: string;
          kind: string;
          exit: string | null;
          at: Date;
        }[]
      >`select workflow_id, flow_id, flow_version, node_id, kind, exit, at from journey_steps
        where contact_id = ${id} order by at desc, id desc limit ${limit * 5}`,
      sql<
        {
          idempotency_key: string;
          flow_id: string;
          flow_version: number;
          node_id: string;
          channel: string;
          connector: string;
          status: string;
          error: string | null;
          created_at: Date;
          sent_at: Date | null;
        }[]
      >`select idempotency_key, flow_id, flow_version, node_id, channel, connector, status, error, created_at, sent_at
        from deliveries where contact_id = ${id} order by created_at desc limit ${limit}`,
      sql<{ event_id: string | null; name: string; payload: unknown; received_at: Date }[]>`
        select event_id, name, payload, received_at from events where contact_id = ${id}
        order by received_at desc limit ${limit}`,
      sql<
        { points: number; reason: string; flow_id: string | null; node_id: string | null; created_at: Date }[]
      >`
        select points, reason, flow_id, node_id, created_at from points_ledger where contact_id = ${id}
        order by created_at desc, id desc limit ${limit}`,
    ]);
    return {
      contact: { ...contactFromRow(row), createdAt: row.created_at, updatedAt: row.updated_at },
      enrollments: enrollments.map((e) => ({
        workflowId: e.workflow_id,
        runId: e.run_id,
        flowId: e.flow_id,
        version: e.flow_version,
        startedAt: e.started_at,
        status: e.finished_at ? 'finished' : 'running',
        ...(e.finished_at ? {} : { waitingAt: waiting.get(e.workflow_id) ?? null }),
        finishedAt: e.finished_at,
        outcome: e.outcome ? { kind: e.outcome, nodeId: e.outcome_node, ...e.outcome_detail } : null,
        finalVersion: e.final_version,
        temporalUrl: this.runUrl(e.workflow_id, e.run_id),
      })),
      journey: steps.map((s) => ({
        workflowId: s.workflow_id,
        flowId: s.flow_id,
        version: s.flow_version,
        nodeId: s.node_id,
        kind: s.kind,
        ...(s.exit ? { exit: s.exit } : {}),
        at: s.at,
      })),
      deliveries: deliveries.map((d) => ({
        idempotencyKey: d.idempotency_key,
        flowId: d.flow_id,
        version: d.flow_version,
        nodeId: d.node_id,
        channel: d.channel,
        connector: d.connector,
        status: d.status,
        error: d.error,
        createdAt: d.created_at,
        sentAt: d.sent_at,
      })),
      events: events.map((e) => ({
        id: e.event_id,
        name: e.name,
        payload: e.payload,
        receivedAt: e.received_at,
      })),
      points: points.map((p) => ({
        points: p.points,
        reason: p.reason,
        flowId: p.flow_id,
        nodeId: p.node_id,
        at: p.created_at,
      })),
    };
  }
}
