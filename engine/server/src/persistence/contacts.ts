import { type applyContactUpdate, type Condition, Contact, type ContactInput } from '@sopflow/core';
import { audiencePredicate } from './audience-sql';
import { type ErasureRef, ErasureRepository, erasedAddressKey, erasureRefUnder } from './erasures';
import { type IntegratorEventInput, IntegratorWebhookRepository } from './integrator-webhooks';
import { ProviderTagRepository } from './provider-tags';

type ContactUpdateResult = ReturnType<typeof applyContactUpdate>;

import type { Sql, TransactionSql } from 'postgres';

/** The pool, or a transaction of it. */
type Runner = Sql | TransactionSql;

export interface ContactRow {
  id: string;
  name: string | null;
  /** Kind → address, from contact_addresses (`withAddresses`). */
  addresses: Record<string, string> | null;
  timezone: string | null;
  attributes: Record<string, unknown>;
  tags: string[];
  points: number;
  unsubscribed: string[];
  /** Raised by every change to the row (migration 021); bigint, so it comes as a string. */
  revision: string;
}

/** A contact as a write left it, with its stored revision. */
export interface ContactRevision {
  contact: Contact;
  revision: number;
}

/** What a write did to one contact: as it left it, and whether it was there before and is not the same now. */
export interface ContactWrite extends ContactRevision {
  changed: boolean;
  /** Its tag changes were noted for a provider that marks tags (`tagChangeKinds`). */
  tagsNoted?: boolean;
}

const revisionOf = (row: ContactRow): ContactRevision => ({
  contact: contactFromRow(row),
  revision: Number(row.revision),
});

/** Whether a write left the contact as it was (JSON columns come back with their keys in order). */
const sameContact = (a: Contact, b: Contact) => JSON.stringify(a) === JSON.stringify(b);

export function contactFromRow(r: ContactRow): Contact {
  return Contact.parse({
    id: r.id,
    name: r.name ?? undefined,
    addresses: r.addresses ?? {},
    timezone: r.timezone ?? undefined,
    attributes: r.attributes,
    tags: r.tags,
    points: r.points,
    unsubscribed: r.unsubscribed,
  });
}

/** The key inbound lookups compare for an address of a kind (e.g. a phone's digits). */
export type AddressMatchKey = (kind: string, value: string) => string;

/**
 * A change to a contact as the API validated it (ContactPatch): fields left out stay as they are,
 * an address set to `null` is removed, attributes merge, `unsubscribed` replaces (a list) or opts
 * in and out per channel (a record).
 */
export type ContactPatchRecord = {
  id: string;
  addresses?: Record<string, string | null>;
  unsubscribed?: string[] | Record<string, boolean>;
} & Record<string, unknown>;

export interface SaveResult {
  contacts: Contact[];
  created: string[];
  /** Contacts that were there before and changed, with their revisions: for their running flows. */
  changed: ContactRevision[];
  /** Contacts whose tag changes were noted for a provider that marks tags (`tagChangeKinds`). */
  tagsNoted: string[];
}

export interface SaveOptions {
  /**
   * The tags come from a provider (WeCom's own tags read back into the contact): they are not
   * noted as changes to hand that provider, which has them already. @default false
   */
  tagsFromProvider?: boolean;
}

export interface ContactQuery {
  /** Matches the start of the id or of any address (case aside), or any part of the name. */
  q?: string;
  tag?: string;
  /** Only contacts unsubscribed from this channel. */
  unsubscribed?: string;
  /** Contacts with ids after this one (for the next page). */
  after?: string;
  limit?: number;
}

/**
 * Whom a campaign's pages read: contacts matching `where`, the contacts `contactIds` names, or
 * (naming neither) everyone, as campaigns launched before audiences were required asked.
 */
export interface ContactAudience {
  where?: Condition;
  contactIds?: string[];
}

const COLUMNS = { name: 'name', timezone: 'timezone' } as const;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, '\\$&');

/** Contacts: their addresses, attributes, tags, points and opt-outs. */
export class ContactRepository {
  constructor(
    private readonly sql: Sql,
    private readonly matchKey: AddressMatchKey,
    /**
     * Address kinds of the connectors that mark tags on the provider's side (WeCom's external user
     * id): a tag change of a contact with such an address is noted for them in the same transaction.
     */
    private readonly tagChangeKinds: readonly string[] = [],
    /** Recognises erased contacts' ids: writes that would create one again are refused (ContactErasedError). */
    private readonly erasureRef: ErasureRef = erasureRefUnder(undefined),
  ) {}

