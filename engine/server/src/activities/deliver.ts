import {
  type Capability,
  type ConnectorInstance,
  type Recipient as ConnectorRecipient,
  createUnsubscribeToken,
  type FollowUpOutcome,
  isOptedOut,
  type OutboundMessage,
  SendError,
} from '@sopflow/connectors';
import { contactAddresses, renderTemplate } from '@sopflow/core';
import type { DeliverInput, DeliverResult, FollowDeliveryResult } from '@sopflow/workflows';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { DeliveryRepository } from '../persistence';
import type { MessageStatuses } from '../services/message-status';
import { permanentFailure, toActivityFailure } from './failures';

export interface Route {
  /** The connector's name, recorded with each delivery. */
  connector: string;
  instance: ConnectorInstance;
  /** What the connector carries besides text (`welcome`: new-friend welcomes). @default none */
  capabilities?: readonly Capability[];
}

/** Margin kept inside a provider's dedup window: clocks and the call itself take time. */
const DEDUP_MARGIN_MS = 60_000;

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
  const { contact } = input.data;
  const person: ConnectorRecipient =
    input.recipient.kind === 'contact'
      ? { id: contact.id, ...(contact.name ? { name: contact.name } : {}), ...contactAddresses(contact) }
      : input.recipient.staff;
  return groupId === undefined ? person : { ...person, groupId };
}

/** Where a delivery is recorded: its send gate, and the lifecycle of its message. */
export interface DeliveryRecords {
  deliveries: DeliveryRepository;
  statuses: Pick<MessageStatuses, 'recordMessageStatus'>;
}

/**
 * Records the delivery, then sends it once. The record and the frequency-cap count happen under
 * a per-contact lock, so concurrent flows and workers cannot together exceed a contact's cap. The
 * message's lifecycle follows: queued, then sent, rejected (refused for good at the send),
 * failed (after retries) or suppressed (the provider says the person opted out).
 */
export async function deliver(
  { deliveries, statuses }: DeliveryRecords,
  route: Route | undefined,
  input: DeliverInput,
  links?: UnsubscribeLinks,
): Promise<DeliverResult> {
  if (!route) throw permanentFailure(`No connector is configured for the channel "${input.channel}".`);
  const welcome = input.welcome && route.capabilities?.includes('welcome') ? input.welcome : undefined;
  if (input.welcome && !welcome && input.welcome.otherwise === 'failed') {
    // Nothing was sent: the step's failed exit, as when the code cannot be used.
    throw permanentFailure(
      `The channel "${input.channel}" goes through ${route.connector}, which cannot send a new-friend welcome.`,
    );
  }
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

  const gate = await deliveries.claim({
    key,
    contactId,
    recipient: contactId ?? `staff:${to.id}`,
    channel: input.channel,
    connector: route.connector,
    origin: input,
    at: input.at,
    cap: input.cap,
    // A worker died during the provider call: the message may have gone out. Send again only
    // through the same connector and while its provider still drops a repeat; otherwise a
    // second message could reach the person, so record the doubt instead.
    mayResend: (connector, sendingSince) =>
      connector === route.connector &&
      Date.now() - (sendingSince?.getTime() ?? 0) < (route.instance.dedupWindowMs ?? 0) - DEDUP_MARGIN_MS,
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

  await statuses.recordMessageStatus({ key }, { status: 'queued' });
  try {
    const result = await route.instance.send({
      idempotencyKey: key,
      channel: input.channel,
      to,
      ...out,
      ...(welcome ? { welcome } : {}),
      origin: {
        workflowId: input.workflowId,
        flowId: input.flowId,
        flowVersion: input.flowVersion,
        nodeId: input.nodeId,
      },
    });
    await deliveries.markSent(key, result.providerMessageId);
    await statuses.recordMessageStatus({ key }, { status: 'sent' });
    return {
      ok: true,
      status: result.status,
      providerMessageId: result.providerMessageId,
      ...(followUp && result.providerMessageId ? { followUp } : {}),
    };
  } catch (error) {
    if (contactId && isOptedOut(error)) {
      // The provider says this person refuses the channel: never try it again, in any flow.
      await deliveries.markOptedOut(key, contactId, input.channel);
      await statuses.recordMessageStatus(
        { key },
        { status: 'suppressed', code: 'opted-out', detail: (error as Error).message },
      );
      return { ok: false, reason: 'opted-out', message: (error as Error).message };
    }
    const failure = toActivityFailure(error);
    const final = 'nonRetryable' in failure && failure.nonRetryable;
    // The provider answered, so we know where we stand: failed for good, or not sent and free to retry.
    await deliveries.markAttemptFailed(key, final ? 'failed' : 'pending', failure.message);
    if (final)
      await statuses.recordMessageStatus(
        { key },
        {
          status: error instanceof SendError && error.details.bounced ? 'bounced' : 'rejected',
          ...providerCodeOf(error),
          detail: failure.message,
        },
      );
    throw failure;
  }
}

/** The provider's code of a send error, when it gave one. */
function providerCodeOf(error: unknown): { code?: string } {
  const code = error instanceof SendError ? error.details.providerCode : undefined;
  return code === undefined ? {} : { code: String(code) };
}

/**
 * What became of a delivery its provider took but has still to hand over. Throws a retryable
 * failure while it is pending: the workflow's retry policy is the polling schedule.
 */
export async function followDelivery(
  { deliveries, statuses }: DeliveryRecords,
  route: Route | undefined,
  input: DeliverInput,
): Promise<FollowDeliveryResult> {
  const row = await deliveries.followState(input.idempotencyKey);
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
    case 'delivered': {
      const at = new Date(outcome.at ?? Date.now());
      await deliveries.confirm(input.idempotencyKey, at);
      await statuses.recordMessageStatus({ key: input.idempotencyKey }, { status: 'delivered', at });
      return { delivered: true };
    }
    case 'failed':
      await deliveries.markFailed(input.idempotencyKey, outcome.message);
      await statuses.recordMessageStatus(
        { key: input.idempotencyKey },
        { status: 'failed', detail: outcome.message },
      );
      return { delivered: false, message: outcome.message };
  }
}
