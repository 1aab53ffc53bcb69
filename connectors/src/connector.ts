import type { Sql } from 'postgres';
import type { z } from 'zod';

/**
 * One interface for every channel provider. A connector describes its configuration with a
 * zod schema (the builder draws its form from it), sends one message, and says of every
 * failure whether a retry can help.
 */

/** Whom a message goes to: the contact's addresses, each connector reads the one it needs. */
export interface Recipient {
  id: string;
  name?: string;
  email?: string;
  phone?: string;
  wecomUserId?: string;
}

export interface OutboundMessage {
  /** Stable across retries and crashes; a connector must not send the same key twice. */
  idempotencyKey: string;
  /** The sopflow channel the flow chose (`wechat`, `email`, `sms`, ...). */
  channel: string;
  to: Recipient;
  /** The rendered text. */
  text: string;
  subject?: string;
  /** Where the message comes from, for records and provider-side tags. */
  origin: { workflowId: string; flowId: string; flowVersion: number; nodeId: string };
}

export interface SendResult {
  /** `duplicate`: this idempotency key went out before; nothing was sent now. */
  status: 'sent' | 'duplicate';
  providerMessageId?: string;
}

/**
 * - `retryable`: a passing fault (timeout, 5xx, busy); try again with backoff.
 * - `rate-limited`: the provider asked us to slow down; wait `retryAfterMs`, then try again.
 * - `permanent`: it will never succeed (bad address, unsubscribed, outside the allowed window).
 */
export type SendErrorKind = 'retryable' | 'rate-limited' | 'permanent';

export class SendError extends Error {
  override readonly name = 'SendError';
  constructor(
    readonly kind: SendErrorKind,
    message: string,
    readonly details: { providerCode?: string | number; retryAfterMs?: number } = {},
  ) {
    super(message);
  }
}

/** What the runtime hands a connector when it creates one. */
export interface ConnectorContext {
  sql: Sql;
}

export interface ConnectorInstance {
  send(message: OutboundMessage): Promise<SendResult>;
  close?(): Promise<void>;
}

export interface Connector<Config = unknown> {
  /** A unique name, e.g. `outbox`, `wecom-app`, `smtp`. */
  name: string;
  description: string;
  /** The sopflow channels this connector can deliver on. */
  channels: readonly string[];
  configSchema: z.ZodType<Config>;
  create(config: Config, context: ConnectorContext): ConnectorInstance;
}

/** Declares a connector with its config type inferred from its schema. */
export function defineConnector<Schema extends z.ZodType>(
  connector: Connector<z.infer<Schema>> & { configSchema: Schema },
): Connector<z.infer<Schema>> {
  return connector;
}
