import type { MessageStatus } from '@sopflow/core/api';
import type { DeliveryLifecycle, MessageStatusRepository } from '../persistence';

/** The statuses of a message that reached the person or went further, in the order they happen. */
const PROGRESS: readonly MessageStatus[] = ['queued', 'sent', 'delivered', 'read', 'clicked'];
/** Statuses that end a message: it did not reach the person. */
const FAILURES: ReadonlySet<string> = new Set<MessageStatus>(['failed', 'bounced', 'rejected', 'suppressed']);
/** Statuses that prove the person had the message: a failure reported after them is history only. */
const RECEIVED: ReadonlySet<string> = new Set<MessageStatus>(['read', 'clicked']);

/**
 * Whether a message standing at `current` moves to `next`. Forward only: a late `delivered` after
 * `read` stays in the history, and the first failure ends the message with its provider's code.
 */
export function messageStatusAdvances(current: string, next: string): boolean {
  if (FAILURES.has(current)) return false;
  if (FAILURES.has(next)) return !RECEIVED.has(current);
  return PROGRESS.indexOf(next as MessageStatus) > PROGRESS.indexOf(current as MessageStatus);
}

/** A status of a message, as a send, a follow-up or a provider's callback reports it. */
export interface MessageStatusReport {
  status: MessageStatus;
  /** When it happened (the provider's time where it gives one). @default now */
  at?: Date;
  /** The provider's code, or a suppression's reason. */
  code?: string;
  /** The provider's words for it. */
  detail?: string;
}

/** Which delivery a report is about: its idempotency key, or the provider's message id. */
export type MessageRef = { key: string } | { connector: string; providerMessageId: string };

/** A message whose current status changed: what integrators hear about (`onChange`). */
export interface MessageStatusChange {
  delivery: DeliveryLifecycle;
  previous: string;
  status: MessageStatus;
  at: Date;
  code?: string;
  detail?: string;
}

export type MessageStatusOutcome =
  | { kind: 'unknown-message' }
  | { kind: 'duplicate' }
  /** Kept in the history; `moved`: now where the message stands. */
  | { kind: 'recorded'; moved: boolean };

/**
 * Every status change of every message goes through `recordMessageStatus`: sends, the follow-up
 * of providers that deliver later (WeCom mass sends), and provider callbacks (SMS reports, email
 * bounces, template send results). Each status is kept once per message, whatever a provider
 * repeats; listeners (`onChange`) hear each change of where a message stands, once.
 */
export class MessageStatuses {
  private readonly listeners: ((change: MessageStatusChange) => void | Promise<void>)[] = [];

  constructor(private readonly repository: MessageStatusRepository) {}

  /** Calls `listener` after each change of a message's current status (not for history-only records). */
  onChange(listener: (change: MessageStatusChange) => void | Promise<void>): void {
    this.listeners.push(listener);
  }

  async recordMessageStatus(ref: MessageRef, report: MessageStatusReport): Promise<MessageStatusOutcome> {
    const key =
      'key' in ref
        ? ref.key
        : await this.repository.keyByProviderMessageId([ref.connector], ref.providerMessageId);
    if (!key) return { kind: 'unknown-message' };
    const at = report.at ?? new Date();
    const recorded = await this.repository.record(
      key,
      { status: report.status, at, providerCode: report.code ?? null, detail: report.detail ?? null },
      messageStatusAdvances,
    );
    if (recorded.kind === 'unknown-delivery') return { kind: 'unknown-message' };
    if (recorded.kind === 'duplicate') return { kind: 'duplicate' };
    if (recorded.moved) {
      const change: MessageStatusChange = {
        delivery: recorded.delivery,
        previous: recorded.previous,
        status: report.status,
        at,
        ...(report.code === undefined ? {} : { code: report.code }),
        ...(report.detail === undefined ? {} : { detail: report.detail }),
      };
      for (const listener of this.listeners) {
        try {
          await listener(change);
        } catch (error) {
          // A listener's failure is its own: the status is recorded, and the provider is answered.
          console.error(`A message status listener failed on ${key}: ${(error as Error).message}`);
        }
      }
    }
    return { kind: 'recorded', moved: recorded.moved };
  }
}
