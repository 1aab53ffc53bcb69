import { createHmac, randomUUID } from 'node:crypto';
import type { Sql, TransactionSql } from 'postgres';

/** The pool, or a transaction of it. */
type Runner = Sql | TransactionSql;

/**
 * The non-reversible reference of a contact id: HMAC-SHA256 under the server's secret key, so the
 * id is recognised when it comes again while a phone number or WeCom id cannot be read back from it
 * (nor guessed by hashing every phone number, without the key).
 */
export type ErasureRef = (contactId: string) => string;

/** `erasureRef` under a key (SOPFLOW_SECRET_KEY); without one, under a fixed key (then only a one-way hash). */
export function erasureRefUnder(secretKey: string | undefined): ErasureRef {
  const key = `sopflow-erasure:${secretKey ?? ''}`;
  return (contactId) => createHmac('sha256', key).update(contactId).digest('hex');
}

/** A write for contacts that were erased: refused, so erased data does not come back silently. */
export class ContactErasedError extends Error {
  readonly code = 'contact_erased';
  constructor(readonly contactIds: string[]) {
    super(
      contactIds.length === 1
        ? 'This contact was erased; an admin must lift the erasure before it can be created again. / ' +
            '该联系人已被删除（不可恢复），需管理员解除删除记录后才能重新创建。'
        : `${contactIds.length} of these contacts were erased; an admin must lift each erasure before they can be created again. / ` +
            `其中 ${contactIds.length} 个联系人已被删除（不可恢复），需管理员解除删除记录后才能重新创建。`,
    );
  }
}

/** What an erasure removed or made anonymous, per kind of record: counts only. */
export interface ErasureCounts {
  contacts: number;
  addresses: number;
  events: number;
  outbox: number;
  deliveriesAnonymised: number;
  enrollmentsAnonymised: number;
  journeyStepsAnonymised: number;
  pointsLedger: number;
  contactUpdates: number;
  connectorRecords: number;
  webhookAnswers: number;
  groupMemberships: number;
  auditEntriesAnonymised: number;
}

/** What an erased contact's address is remembered as (then referenced like an id): a provider cannot create them again by it. */
export const erasedAddressKey = (kind: string, matchKey: string) => `address:${kind}:${matchKey}`;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Erased contacts' tombstones, and the erasure itself: every table that holds a contact's data is
 * emptied of it here, in one transaction. Rows that statistics count (journey steps, enrollments,
 * deliveries) stay with the contact and its run ids replaced by random ones, so counts and distinct
 * counts hold and nothing leads back to the person.
 */
export class ErasureRepository {
  constructor(
    private readonly sql: Sql,
    readonly refOf: ErasureRef,
  ) {}

  /** Throws ContactErasedError when any of `contactIds` was erased (on `sql`, a transaction's or the pool's). */
  static async refuseErased(sql: Runner, refOf: ErasureRef, contactIds: readonly string[]): Promise<void> {
    if (contactIds.length === 0) return;
    const refs = contactIds.map(refOf);
    const rows = await sql<{ ref: string }[]>`select ref from contact_erasures where ref = any(${refs})`;
    if (rows.length === 0) return;
    const erased = new Set(rows.map((r) => r.ref));
    throw new ContactErasedError(contactIds.filter((_, i) => erased.has(refs[i]!)));
  }

  /** The ids among `contactIds` that were erased. */
  async erasedOf(contactIds: readonly string[]): Promise<string[]> {
    try {
      await ErasureRepository.refuseErased(this.sql, this.refOf, contactIds);
      return [];
    } catch (error) {
      if (error instanceof ContactErasedError) return error.contactIds;
      throw error;
    }
  }

  /** Keeps the tombstone, from now on refusing writes for the id; its reference. */
  async markErased(contactId: string): Promise<string> {
    const ref = this.refOf(contactId);
    await this.sql`insert into contact_erasures (ref) values (${ref}) on conflict do nothing`;
    return ref;
  }

  /** Lifts an erasure, so the id may be created again (an admin's deliberate act); false when there was none. */
  async lift(contactId: string): Promise<boolean> {
    const rows = await this
      .sql`delete from contact_erasures where ref = ${this.refOf(contactId)} returning 1`;
    return rows.length > 0;
  }

  /** The workflow ids of the contact's runs that Postgres knows of. */
  async workflowsOf(contactId: string): Promise<string[]> {
    const rows = await this.sql<{ workflow_id: string }[]>`
      select workflow_id from enrollments where contact_id = ${contactId}
      union select workflow_id from journey_steps where contact_id = ${contactId}
      union select workflow_id from deliveries where contact_id = ${contactId}
      union select workflow_id from outbox where contact_id = ${contactId}`;
    return rows.map((r) => r.workflow_id);
  }

