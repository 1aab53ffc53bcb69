import {
  type ConnectorInstance,
  type Recipient as ConnectorRecipient,
  createUnsubscribeToken,
  type FollowUpOutcome,
  isOptedOut,
  type OutboundMessage,
} from '@sopflow/connectors';
import { renderTemplate } from '@sopflow/core';
import type { DeliverInput, DeliverResult, FollowDeliveryResult } from '@sopflow/workflows';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { Sql } from 'postgres';
import { permanentFailure, toActivityFailure } from './failures';

export interface Route {
  /** The connector's name, recorded with each delivery. */
  connector: string;
  instance: ConnectorInstance;
}

/** Margin kept inside a provider's dedup window: clocks and the call itself take time. */
const DEDUP_MARGIN_MS = 60_000;

type Gate =
  | { kind: 'send' }
  | { kind: 'unconfirmed' }
  | { kind: 'duplicate'; providerMessageId?: string }
  | { kind: 'failed'; error: string }
  | { kind: 'opted-out' }
  | { kind: 'capped'; retryAt: number };

/** Where unsubscribe links point and what signs them. */
export interface UnsubscribeLinks {
  publicUrl: string;
  secret: string;
}

/** Renders every templated part of a message for one recipient. */
function renderMessage(input: DeliverInput, links: UnsubscribeLinks | undefined) {
  const { message, data } = input;
  const render = (text: string) => renderTemplate(text, data);
  const html = message.format === 'html';
  const contactId = input.recipient.kind === 'contact' ? data.contact.id : undefined;
  const out: Omit<OutboundMessage, 'idempotencyKey' | 'channel' | 'to' | 'origin'> = {
    // HTML bodies escape every value, so contact data cannot inject markup.
    text: renderTemplate(message.text, data, { escapeHtml: html }),
    ...(message.format ? { format: message.format } : {}),
    ...(message.subject === undefined ? {} : { subject: render(message.subject) }),
    ...(message.mentions ? { mentions: message.mentions.map(render).filter(Boolean) } : {}),
    ...(message.template
      ? {
          template: {
            id: message.template.id,
            params: Object.fromEntries(
              Object.entries(message.template.params).map(([k, v]) => [k, render(v)]),
            ),
          },
        }
      : {}),
    ...(message.articles
      ? {
          articles: message.articles.map((a) => ({
            title: render(a.title),
            url: render(a.url),
            ...(a.description === undefined ? {} : { description: render(a.description) }),
            ...(a.picUrl === undefined ? {} : { picUrl: render(a.picUrl) }),
          })),
        }
      : {}),
    ...(links && contactId
      ? {
          unsubscribeUrl: `${links.publicUrl.replace(/\/$/, '')}/u/${createUnsubscribeToken(links.secret, {
            contactId,
            channel: input.channel,
          })}`,
        }
      : {}),
  };
  return { out, groupId: renderGroup(input) };
}

/** The group a message names (e.g. `{{ event.chatId }}`), rendered; none for a message to a person. */
function renderGroup(input: DeliverInput): string | undefined {
  return input.message.group === undefined ? undefined : renderTemplate(input.message.group, input.data);
}

/** Who a message goes to: the contact or the staff member, in a group when the message names one. */
function recipientOf(input: DeliverInput, groupId: string | undefined): ConnectorRecipient {
  const person: ConnectorRecipient =
    input.recipient.kind === 'contact' ? input.data.contact : input.recipient.staff;
  return groupId === undefined ? person : { ...person, groupId };
}

/**
 * Records the delivery, then sends it once. The record and the frequency-cap count happen under
 * a per-contact lock, so concurrent flows and workers cannot together exceed a contact's cap.
 */
