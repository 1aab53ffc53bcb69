import type { Contact, MessageContent } from '@sopflow/engine';

/** What the `deliver` activity needs to render and send one message. */
export interface DeliverInput {
  /** Stable across retries, replays and worker crashes: the same key is never sent twice. */
  idempotencyKey: string;
  workflowId: string;
  flowId: string;
  flowName: string;
  flowVersion: number;
  nodeId: string;
  channel: string;
  message: MessageContent;
  contact: Contact;
  event: Record<string, unknown>;
}

export interface DeliverResult {
  /** `duplicate` when the key had been delivered before (a retry after a crash). */
  status: 'sent' | 'duplicate';
  providerMessageId?: string;
}

/**
 * The activities the contact flow workflow calls; the worker implements them.
 * A permanent failure is thrown as a non-retryable ApplicationFailure.
 */
export interface SopflowActivities {
  deliver(input: DeliverInput): Promise<DeliverResult>;
}