  /** `c.*` of contacts aliased `c`, with their addresses as a kind → value object. */
  private withAddresses(sql: Runner = this.sql) {
    return sql`c.*, (select coalesce(jsonb_object_agg(a.kind, a.value), '{}') from contact_addresses a
                     where a.contact_id = c.id) as addresses`;
  }

  /** Stores addresses (replacing one of the same kind) and removes those set to null. */
  private async writeAddresses(
    sql: Runner,
    changes: { id: string; addresses?: Record<string, string | null> }[],
  ) {
    const set: { contact_id: string; kind: string; value: string; match_key: string }[] = [];
    const removed: { id: string; kind: string }[] = [];
    for (const { id, addresses } of changes)
      for (const [kind, value] of Object.entries(addresses ?? {}))
        if (value === null) removed.push({ id, kind });
        else set.push({ contact_id: id, kind, value, match_key: this.matchKey(kind, value) });
    if (removed.length > 0)
      await sql`
        delete from contact_addresses a using unnest(${removed.map((r) => r.id)}::text[], ${removed.map((r) => r.kind)}::text[]) as r(id, kind)
        where a.contact_id = r.id and a.kind = r.kind`;
    if (set.length > 0)
      await sql`
        insert into contact_addresses ${sql(set)}
        on conflict (contact_id, kind) do update set value = excluded.value, match_key = excluded.match_key`;
  }

  /**
   * Opts the contact out of a channel (kept once however often it is asked): the contact as it
   * left it, or undefined when that changed nothing.
   */
  async unsubscribe(contactId: string, channel: string): Promise<ContactRevision | undefined> {
    return this.changedRow(
      (tx) => tx`
        update contacts set unsubscribed = array_append(unsubscribed, ${channel}), updated_at = now()
        where id = ${contactId} and not (${channel} = any(unsubscribed)) returning id`,
      { type: 'contact.unsubscribed', data: { contactId, channel } },
    );
  }

  /** Opts the contact back in to a channel: as `unsubscribe` answers. */
  async resubscribe(contactId: string, channel: string): Promise<ContactRevision | undefined> {
    return this.changedRow(
      (tx) => tx`
        update contacts set unsubscribed = array_remove(unsubscribed, ${channel}), updated_at = now()
        where id = ${contactId} and ${channel} = any(unsubscribed) returning id`,
      { type: 'contact.resubscribed', data: { contactId, channel } },
    );
  }

  /**
   * The contact an update statement changed, read back whole with its addresses; undefined when it
   * changed none. Integrators hear of the change with it.
   */
  private changedRow(
    update: (tx: TransactionSql) => Promise<{ id: string }[]>,
    event: IntegratorEventInput,
  ): Promise<ContactRevision | undefined> {
    return this.sql.begin(async (tx) => {
      const [changed] = await update(tx);
      if (!changed) return undefined;
      await IntegratorWebhookRepository.publish(tx, [event]);
      const [row] = await tx<ContactRow[]>`
        select ${this.withAddresses(tx)} from contacts c where c.id = ${changed.id}`;
      return row ? revisionOf(row) : undefined;
    });
  }

  /**
   * The most recently updated contact with an address of this kind matching one of `values`
   * (compared by match key: a phone's digits), or undefined.
   */
  async idByAddress(kind: string, values: readonly string[]): Promise<string | undefined> {
    const keys = [...new Set(values.map((v) => this.matchKey(kind, v)).filter(Boolean))];
    if (keys.length === 0) return undefined;
    const [contact] = await this.sql<{ id: string }[]>`
      select c.id from contact_addresses a join contacts c on c.id = a.contact_id
      where a.kind = ${kind} and a.match_key = any(${keys})
      order by c.updated_at desc limit 1`;
    return contact?.id;
  }