  /**
   * Removes the contact's personal data from every table, in one transaction: the contact and its
   * addresses, events, outbox messages, points, the connectors' records of its sends and the
   * webhook answers naming it; its journeys, enrollments and deliveries lose the contact id, the
   * recipient and the run ids; audit entries name the reference instead of the id.
   * `workflowIds` are its runs (those Temporal knows of, besides Postgres's).
   */
  async erase(contactId: string, workflowIds: readonly string[]): Promise<ErasureCounts> {
    const ref = this.refOf(contactId);
    const workflows = [...new Set([...workflowIds, ...(await this.workflowsOf(contactId))])];
    // Random, not derived from the id: counts of distinct contacts and runs hold, and lead nowhere.
    const anonymous = `erased:${randomUUID()}`;
    const renamed = workflows.map(() => `erased:${randomUUID()}`);
    const inJson = JSON.stringify(contactId).slice(1, -1);
    const inUrl = encodeURIComponent(contactId);
    // An audit target names the contact as a whole path segment (`/api/contacts/<id>/…`).
    const inPath = `/(${escapeRegex(contactId)}|${escapeRegex(inUrl)})(?=/|$)`;
    return this.sql.begin(async (tx) => {
      await tx`insert into contact_erasures (ref) values (${ref}) on conflict do nothing`;
      const count = (rows: { count: number }) => rows.count;
      const addresses = await tx<{ kind: string; value: string; match_key: string }[]>`
        select kind, value, match_key from contact_addresses where contact_id = ${contactId}`;
      if (addresses.length > 0) {
        const refs = addresses.map((a) => this.refOf(erasedAddressKey(a.kind, a.match_key)));
        await tx`insert into contact_erasures (ref) select unnest(${refs}::text[]) on conflict do nothing`;
      }
      const values = addresses.map((a) => a.value);
      const groupMemberships = await tx`
        update wecom_groups set members = array(select m from unnest(members) m where m <> all(${values}::text[])),
          updated_at = now()
        where members && ${values}::text[]`;
      const renames = () => tx`unnest(${workflows}::text[], ${renamed}::text[]) as m(workflow_id, renamed)`;
      const journeySteps = await tx`
        update journey_steps j set contact_id = ${anonymous}, workflow_id = m.renamed from ${renames()}
        where j.workflow_id = m.workflow_id`;
      await tx`
        update journey_batches b set workflow_id = m.renamed from ${renames()} where b.workflow_id = m.workflow_id`;
      const enrollments = await tx`
        update enrollments e set contact_id = ${anonymous}, workflow_id = m.renamed, outcome_detail = null
        from ${renames()} where e.workflow_id = m.workflow_id`;
      await tx`
        update points_ledger p set workflow_id = m.renamed from ${renames()} where p.workflow_id = m.workflow_id`;
      const connectorRecords = await tx`
        delete from connector_records r
        where exists (select 1 from unnest(${workflows}::text[]) w where starts_with(r.key, w || '/'))`;
      // What providers said of its messages may name the person; which statuses they reached stays.
      await tx`
        update message_statuses s set detail = null from deliveries d
        where s.delivery_key = d.idempotency_key
          and (d.contact_id = ${contactId} or d.workflow_id = any(${workflows}::text[]))`;
      // Events for integrators not yet delivered carry the contact's data: they go with it.
      await tx`delete from integrator_events where contact_id = ${contactId}`;
      // A provider's callbacks kept for processing name the contact by an address or the id.
      await tx`
        delete from inbound_facts
        where exists (select 1 from unnest(${[...values, contactId]}::text[]) v where strpos(fact::text, v) > 0)`;
      const deliveries = await tx`
        update deliveries d set contact_id = ${anonymous}, recipient = '', idempotency_key = 'erased:' || gen_random_uuid(),
          workflow_id = coalesce((select m.renamed from ${renames()} where m.workflow_id = d.workflow_id), 'erased'),
          provider_message_id = null, error = null
        where d.contact_id = ${contactId} or d.workflow_id = any(${workflows}::text[])`;
      const outbox = await tx`
        delete from outbox where contact_id = ${contactId} or workflow_id = any(${workflows}::text[])`;
      const events = await tx`delete from events where contact_id = ${contactId}`;
      const pointsLedger = await tx`delete from points_ledger where contact_id = ${contactId}`;
      const contactUpdates = await tx`delete from contact_updates where contact_id = ${contactId}`;
      const webhookAnswers = await tx`
        delete from webhook_deliveries
        where strpos(response::text, ${inJson}) > 0 or strpos(response::text, ${inUrl}) > 0`;
      const audit = await tx`
        update audit_log set target = regexp_replace(target, ${inPath}, ${`/erased:${ref}`}, 'g')
        where target ~ ${inPath}`;
      const contacts = await tx`delete from contacts where id = ${contactId}`;
      return {
        contacts: count(contacts),
        addresses: addresses.length,
        events: count(events),
        outbox: count(outbox),
        deliveriesAnonymised: count(deliveries),
        enrollmentsAnonymised: count(enrollments),
        journeyStepsAnonymised: count(journeySteps),
        pointsLedger: count(pointsLedger),
        contactUpdates: count(contactUpdates),
        connectorRecords: count(connectorRecords),
        webhookAnswers: count(webhookAnswers),
        groupMemberships: count(groupMemberships),
        auditEntriesAnonymised: count(audit),
      };
    });
  }
}
