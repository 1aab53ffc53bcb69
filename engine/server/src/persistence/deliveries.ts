import type { OutboundMessage } from '@sopflow/connectors';
import type { MessageStatus } from '@sopflow/core/api';
import type { Sql, TransactionSql } from 'postgres';
import { publishIntegratorEvent } from './integrator-webhooks';

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

/** What the record of a delivery allows, decided under the contact's lock. */
export type SendGate =
  | { kind: 'send' }
  | { kind: 'unconfirmed' }
  | { kind: 'duplicate'; providerMessageId?: string }
  | { kind: 'failed'; error: string }
  | { kind: 'opted-out' }
  | { kind: 'capped'; retryAt: number };

export interface SendClaim {
  /** The delivery's idempotency key. */
  key: string;
  /** The contact it goes to; null for a message to staff. */
  contactId: string | null;
  /** Who it goes to, as recorded: the contact id or `staff:<id>`. */
  recipient: string;
  channel: string;
  connector: string;
  origin: { workflowId: string; flowId: string; flowVersion: number; nodeId: string };
  /** The workflow's time of the step (epoch ms): what frequency caps count on. */
  at: number;
  cap?: { max: number; perMs: number };
  /** Whether a send cut off mid-call may go out again through this connector. */
  mayResend: (connector: string, sendingSince: Date | null) => boolean;
}

/** A delivery a provider took, as following it up needs it. */
export interface FollowState {
  status: string;
  connector: string;
  provider_message_id: string | null;
  error: string | null;
  confirmed_at: Date | null;
}

/** What `message.status_changed` says of a delivery. */
interface DeliveryRef {
  idempotency_key: string;
  contact_id: string | null;
  channel: string;
  connector: string;
  flow_id: string;
  flow_version: number;
  node_id: string;
  workflow_id: string;
  provider_message_id: string | null;
}

/** The columns of `DeliveryRef`, for `returning`. */
const DELIVERY_REF: string[] = [
  'idempotency_key',
  'contact_id',
  'channel',
  'connector',
  'flow_id',
  'flow_version',
  'node_id',
  'workflow_id',
  'provider_message_id',
];

/** Tells integrators a delivery's status changed, in the transaction that changed it. */
async function statusChanged(
  tx: TransactionSql,
  rows: readonly DeliveryRef[],
  status: MessageStatus,
  reason?: string,
): Promise<void> {
  for (const r of rows)
    await publishIntegratorEvent(tx, 'message.status_changed', {
      messageId: r.idempotency_key,
      status,
      contactId: r.contact_id,
      channel: r.channel,
      connector: r.connector,
      flowId: r.flow_id,
      flowVersion: r.flow_version,
      nodeId: r.node_id,
      workflowId: r.workflow_id,
      ...(r.provider_message_id ? { providerMessageId: r.provider_message_id } : {}),
      ...(reason === undefined ? {} : { reason }),
    });
}

