import type { Sql } from 'postgres';

/** A status of a message, as the lifecycle table records it. */
export interface MessageStatusRecord {
  status: string;
  at: Date;
  providerCode: string | null;
  detail: string | null;
}

/** The delivery a status belongs to, as it stands after the status was recorded. */
export interface DeliveryLifecycle {
  idempotencyKey: string;
  contactId: string | null;
  workflowId: string;
  flowId: string;
  flowVersion: number;
  nodeId: string;
  channel: string;
  connector: string;
  providerMessageId: string | null;
  lifecycle: string;
  lifecycleAt: Date | null;
  lifecycleCode: string | null;
}

/** What recording one status did. */
export type RecordedStatus =
  | { kind: 'unknown-delivery' }
  /** The delivery already had this status: nothing changed. */
  | { kind: 'duplicate'; delivery: DeliveryLifecycle }
  /** Kept in the delivery's history; `moved` when it is where the message stands now. */
  | { kind: 'recorded'; moved: boolean; previous: string; delivery: DeliveryLifecycle };

interface DeliveryRow {
  idempotency_key: string;
  contact_id: string | null;
  workflow_id: string;
  flow_id: string;
  flow_version: number;
  node_id: string;
  channel: string;
  connector: string;
  provider_message_id: string | null;
  lifecycle: string;
  lifecycle_at: Date | null;
  lifecycle_code: string | null;
}

const fromRow = (r: DeliveryRow): DeliveryLifecycle => ({
  idempotencyKey: r.idempotency_key,
  contactId: r.contact_id,
  workflowId: r.workflow_id,
  flowId: r.flow_id,
  flowVersion: r.flow_version,
  nodeId: r.node_id,
  channel: r.channel,
  connector: r.connector,
  providerMessageId: r.provider_message_id,
  lifecycle: r.lifecycle,
  lifecycleAt: r.lifecycle_at,
  lifecycleCode: r.lifecycle_code,
});

/** The lifecycle of deliveries: each status once, and where each message stands now. */
export class MessageStatusRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * Records a status of a delivery once (per delivery and status), under the delivery's row lock,
   * and makes it the delivery's current one when `advances(current, status)` says so.
   */
  record(
    key: string,
    status: MessageStatusRecord,
    advances: (current: string, next: string) => boolean,
  ): Promise<RecordedStatus> {
    return this.sql.begin(async (tx): Promise<RecordedStatus> => {
      const [row] = await tx<DeliveryRow[]>`
        select idempotency_key, contact_id, workflow_id, flow_id, flow_version, node_id, channel, connector,
               provider_message_id, lifecycle, lifecycle_at, lifecycle_code
        from deliveries where idempotency_key = ${key} for update`;
      if (!row) return { kind: 'unknown-delivery' };
      const inserted = await tx`
        insert into message_statuses (delivery_key, status, at, provider_code, detail)
        values (${key}, ${status.status}, ${status.at}, ${status.providerCode}, ${status.detail})
        on conflict (delivery_key, status) do nothing
        returning status`;
      if (inserted.length === 0) return { kind: 'duplicate', delivery: fromRow(row) };
      const previous = row.lifecycle;
      if (!advances(previous, status.status))
        return { kind: 'recorded', moved: false, previous, delivery: fromRow(row) };
      const [moved] = await tx<DeliveryRow[]>`
        update deliveries set lifecycle = ${status.status}, lifecycle_at = ${status.at},
                              lifecycle_code = ${status.providerCode}
        where idempotency_key = ${key}
        returning idempotency_key, contact_id, workflow_id, flow_id, flow_version, node_id, channel, connector,
                  provider_message_id, lifecycle, lifecycle_at, lifecycle_code`;
      return { kind: 'recorded', moved: true, previous, delivery: fromRow(moved!) };
    });
  }

  /**
   * The delivery a provider names by its message id, among those sent through `connectors`; the
   * newest when a provider reuses ids.
   */
  async keyByProviderMessageId(
    connectors: readonly string[],
    providerMessageId: string,
  ): Promise<string | undefined> {
    const [row] = await this.sql<{ idempotency_key: string }[]>`
      select idempotency_key from deliveries
      where provider_message_id = ${providerMessageId} and connector in ${this.sql(connectors as string[])}
      order by created_at desc limit 1`;
    return row?.idempotency_key;
  }
}
