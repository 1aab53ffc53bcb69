import { randomUUID } from 'node:crypto';
import type {
  IntegratorDelivery,
  IntegratorDeliveryQuery,
  IntegratorEventData,
  IntegratorEventType,
} from '@sopflow/core/api';
import type { Sql, TransactionSql } from 'postgres';

/** An event to tell integrators about, as the place where it happened names it. */
export type IntegratorEventInput = {
  [T in IntegratorEventType]: {
    type: T;
    data: IntegratorEventData[T];
    /** What deliveries keep the order of: the contact by default. */
    orderingKey?: string;
  };
}[IntegratorEventType];

export interface SubscriptionRow {
  id: string;
  url: string;
  secret: string;
  eventTypes: IntegratorEventType[];
  description: string;
  enabled: boolean;
  pending: number;
  failed: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A delivery a worker has taken (leased) to send now. */
export interface DueDelivery {
  subscriptionId: string;
  seq: string;
  attempts: number;
  event: { id: string; type: IntegratorEventType; createdAt: string; data: Record<string, unknown> };
}

type Queryable = Sql | TransactionSql;

interface SubscriptionSqlRow {
  id: string;
  url: string;
  secret: string;
  event_types: IntegratorEventType[];
  description: string;
  enabled: boolean;
  pending: number;
  failed: number;
  created_at: Date;
  updated_at: Date;
}

const subscriptionOf = (r: SubscriptionSqlRow): SubscriptionRow => ({
  id: r.id,
  url: r.url,
  secret: r.secret,
  eventTypes: r.event_types,
  description: r.description,
  enabled: r.enabled,
  pending: Number(r.pending),
  failed: Number(r.failed),
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** The key an event's deliveries keep the order of. */
function orderingKeyOf(event: IntegratorEventInput): string {
  if (event.orderingKey) return event.orderingKey;
  const data = event.data as { contactId?: string | null; campaignId?: string };
  if (data.contactId) return `contact:${data.contactId}`;
  if (data.campaignId) return `campaign:${data.campaignId}`;
  return 'none';
}

/**
 * Tells integrators about one event: call it with the transaction that writes what the event
 * reports (see `IntegratorWebhookRepository.publish`). The one function every emitter goes through.
 */
export function publishIntegratorEvent<T extends IntegratorEventType>(
  sql: Queryable,
  type: T,
  data: IntegratorEventData[T],
  orderingKey?: string,
): Promise<void> {
  return IntegratorWebhookRepository.publish(sql, [{ type, data, orderingKey } as IntegratorEventInput]);
}

/** Subscriptions of integrators, the events they are told about and the delivery log. */
export class IntegratorWebhookRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * Records events and one delivery per subscription that wants each, on the transaction (or
   * pool) given: called inside the transaction that writes what the event reports, so the fact
   * and its delivery commit together. An event no subscription wants is not kept.
   */
  static async publish(sql: Queryable, events: readonly IntegratorEventInput[]): Promise<void> {
    for (const event of events) {
      const data = event.data as { contactId?: string | null };
      await sql`
        with wanted as (
          select id from integrator_subscriptions where enabled and ${event.type} = any(event_types)
        ), event as (
          insert into integrator_events (id, type, ordering_key, contact_id, data)
          select ${`evt_${randomUUID()}`}, ${event.type}, ${orderingKeyOf(event)}, ${data.contactId ?? null},
                 ${sql.json(event.data as never)}
          where exists (select 1 from wanted)
          returning seq, ordering_key
        )
        insert into integrator_deliveries (subscription_id, event_seq, ordering_key)
        select wanted.id, event.seq, event.ordering_key from wanted, event`;
    }
  }

  /** `publish` outside any other transaction. */
  publish(events: readonly IntegratorEventInput[]): Promise<void> {
    return IntegratorWebhookRepository.publish(this.sql, events);
  }

  private selectSubscriptions(where: ReturnType<Sql>) {
    return this.sql<SubscriptionSqlRow[]>`
      select s.*,
        (select count(*) from integrator_deliveries d where d.subscription_id = s.id and d.status = 'pending') as pending,
        (select count(*) from integrator_deliveries d where d.subscription_id = s.id and d.status = 'failed') as failed
      from integrator_subscriptions s ${where} order by s.created_at, s.id`;
  }

  async list(): Promise<SubscriptionRow[]> {
    return (await this.selectSubscriptions(this.sql``)).map(subscriptionOf);
  }

  async get(id: string): Promise<SubscriptionRow | undefined> {
    const [row] = await this.selectSubscriptions(this.sql`where s.id = ${id}`);
    return row && subscriptionOf(row);
  }

  async create(s: {
    id: string;
    url: string;
    secret: string;
    eventTypes: readonly string[];
    description: string;
    enabled: boolean;
  }): Promise<void> {
    await this.sql`
      insert into integrator_subscriptions (id, url, secret, event_types, description, enabled)
      values (${s.id}, ${s.url}, ${s.secret}, ${s.eventTypes as string[]}, ${s.description}, ${s.enabled})`;
  }

  /** Changes the fields given; false when there is no such subscription. */
  async update(
    id: string,
    change: {
      url?: string;
      secret?: string;
      eventTypes?: readonly string[];
      description?: string;
      enabled?: boolean;
    },
  ): Promise<boolean> {
    const { sql } = this;
    const rows = await sql`
      update integrator_subscriptions set
        url = coalesce(${change.url ?? null}, url),
        secret = coalesce(${change.secret ?? null}, secret),
        event_types = coalesce(${(change.eventTypes as string[] | undefined) ?? null}::text[], event_types),
        description = coalesce(${change.description ?? null}, description),
        enabled = coalesce(${change.enabled ?? null}::boolean, enabled),
        updated_at = now()
      where id = ${id} returning id`;
    return rows.length > 0;
  }

  /** Removes a subscription with its delivery log. */
  async remove(id: string): Promise<boolean> {
    const rows = await this.sql`delete from integrator_subscriptions where id = ${id} returning id`;
    return rows.length > 0;
  }

  /** Enabled subscriptions with a delivery due now. */
  async subscriptionsDue(): Promise<{ id: string; url: string; secret: string }[]> {
    return this.sql<{ id: string; url: string; secret: string }[]>`
      select s.id, s.url, s.secret from integrator_subscriptions s
      where s.enabled and exists (
        select 1 from integrator_deliveries d
        where d.subscription_id = s.id and d.status = 'pending' and d.next_attempt_at <= now())`;
  }

  /**
   * Takes up to `limit` deliveries of a subscription to send now, each the oldest pending one of
   * its ordering key (so a key's events go out in order), and leases them for `leaseMs`: another
   * worker takes neither them nor what follows them until they are settled or the lease ends.
   */
  async takeDue(subscriptionId: string, limit: number, leaseMs: number): Promise<DueDelivery[]> {
    const rows = await this.sql<
      {
        subscription_id: string;
        event_seq: string;
        attempts: number;
        id: string;
        type: IntegratorEventType;
        created_at: Date;
        data: Record<string, unknown>;
      }[]
    >`
      update integrator_deliveries d set next_attempt_at = now() + ${leaseMs} * interval '1 millisecond'
      from (
        select h.subscription_id, h.event_seq from integrator_deliveries h
        where h.subscription_id = ${subscriptionId} and h.status = 'pending' and h.next_attempt_at <= now()
          and not exists (
            select 1 from integrator_deliveries p
            where p.subscription_id = h.subscription_id and p.ordering_key = h.ordering_key
              and p.status = 'pending' and p.event_seq < h.event_seq)
        order by h.event_seq limit ${limit}
        for update skip locked
      ) due, integrator_events e
      where d.subscription_id = due.subscription_id and d.event_seq = due.event_seq and e.seq = d.event_seq
      returning d.subscription_id, d.event_seq, d.attempts, e.id, e.type, e.created_at, e.data`;
    return rows.map((r) => ({
      subscriptionId: r.subscription_id,
      seq: String(r.event_seq),
      attempts: r.attempts,
      event: { id: r.id, type: r.type, createdAt: r.created_at.toISOString(), data: r.data },
    }));
  }

  async markDelivered(subscriptionId: string, seq: string, responseCode: number): Promise<void> {
    await this.sql`
      update integrator_deliveries set status = 'delivered', attempts = attempts + 1, delivered_at = now(),
        last_attempt_at = now(), response_code = ${responseCode}, last_error = null
      where subscription_id = ${subscriptionId} and event_seq = ${seq}`;
  }

  /** An attempt failed: tried again after `retryInMs`, or given up on (`failed`) when it is undefined. */
  async markAttemptFailed(
    subscriptionId: string,
    seq: string,
    failure: { responseCode: number | null; error: string; retryInMs: number | undefined },
  ): Promise<void> {
    const { sql } = this;
    await sql`
      update integrator_deliveries set attempts = attempts + 1, last_attempt_at = now(),
        response_code = ${failure.responseCode}, last_error = ${failure.error.slice(0, 1000)},
        ${
          failure.retryInMs === undefined
            ? sql`status = 'failed'`
            : sql`next_attempt_at = now() + ${failure.retryInMs} * interval '1 millisecond'`
        }
      where subscription_id = ${subscriptionId} and event_seq = ${seq}`;
  }

  /** The delivery log of a subscription, newest first. */
  async log(subscriptionId: string, query: IntegratorDeliveryQuery): Promise<IntegratorDelivery[]> {
    const { sql } = this;
    const rows = await sql<
      {
        id: string;
        type: IntegratorEventType;
        contact_id: string | null;
        data: Record<string, unknown>;
        event_created_at: Date;
        status: IntegratorDelivery['status'];
        attempts: number;
        response_code: number | null;
        last_error: string | null;
        last_attempt_at: Date | null;
        next_attempt_at: Date;
        delivered_at: Date | null;
      }[]
    >`
      select e.id, e.type, e.contact_id, e.data, e.created_at as event_created_at, d.status, d.attempts,
             d.response_code, d.last_error, d.last_attempt_at, d.next_attempt_at, d.delivered_at
      from integrator_deliveries d join integrator_events e on e.seq = d.event_seq
      where d.subscription_id = ${subscriptionId}
      ${query.status ? sql`and d.status = ${query.status}` : sql``}
      order by d.event_seq desc limit ${query.limit ?? 100}`;
    return rows.map((r) => ({
      eventId: r.id,
      eventType: r.type,
      contactId: r.contact_id,
      status: r.status,
      attempts: r.attempts,
      responseCode: r.response_code,
      lastError: r.last_error,
      lastAttemptAt: r.last_attempt_at?.toISOString() ?? null,
      nextAttemptAt: r.status === 'pending' ? r.next_attempt_at.toISOString() : null,
      deliveredAt: r.delivered_at?.toISOString() ?? null,
      createdAt: r.event_created_at.toISOString(),
      event: { id: r.id, type: r.type, createdAt: r.event_created_at.toISOString(), data: r.data },
    }));
  }

  /** Queues a logged delivery to be sent again now; false when the subscription never had the event. */
  async replay(subscriptionId: string, eventId: string): Promise<boolean> {
    const rows = await this.sql`
      update integrator_deliveries d set status = 'pending', attempts = 0, next_attempt_at = now(), delivered_at = null
      from integrator_events e
      where e.id = ${eventId} and d.event_seq = e.seq and d.subscription_id = ${subscriptionId}
      returning d.event_seq`;
    return rows.length > 0;
  }
}
