import { createHash, randomUUID } from 'node:crypto';
import { flowContactView, quietHoursEnd, zoneFor } from '@sopflow/core';
import type { MessageRequest, MessageSent } from '@sopflow/core/api';
import type { DeliverInput } from '@sopflow/workflows';
import { deliver, type Route, type UnsubscribeLinks } from '../activities/deliver';
import type { Database } from '../persistence';
import type { MessageStatuses } from './message-status';

/** The rules a message sent through the API follows unless it is transactional. */
export interface MessageRules {
  /** At most `max` messages to a contact per `perMs`, counted with flows' sends. @default none */
  cap?: { max: number; perMs: number };
  /** No message in this window of the contact's day (`HH:MM`, may cross midnight). @default none */
  quietHours?: { start: string; end: string };
  /** The zone of contacts that have none. @default UTC */
  zone?: string;
}

/** Why a message was not sent, with the field at fault when a request named what does not exist. */
export type MessageRefusal =
  | { code: 'contact_not_found'; field: 'contactId' }
  | { code: 'unknown_channel'; field: 'channel' }
  | { code: 'no_address'; field: 'channel'; kinds: string[] }
  | { code: 'opted_out' }
  | { code: 'quiet_hours'; until: number }
  | { code: 'capped'; until: number }
  | { code: 'send_failed'; message: string };

export type MessageOutcome = { ok: true; sent: MessageSent } | { ok: false; refusal: MessageRefusal };

/** Where API messages are recorded as coming from: no flow, one step. */
const ORIGIN = {
  flowId: 'api:messages',
  flowName: 'API messages',
  flowVersion: 0,
  nodeId: 'message',
} as const;

/**
 * Transactional sends (`POST /api/messages`): one message to one contact, through the send step's
 * own delivery (`deliver`: the contact's lock, opt-outs, the frequency cap, the delivery record,
 * the connector, the status webhooks), so there is one send path. Quiet hours are a flow's timer,
 * so here a message inside them is refused with when they end, rather than held.
 */
export class Messages {
  constructor(
    private readonly store: Database,
    private readonly routes: (channel: string) => Promise<Route | undefined>,
    private readonly reach: Readonly<Record<string, readonly string[]>>,
    private readonly rules: MessageRules,
    /** Where each message's lifecycle is recorded, as for flow sends. */
    private readonly statuses: Pick<MessageStatuses, 'recordMessageStatus'>,
    private readonly links?: UnsubscribeLinks,
  ) {}

  /** Sends the message once per idempotency key (a new message without one). */
  async send(request: MessageRequest, idempotencyKey: string | undefined): Promise<MessageOutcome> {
    const kinds = this.reach[request.channel];
    if (!kinds) return refused({ code: 'unknown_channel', field: 'channel' });
    const contact = await this.store.contacts.get(request.contactId);
    if (!contact) return refused({ code: 'contact_not_found', field: 'contactId' });
    if (contact.unsubscribed.includes(request.channel)) return refused({ code: 'opted_out' });
    if (!kinds.some((kind) => contact.addresses[kind]))
      return refused({ code: 'no_address', field: 'channel', kinds: [...kinds] });
    const transactional = request.transactional ?? false;
    const now = Date.now();
    if (!transactional && this.rules.quietHours) {
      const zone = zoneFor(contact.timezone, this.rules.zone ?? 'UTC');
      const until = quietHoursEnd(now, this.rules.quietHours, zone);
      if (until !== undefined) return refused({ code: 'quiet_hours', until });
    }
    const messageId = `msg:${idempotencyKey ? createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32) : randomUUID()}`;
    const data = request.data ?? {};
    const input: DeliverInput = {
      ...ORIGIN,
      idempotencyKey: messageId,
      workflowId: messageId,
      at: now,
      channel: request.channel,
      message: request.message,
      recipient: { kind: 'contact' },
      data: Object.assign(
        {
          contact: flowContactView(contact),
          event: data,
          lastEvent: null,
          http: {},
          flow: { id: ORIGIN.flowId, name: ORIGIN.flowName, version: ORIGIN.flowVersion },
        },
        { data },
      ),
      ...(!transactional && this.rules.cap ? { cap: this.rules.cap } : {}),
    };
    try {
      const result = await deliver(
        { deliveries: this.store.deliveries, statuses: this.statuses },
        await this.routes(request.channel),
        input,
        this.links,
      );
      if (!result.ok) {
        if (result.reason === 'opted-out') return refused({ code: 'opted_out' });
        if (result.reason === 'capped') return refused({ code: 'capped', until: result.retryAt ?? now });
        return refused({ code: 'send_failed', message: result.message });
      }
      return {
        ok: true,
        sent: {
          messageId,
          status: result.status,
          contactId: contact.id,
          channel: request.channel,
          transactional,
          ...(result.providerMessageId ? { providerMessageId: result.providerMessageId } : {}),
        },
      };
    } catch (error) {
      // A retryable failure (the provider is down) is thrown on: the caller retries with the same key.
      if ((error as { nonRetryable?: boolean }).nonRetryable)
        return refused({ code: 'send_failed', message: (error as Error).message });
      throw error;
    }
  }
}

const refused = (refusal: MessageRefusal): MessageOutcome => ({ ok: false, refusal });
