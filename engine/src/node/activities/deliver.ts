import type { ConnectorInstance, Recipient as ConnectorRecipient } from '@sopflow/connectors';
import type { DeliverInput, DeliverResult } from '@sopflow/workflows';
import type { Sql } from 'postgres';
import { renderTemplate } from '../../index';
import { permanentFailure, toActivityFailure } from './failures';

export interface Route {
  /** The connector's name, recorded with each delivery. */
  connector: string;
  instance: ConnectorInstance;
}

type Gate =
  | { kind: 'send' }
  | { kind: 'duplicate'; providerMessageId?: string }
  | { kind: 'failed'; error: string }
  | { kind: 'opted-out' }
  | { kind: 'capped'; retryAt: number };

/**
 * Records the delivery, then sends it once. The record and the frequency-cap count happen under
 * a per-contact lock, so concurrent flows and workers cannot together exceed a contact's cap.
 */
export async function deliver(
  sql: Sql,
  route: Route | undefined,
  input: DeliverInput,
): Promise<DeliverResult> {
  if (!route) throw permanentFailure(`No connector is configured for the channel "${input.channel}".`);
  const contactId = input.recipient.kind === 'contact' ? input.data.contact.id : null;
  const to: ConnectorRecipient =
    input.recipient.kind === 'contact' ? input.data.contact : input.recipient.staff;
  const key = input.idempotencyKey;

  const gate = await sql.begin(async (tx): Promise<Gate> => {
    if (contactId) await tx`select pg_advisory_xact_lock(hashtext(${contactId}))`;
    const [existing] = await tx<
      { status: string; provider_message_id: string | null; error: string | null }[]
    >`
      select status, provider_message_id, error from deliveries where idempotency_key = ${key}`;
    if (existing?.status === 'sent')
      return { kind: 'duplicate', providerMessageId: existing.provider_message_id ?? undefined };
    if (existing?.status === 'failed') return { kind: 'failed', error: existing.error ?? 'failed before' };
    if (contactId) {
      const [contact] = await tx<
        { unsubscribed: string[] }[]
      >`select unsubscribed from contacts where id = ${contactId}`;
      if (contact?.unsubscribed.includes(input.channel)) return { kind: 'opted-out' };
      if (!existing && input.cap) {
        // Counted on the workflows' clock, which is the wall clock in production and the skipped
        // clock in time-skipping tests, so both agree with the dry-run.
        const recent = await tx<{ at: Date }[]>`
          select coalesce(workflow_time, created_at) as at from deliveries
          where contact_id = ${contactId} and status <> 'failed'
            and coalesce(workflow_time, created_at) > ${new Date(input.at - input.cap.perMs)}
          order by 1`;
        if (recent.length >= input.cap.max) {
          // The cap allows another send once enough of the window's sends have aged out of it.
          return {
            kind: 'capped',
            retryAt: recent[recent.length - input.cap.max]!.at.getTime() + input.cap.perMs,
          };
        }
      }
    }
    if (!existing) {
      await tx`
        insert into deliveries (idempotency_key, contact_id, recipient, channel, connector, workflow_id, flow_id,
                                flow_version, node_id, status, workflow_time)
        values (${key}, ${contactId}, ${contactId ?? `staff:${to.id}`}, ${input.channel}, ${route.connector},
                ${input.workflowId}, ${input.flowId}, ${input.flowVersion}, ${input.nodeId}, 'pending',
                ${new Date(input.at)})`;
    }
    return { kind: 'send' };
  });

  switch (gate.kind) {
    case 'duplicate':
      return { ok: true, status: 'duplicate', providerMessageId: gate.providerMessageId };
    case 'failed':
      throw permanentFailure(gate.error);
    case 'opted-out':
      return { ok: false, reason: 'opted-out', message: `The contact unsubscribed from ${input.channel}.` };
    case 'capped':
      return { ok: false, reason: 'capped', message: 'The frequency cap is reached.', retryAt: gate.retryAt };
    case 'send':
      break;
  }

  const text = renderTemplate(input.message.text, input.data);
  const subject =
    input.message.subject === undefined ? undefined : renderTemplate(input.message.subject, input.data);
  try {
    const result = await route.instance.send({
      idempotencyKey: key,
      channel: input.channel,
      to,
      text,
      ...(subject === undefined ? {} : { subject }),
      origin: {
        workflowId: input.workflowId,
        flowId: input.flowId,
        flowVersion: input.flowVersion,
        nodeId: input.nodeId,
      },
    });
    await sql`
      update deliveries set status = 'sent', sent_at = now(), provider_message_id = ${result.providerMessageId ?? null}
      where idempotency_key = ${key}`;
    return { ok: true, status: result.status, providerMessageId: result.providerMessageId };
  } catch (error) {
    const failure = toActivityFailure(error);
    if (failure instanceof Error && 'nonRetryable' in failure && failure.nonRetryable) {
      await sql`update deliveries set status = 'failed', error = ${failure.message} where idempotency_key = ${key}`;
    }
    throw failure;
  }
}