  /** Contact id → name (null when unnamed) for the given ids that exist. */
  async names(ids: string[]): Promise<Map<string, string | null>> {
    if (ids.length === 0) return new Map();
    const rows = await this.sql<{ id: string; name: string | null }[]>`
      select id, name from contacts where id = any(${ids})`;
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /**
   * A campaign's page: contacts of the audience in id order after `after`, `limit` at most. The
   * audience's condition is evaluated here, in Postgres (`audiencePredicate`).
   */
  async page(options: {
    after: string | null;
    audience: ContactAudience;
    limit: number;
  }): Promise<Contact[]> {
    const { sql } = this;
    const rows = await sql<ContactRow[]>`
      select ${this.withAddresses()} from contacts c
      where ${this.inAudience(options.audience)}
      ${options.after === null ? sql`` : sql`and c.id > ${options.after}`}
      order by c.id limit ${options.limit}`;
    return rows.map(contactFromRow);
  }

  /** How many contacts an audience holds now. */
  async countAudience(audience: ContactAudience): Promise<number> {
    const [row] = await this.sql<{ count: number }[]>`
      select count(*)::int as count from contacts c where ${this.inAudience(audience)}`;
    return row!.count;
  }

  /** The ids (of `ids`) that name no contact, in the order given. */
  async unknownIds(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.sql<{ id: string }[]>`
      select g.id from unnest(${ids as string[]}::text[]) with ordinality as g(id, n)
      where not exists (select 1 from contacts c where c.id = g.id) order by g.n`;
    return rows.map((r) => r.id);
  }

  /** Everyone matching `where`, or exactly `contactIds`; everyone when it names neither. */
  private inAudience(audience: ContactAudience) {
    const { sql } = this;
    return sql`${audience.where ? audiencePredicate(sql, audience.where) : sql`true`}
      ${audience.contactIds ? sql`and c.id = any(${audience.contactIds}::text[])` : sql``}`;
  }

  /**
   * Applies a flow's update to a contact in one transaction: locks the contact, runs `update` (the
   * core's pure update) on it, stores the result with its points ledger lines and credits a
   * referrer. The idempotency key makes a retried call a no-op; undefined when there is no such
   * contact.
   */
  async applyUpdate(
    contactId: string,
    idempotencyKey: string,
    origin: { flowId: string; nodeId: string; workflowId: string },
    update: (contact: Contact) => ContactUpdateResult,
  ): Promise<ContactWrite | undefined> {
    return this.sql.begin(async (tx) => {
      const locked = await this.lockOnce(tx, contactId, idempotencyKey);
      if (!locked?.fresh) return locked && { ...locked.before, changed: false };
      const { before } = locked;

      const result = update(before.contact);
      const c = result.contact;
      const [updated] = await tx<{ revision: string }[]>`
        update contacts set attributes = ${tx.json(c.attributes as never)}, tags = ${c.tags}, points = ${c.points},
          updated_at = now()
        where id = ${c.id} returning revision`;
      const from = { flow_id: origin.flowId, node_id: origin.nodeId, workflow_id: origin.workflowId };
      const lines = result.ledger.map((l) => ({
        contact_id: c.id,
        points: l.points,
        reason: l.reason,
        ...from,
      }));
      if (result.referral) {
        const credited = await tx`
          update contacts set points = points + ${result.referral.points}, updated_at = now()
          where id = ${result.referral.contactId} returning id`;
        // A referrer sopflow has never seen earns nothing: there is nobody to credit yet.
        if (credited.length > 0 && result.referral.points !== 0) {
          lines.push({
            contact_id: result.referral.contactId,
            points: result.referral.points,
            reason: result.referral.reason,
            ...from,
          });
        }
      }
      if (lines.length > 0) await tx`insert into points_ledger ${tx(lines)}`;
      const tagsNoted = await ProviderTagRepository.noteChanges(
        tx,
        [{ contactId: c.id, before: before.contact.tags, after: c.tags }],
        this.tagChangeKinds,
      );
      return {
        contact: c,
        revision: Number(updated!.revision),
        changed: !sameContact(before.contact, c),
        tagsNoted: tagsNoted.length > 0,
      };
    });
  }

  /**
   * Locks the contact and claims the idempotency key (with none, every call is fresh): undefined
   * when there is no such contact, `fresh: false` when the key was claimed before.
   */
  private async lockOnce(
    tx: TransactionSql,
    contactId: string,
    idempotencyKey: string | undefined,
  ): Promise<{ before: ContactRevision; fresh: boolean } | undefined> {
    const [row] = await tx<ContactRow[]>`
      select ${this.withAddresses(tx)} from contacts c where c.id = ${contactId} for update of c`;
    if (!row) return undefined;
    if (idempotencyKey === undefined) return { before: revisionOf(row), fresh: true };
    const claimed = await tx`
      insert into contact_updates (idempotency_key, contact_id) values (${idempotencyKey}, ${contactId})
      on conflict do nothing returning 1`;
    return { before: revisionOf(row), fresh: claimed.length > 0 };
  }

  /**
   * Changes a contact's name, attributes and tags as `change` (pure) says, on the locked contact,
   * once per idempotency key (with none, on every call): what a provider reports. Undefined when
   * there is no such contact.
   */
  async change(
    contactId: string,
    idempotencyKey: string | undefined,
    change: (contact: Contact) => Contact,
  ): Promise<ContactWrite | undefined> {
    return this.sql.begin(async (tx) => {
      const locked = await this.lockOnce(tx, contactId, idempotencyKey);
      if (!locked?.fresh) return locked && { ...locked.before, changed: false };
      const c = change(locked.before.contact);
      if (sameContact(locked.before.contact, c)) return { ...locked.before, changed: false };
      const [updated] = await tx<{ revision: string }[]>`
        update contacts set name = ${c.name ?? null}, attributes = ${tx.json(c.attributes as never)},
          tags = ${c.tags}, updated_at = now()
        where id = ${c.id} returning revision`;
      return { contact: c, revision: Number(updated!.revision), changed: true };
    });
  }

  /** Inserts or updates a contact; given addresses replace those of their kind, attributes merge. */
  async upsert(input: ContactInput): Promise<ContactWrite> {
    const c = Contact.parse(input);
    return this.sql.begin(async (tx) => {
      await ErasureRepository.refuseErased(tx, this.erasureRef, [c.id]);
      const [old] = await tx<ContactRow[]>`
        select ${this.withAddresses(tx)} from contacts c where c.id = ${c.id} for update of c`;
      await tx`
        insert into contacts (id, name, timezone, attributes, tags, points, unsubscribed)
        values (${c.id}, ${c.name ?? null}, ${c.timezone ?? null},
                ${tx.json(c.attributes as never)}, ${c.tags}, ${c.points}, ${c.unsubscribed})
        on conflict (id) do update set
          name = coalesce(excluded.name, contacts.name),
          timezone = coalesce(excluded.timezone, contacts.timezone),
          attributes = contacts.attributes || excluded.attributes,
          tags = (select coalesce(array_agg(distinct t), '{}') from unnest(contacts.tags || excluded.tags) t),
          unsubscribed = (select coalesce(array_agg(distinct u), '{}') from unnest(contacts.unsubscribed || excluded.unsubscribed) u),
          updated_at = now()`;
      await this.writeAddresses(tx, [{ id: c.id, addresses: c.addresses }]);
      const [row] = await tx<
        ContactRow[]
      >`select ${this.withAddresses(tx)} from contacts c where c.id = ${c.id}`;
      const written = revisionOf(row!);
      await IntegratorWebhookRepository.publish(
        tx,
        optOutEvents(c.id, old?.unsubscribed ?? [], written.contact.unsubscribed),
      );
      return { ...written, changed: old !== undefined && !sameContact(contactFromRow(old), written.contact) };
    });
  }

  /**
   * The contact with this address (compared by match key), created with `newId` when there is
   * none: a customer who joins a WeCom group before sopflow has heard of them. Takes no lock: a
   * burst of new customers' callbacks must not queue behind each other.
   */
  async findOrCreateByAddress(kind: string, value: string, newId: string): Promise<Contact> {
    const matchKey = this.matchKey(kind, value);
    const [row] = await this.sql<ContactRow[]>`
      select ${this.withAddresses()} from contact_addresses a join contacts c on c.id = a.contact_id
      where a.kind = ${kind} and a.match_key = ${matchKey}
      order by c.created_at limit 1`;
    if (row) return contactFromRow(row);
    // An erased contact's address is refused too: the provider's id for them is theirs as much as sopflow's.
    await ErasureRepository.refuseErased(this.sql, this.erasureRef, [
      newId,
      erasedAddressKey(kind, matchKey),
    ]);
    // One statement: the contact (kept if it is there) and its address, as upsert would leave them.
    await this.sql`
      with contact as (
        insert into contacts (id) values (${newId}) on conflict (id) do nothing
      ), address as (
        insert into contact_addresses (contact_id, kind, value, match_key)
        values (${newId}, ${kind}, ${value}, ${matchKey})
        on conflict (contact_id, kind) do update set value = excluded.value, match_key = excluded.match_key
      )
      select 1`;
    const contact = await this.get(newId);
    if (!contact) throw new Error(`The contact ${newId} was not created.`);
    return contact;
  }

  /**
   * The contact with this id, created (empty) when there is none, with its revision; takes no lock,
   * as an event for a contact sopflow has not seen only needs it to exist.
   */
  async ensure(id: string): Promise<ContactRevision> {
    await ErasureRepository.refuseErased(this.sql, this.erasureRef, [id]);
    await this.sql`insert into contacts (id) values (${id}) on conflict (id) do nothing`;
    const [row] = await this.sql<
      ContactRow[]
    >`select ${this.withAddresses()} from contacts c where c.id = ${id}`;
    if (!row) throw new Error(`The contact ${id} was not created.`);
    return revisionOf(row);
  }

  async get(id: string): Promise<Contact | undefined> {
    const [row] = await this.sql<
      ContactRow[]
    >`select ${this.withAddresses()} from contacts c where c.id = ${id}`;
    return row ? contactFromRow(row) : undefined;
  }

  /**
   * Applies patches in one transaction: contacts that do not exist are created. Patches must
   * have distinct ids. Point changes are written to the ledger with `reason`.
   */
  async save(
    patches: ContactPatchRecord[],
    reason = 'set by the API',
    options: SaveOptions = {},
  ): Promise<SaveResult> {
    if (patches.length === 0) return { contacts: [], created: [], changed: [], tagsNoted: [] };
    const docs = patches.map((p) => {
      const { unsubscribed, addresses: _addresses, ...rest } = p;
      if (unsubscribed === undefined) return rest;
      if (Array.isArray(unsubscribed)) return { ...rest, unsubscribed };
      const entries = Object.entries(unsubscribed);
      return {
        ...rest,
        unsubscribedAdd: entries.filter(([, on]) => on).map(([channel]) => channel),
        unsubscribedRemove: entries.filter(([, on]) => !on).map(([channel]) => channel),
      };
    });
    const ids = patches.map((p) => p.id);
    return this.sql.begin(async (tx) => {
      await ErasureRepository.refuseErased(tx, this.erasureRef, ids);
      const before = await tx<ContactRow[]>`
        select ${this.withAddresses(tx)} from contacts c where c.id = any(${ids}) for update of c`;
      const input = tx.json(docs as never);
      const created = await tx<{ id: string }[]>`
        insert into contacts (id) select e->>'id' from jsonb_array_elements(${input}::jsonb) e
        on conflict (id) do nothing returning id`;
      const set = Object.entries(COLUMNS).map(
        ([field, column]) =>
          tx`${tx(column)} = case when p ? ${field} then p->>${field} else c.${tx(column)} end`,
      );
      const rows = await tx<{ id: string; points: number; old_points: number }[]>`
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
        returning c.id, c.points, old.points as old_points`;
      await this.writeAddresses(tx, patches);
      const ledger = rows
        .filter((r) => r.points !== r.old_points)
        .map((r) => ({ contact_id: r.id, points: r.points - r.old_points, reason }));
      if (ledger.length > 0) await tx`insert into points_ledger ${tx(ledger)}`;
      const saved = await tx<ContactRow[]>`
        select ${this.withAddresses(tx)} from contacts c where c.id = any(${ids})`;
      const byId = new Map(saved.map((r) => [r.id, revisionOf(r)]));
      const changed = before.flatMap((old) => {
        const now = byId.get(old.id)!;
        return sameContact(contactFromRow(old), now.contact) ? [] : [now];
      });
      const optedOutBefore = new Map(before.map((old) => [old.id, old.unsubscribed]));
      await IntegratorWebhookRepository.publish(
        tx,
        [...byId.values()].flatMap(({ contact }) =>
          optOutEvents(contact.id, optedOutBefore.get(contact.id) ?? [], contact.unsubscribed),
        ),
      );
      const tagsBefore = new Map(before.map((old) => [old.id, old.tags]));
      const tagsNoted = await ProviderTagRepository.noteChanges(
        tx,
        [...byId.values()].map(({ contact }) => ({
          contactId: contact.id,
          before: tagsBefore.get(contact.id) ?? [],
          after: contact.tags,
        })),
        options.tagsFromProvider ? [] : this.tagChangeKinds,
      );
      return {
        contacts: patches.map((p) => byId.get(p.id)!.contact),
        created: created.map((r) => r.id),
        changed,
        tagsNoted,
      };
    });
  }

  async list(query: ContactQuery): Promise<{ contacts: Contact[]; next: string | null }> {
    const { sql } = this;
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
    const q = query.q?.trim();
    const prefix = q ? `${escapeLike(q)}%` : '';
    const rows = await sql<ContactRow[]>`
      select ${this.withAddresses()} from contacts c where true
      ${
        q
          ? sql`and (c.id like ${prefix} or c.name ilike ${`%${escapeLike(q)}%`} or exists (
                 select 1 from contact_addresses a where a.contact_id = c.id and lower(a.value) like lower(${prefix})))`
          : sql``
      }
      ${query.tag ? sql`and ${query.tag} = any(c.tags)` : sql``}
      ${query.unsubscribed ? sql`and ${query.unsubscribed} = any(c.unsubscribed)` : sql``}
      ${query.after ? sql`and c.id > ${query.after}` : sql``}
      order by c.id limit ${limit + 1}`;
    const page = rows.slice(0, limit);
    return {
      contacts: page.map(contactFromRow),
      next: rows.length > limit ? page[page.length - 1]!.id : null,
    };
  }

  /** The statuses of the contact's newest deliveries, by delivery, oldest first. */
  private async messageStatusesOf(id: string, limit: number) {
    const rows = await this.sql<
      {
        delivery_key: string;
        status: string;
        at: Date;
        provider_code: string | null;
        detail: string | null;
      }[]
    >`
      select delivery_key, status, at, provider_code, detail from message_statuses
      where delivery_key in (select idempotency_key from deliveries where contact_id = ${id}
                             order by created_at desc limit ${limit})
      order by recorded_at, at`;
    const byDelivery = new Map<
      string,
      { status: string; at: Date; code: string | null; detail: string | null }[]
    >();
    for (const r of rows) {
      const list = byDelivery.get(r.delivery_key) ?? [];
      list.push({ status: r.status, at: r.at, code: r.provider_code, detail: r.detail });
      byDelivery.set(r.delivery_key, list);
    }
    return byDelivery;
  }

  /** The contact and its records: enrollments, steps, deliveries, events and points. */
  async history(id: string, limit = 200) {
    const { sql } = this;
    const [row] = await sql<(ContactRow & { created_at: Date; updated_at: Date })[]>`
      select ${this.withAddresses()} from contacts c where c.id = ${id}`;
    if (!row) return undefined;
    const [enrollments, steps, deliveries, events, points] = await Promise.all([
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
          channel: string | null;
          reason: string | null;
          until: Date | null;
          at: Date;
        }[]
      >`select workflow_id, flow_id, flow_version, node_id, kind, exit, channel, reason, until, at from journey_steps
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
          lifecycle: string;
          lifecycle_at: Date | null;
          lifecycle_code: string | null;
        }[]
      >`select idempotency_key, flow_id, flow_version, node_id, channel, connector, status, error, created_at, sent_at,
               lifecycle, lifecycle_at, lifecycle_code
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
    const statuses = await this.messageStatusesOf(id, limit);
    return {
      contact: { ...contactFromRow(row), createdAt: row.created_at, updatedAt: row.updated_at },
      enrollments: enrollments.map((e) => ({
        workflowId: e.workflow_id,
        runId: e.run_id,
        flowId: e.flow_id,
        version: e.flow_version,
        startedAt: e.started_at,
        finishedAt: e.finished_at,
        outcome: e.outcome ? { kind: e.outcome, nodeId: e.outcome_node, ...e.outcome_detail } : null,
        finalVersion: e.final_version,
      })),
      journey: steps.map((s) => ({
        workflowId: s.workflow_id,
        flowId: s.flow_id,
        version: s.flow_version,
        nodeId: s.node_id,
        kind: s.kind,
        ...(s.exit ? { exit: s.exit } : {}),
        ...(s.channel ? { channel: s.channel } : {}),
        ...(s.reason ? { reason: s.reason } : {}),
        ...(s.until ? { until: s.until } : {}),
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
        lifecycle: statuses.get(d.idempotency_key)?.find((entry) => entry.status === d.lifecycle) ?? {
          status: d.lifecycle,
          at: d.lifecycle_at ?? d.created_at,
          code: d.lifecycle_code,
          detail: null,
        },
        statuses: statuses.get(d.idempotency_key) ?? [],
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

/** What integrators hear of a contact's opt-outs changing: each channel opted out of or back in to. */
function optOutEvents(
  contactId: string,
  before: readonly string[],
  after: readonly string[],
): IntegratorEventInput[] {
  return [
    ...after
      .filter((channel) => !before.includes(channel))
      .map(
        (channel): IntegratorEventInput => ({ type: 'contact.unsubscribed', data: { contactId, channel } }),
      ),
    ...before
      .filter((channel) => !after.includes(channel))
      .map(
        (channel): IntegratorEventInput => ({ type: 'contact.resubscribed', data: { contactId, channel } }),
      ),
  ];
}