/** Deliveries of messages and the outbox (messages "sent" where no provider is configured). */
export class DeliveryRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * Records the delivery as sending, unless its record, the contact's opt-outs or the frequency
   * cap say otherwise. A per-contact lock makes concurrent flows and workers count the cap together.
   */
  claim(claim: SendClaim): Promise<SendGate> {
    return this.sql.begin(async (tx): Promise<SendGate> => {
      if (claim.contactId) await tx`select pg_advisory_xact_lock(hashtext(${claim.contactId}))`;
      const [existing] = await tx<
        {
          status: string;
          provider_message_id: string | null;
          error: string | null;
          connector: string;
          sending_since: Date | null;
        }[]
      >`
        select status, provider_message_id, error, connector, sending_since from deliveries
        where idempotency_key = ${claim.key}`;
      if (existing?.status === 'sent')
        return { kind: 'duplicate', providerMessageId: existing.provider_message_id ?? undefined };
      if (existing?.status === 'failed') return { kind: 'failed', error: existing.error ?? 'failed before' };
      if (existing?.status === 'unconfirmed') return { kind: 'unconfirmed' };
      if (existing?.status === 'sending') {
        if (claim.mayResend(existing.connector, existing.sending_since)) return { kind: 'send' };
        await tx`update deliveries set status = 'unconfirmed', error = 'interrupted mid-call' where idempotency_key = ${claim.key}`;
        return { kind: 'unconfirmed' };
      }
      if (claim.contactId) {
        const [contact] = await tx<
          { unsubscribed: string[] }[]
        >`select unsubscribed from contacts where id = ${claim.contactId}`;
        if (contact?.unsubscribed.includes(claim.channel)) return { kind: 'opted-out' };
        if (!existing && claim.cap) {
          // Counted on the workflows' clock, which is the wall clock in production and the skipped
          // clock in time-skipping tests, so both agree with the dry-run.
          const recent = await tx<{ at: Date }[]>`
            select coalesce(workflow_time, created_at) as at from deliveries
            where contact_id = ${claim.contactId} and status <> 'failed'
              and coalesce(workflow_time, created_at) > ${new Date(claim.at - claim.cap.perMs)}
            order by 1`;
          if (recent.length >= claim.cap.max) {
            // The cap allows another send once enough of the window's sends have aged out of it.
            return {
              kind: 'capped',
              retryAt: recent[recent.length - claim.cap.max]!.at.getTime() + claim.cap.perMs,
            };
          }
        }
      }
      if (!existing) {
        await tx`
          insert into deliveries (idempotency_key, contact_id, recipient, channel, connector, workflow_id, flow_id,
                                  flow_version, node_id, status, workflow_time, sending_since)
          values (${claim.key}, ${claim.contactId}, ${claim.recipient}, ${claim.channel}, ${claim.connector},
                  ${claim.origin.workflowId}, ${claim.origin.flowId}, ${claim.origin.flowVersion}, ${claim.origin.nodeId}, 'sending',
                  ${new Date(claim.at)}, now())`;
      } else if (existing.status !== 'sending') {
        await tx`
          update deliveries set status = 'sending', sending_since = now(), connector = ${claim.connector}
          where idempotency_key = ${claim.key}`;
      }
      return { kind: 'send' };
    });
  }

  /** The outbox connector's send: the message recorded instead of sent, once per idempotency key. */
  async recordOutbox(message: OutboundMessage): Promise<{ id: string } | undefined> {
    const rows = await this.sql<{ id: string }[]>`
      insert into outbox (idempotency_key, workflow_id, flow_id, flow_version, node_id, contact_id, channel, body)
      values (${message.idempotencyKey}, ${message.origin.workflowId}, ${message.origin.flowId},
              ${message.origin.flowVersion}, ${message.origin.nodeId}, ${message.to.id}, ${message.channel},
              ${message.subject ? `${message.subject}\n\n${message.text}` : message.text})
      on conflict (idempotency_key) do nothing
      returning id`;
    const row = rows[0];
    return row && { id: String(row.id) };
  }

  async markSent(key: string, providerMessageId: string | undefined): Promise<void> {
    await this.sql.begin(async (tx) => {
      const rows = await tx<DeliveryRef[]>`
        update deliveries set status = 'sent', sent_at = now(), provider_message_id = ${providerMessageId ?? null}
        where idempotency_key = ${key} returning ${tx(DELIVERY_REF)}`;
      await statusChanged(tx, rows, 'sent');
    });
  }

  /** The provider says the contact refuses the channel: never try it again, in any flow. */
  async markOptedOut(key: string, contactId: string, channel: string): Promise<void> {
    await this.sql.begin(async (tx) => {
      const optedOut = await tx`
        update contacts set unsubscribed = array_append(unsubscribed, ${channel}), updated_at = now()
        where id = ${contactId} and not (${channel} = any(unsubscribed)) returning id`;
      if (optedOut.length > 0)
        await publishIntegratorEvent(tx, 'contact.unsubscribed', { contactId, channel });
      const rows = await tx<DeliveryRef[]>`
        update deliveries set status = 'failed', error = 'opted out' where idempotency_key = ${key}
        returning ${tx(DELIVERY_REF)}`;
      await statusChanged(tx, rows, 'rejected', 'opted out');
    });
  }

  /** The provider answered with an error: failed for good, or pending and free to retry. */
  async markAttemptFailed(key: string, status: 'failed' | 'pending', error: string): Promise<void> {
    if (status === 'failed') return this.markFailed(key, error);
    await this.sql`update deliveries set status = ${status}, error = ${error} where idempotency_key = ${key}`;
  }

  async followState(key: string): Promise<FollowState | undefined> {
    const [row] = await this.sql<FollowState[]>`
      select status, connector, provider_message_id, error, confirmed_at from deliveries
      where idempotency_key = ${key}`;
    return row;
  }

  async confirm(key: string, at: Date): Promise<void> {
    await this.sql`update deliveries set confirmed_at = ${at} where idempotency_key = ${key}`;
  }

  async markFailed(key: string, error: string): Promise<void> {
    await this.sql.begin(async (tx) => {
      const rows = await tx<DeliveryRef[]>`
        update deliveries set status = 'failed', error = ${error} where idempotency_key = ${key}
        returning ${tx(DELIVERY_REF)}`;
      await statusChanged(tx, rows, 'failed', error);
    });
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