export async function deliver(
  sql: Sql,
  route: Route | undefined,
  input: DeliverInput,
  links?: UnsubscribeLinks,
): Promise<DeliverResult> {
  if (!route) throw permanentFailure(`No connector is configured for the channel "${input.channel}".`);
  const contactId = input.recipient.kind === 'contact' ? input.data.contact.id : null;
  // A template that fails on this contact's data (or passes a render limit) fails the same way on
  // every attempt: the send fails for good, as the dry-run shows it, instead of retrying forever.
  let rendered: ReturnType<typeof renderMessage>;
  try {
    rendered = renderMessage(input, links);
  } catch (error) {
    throw permanentFailure(`The message cannot be rendered: ${(error as Error).message}`);
  }
  const { out, groupId } = rendered;
  const to = recipientOf(input, groupId);
  const key = input.idempotencyKey;
  const followUp = route.instance.followUp && {
    everyMs: route.instance.followUp.everyMs,
    giveUpAfterMs: route.instance.followUp.giveUpAfterMs,
  };

  const gate = await sql.begin(async (tx): Promise<Gate> => {
    if (contactId) await tx`select pg_advisory_xact_lock(hashtext(${contactId}))`;
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
      where idempotency_key = ${key}`;
    if (existing?.status === 'sent')
      return { kind: 'duplicate', providerMessageId: existing.provider_message_id ?? undefined };
    if (existing?.status === 'failed') return { kind: 'failed', error: existing.error ?? 'failed before' };
    if (existing?.status === 'unconfirmed') return { kind: 'unconfirmed' };
    if (existing?.status === 'sending') {
      // A worker died during the provider call: the message may have gone out. Send again only
      // through the same connector and while its provider still drops a repeat; otherwise a
      // second message could reach the person, so record the doubt instead.
      const age = Date.now() - (existing.sending_since?.getTime() ?? 0);
      const window = route.instance.dedupWindowMs ?? 0;
      const safe = existing.connector === route.connector && age < window - DEDUP_MARGIN_MS;
      if (safe) return { kind: 'send' };
      await tx`update deliveries set status = 'unconfirmed', error = 'interrupted mid-call' where idempotency_key = ${key}`;
      return { kind: 'unconfirmed' };
    }
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
                                flow_version, node_id, status, workflow_time, sending_since)
        values (${key}, ${contactId}, ${contactId ?? `staff:${to.id}`}, ${input.channel}, ${route.connector},
                ${input.workflowId}, ${input.flowId}, ${input.flowVersion}, ${input.nodeId}, 'sending',
                ${new Date(input.at)}, now())`;
    } else if (existing.status !== 'sending') {
      await tx`
        update deliveries set status = 'sending', sending_since = now(), connector = ${route.connector}
        where idempotency_key = ${key}`;
    }
    return { kind: 'send' };
  });

  switch (gate.kind) {
    case 'duplicate':
      return {
        ok: true,
        status: 'duplicate',
        providerMessageId: gate.providerMessageId,
        ...(followUp && gate.providerMessageId ? { followUp } : {}),
      };
    case 'unconfirmed':
      return { ok: true, status: 'unconfirmed' };
    case 'failed':
      throw permanentFailure(gate.error);
    case 'opted-out':
      return { ok: false, reason: 'opted-out', message: `The contact unsubscribed from ${input.channel}.` };
    case 'capped':
      return { ok: false, reason: 'capped', message: 'The frequency cap is reached.', retryAt: gate.retryAt };
    case 'send':
      break;
  }

  try {
    const result = await route.instance.send({
      idempotencyKey: key,
      channel: input.channel,
      to,
      ...out,
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
    return {
      ok: true,
      status: result.status,
      providerMessageId: result.providerMessageId,
      ...(followUp && result.providerMessageId ? { followUp } : {}),
    };
  } catch (error) {
    if (contactId && isOptedOut(error)) {
      // The provider says this person refuses the channel: never try it again, in any flow.
      await sql.begin(async (tx) => {
        await tx`
          update contacts set unsubscribed = array_append(unsubscribed, ${input.channel}), updated_at = now()
          where id = ${contactId} and not (${input.channel} = any(unsubscribed))`;
        await tx`update deliveries set status = 'failed', error = 'opted out' where idempotency_key = ${key}`;
      });
      return { ok: false, reason: 'opted-out', message: (error as Error).message };
    }
    const failure = toActivityFailure(error);
    const final = 'nonRetryable' in failure && failure.nonRetryable;
    // The provider answered, so we know where we stand: failed for good, or not sent and free to retry.
    await sql`
      update deliveries set status = ${final ? 'failed' : 'pending'}, error = ${failure.message}
      where idempotency_key = ${key}`;
    throw failure;
  }
}

/**
 * What became of a delivery its provider took but has still to hand over. Throws a retryable
 * failure while it is pending: the workflow's retry policy is the polling schedule.
 */
export async function followDelivery(
  sql: Sql,
  route: Route | undefined,
  input: DeliverInput,
): Promise<FollowDeliveryResult> {
  const [row] = await sql<
    {
      status: string;
      connector: string;
      provider_message_id: string | null;
      error: string | null;
      confirmed_at: Date | null;
    }[]
  >`
    select status, connector, provider_message_id, error, confirmed_at from deliveries
    where idempotency_key = ${input.idempotencyKey}`;
  if (!row?.provider_message_id)
    throw permanentFailure('There is no delivery with a provider message to follow.');
  if (row.confirmed_at) return { delivered: true };
  if (row.status === 'failed') return { delivered: false, message: row.error ?? 'failed' };
  const followUp = route?.connector === row.connector ? route.instance.followUp : undefined;
  if (!followUp)
    throw permanentFailure(
      `The channel "${input.channel}" no longer goes through ${row.connector}; cannot follow the message.`,
    );
  let groupId: string | undefined;
  try {
    groupId = renderGroup(input);
  } catch (error) {
    throw permanentFailure(`The message cannot be rendered: ${(error as Error).message}`);
  }
  let outcome: FollowUpOutcome;
  try {
    outcome = await followUp.check(row.provider_message_id, recipientOf(input, groupId));
  } catch (error) {
    throw toActivityFailure(error);
  }
  switch (outcome.state) {
    case 'pending':
      // Benign: the expected answer while staff have not acted; logged at debug, not as a failure.
      throw ApplicationFailure.create({
        message: 'The provider has not delivered the message yet.',
        type: 'pending',
        category: ApplicationFailureCategory.BENIGN,
      });
    case 'delivered':
      await sql`
        update deliveries set confirmed_at = ${new Date(outcome.at ?? Date.now())}
        where idempotency_key = ${input.idempotencyKey}`;
      return { delivered: true };
    case 'failed':
      await sql`
        update deliveries set status = 'failed', error = ${outcome.message}
        where idempotency_key = ${input.idempotencyKey}`;
      return { delivered: false, message: outcome.message };
  }
}
