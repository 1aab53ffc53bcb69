import { SendError, type SendErrorKind } from '../connector';

/**
 * What the SMS and Official Account connectors put in `SendError.details`: the base fields plus
 * `optedOut`, set when the provider says the recipient unsubscribed or blocked the sender.
 */
export interface ProviderErrorDetails {
  providerCode?: string | number;
  retryAfterMs?: number;
  /** The provider says this recipient refuses messages on this channel: mark the contact unsubscribed. */
  optedOut?: boolean;
}

/** A `SendError` that carries the extended details; the runtime still sees a plain `SendError`. */
export class ProviderSendError extends SendError {
  constructor(kind: SendErrorKind, message: string, details: ProviderErrorDetails = {}) {
    super(kind, message, details);
  }
}

/**
 * The recipient unsubscribed (replied R/TD/STOP, is on the provider's do-not-disturb list, or no
 * longer follows the Official Account). Always permanent: the runtime should record the contact as
 * unsubscribed from the message's channel and take the step's failure path.
 */
export class OptedOutError extends ProviderSendError {
  readonly optedOut = true;
  constructor(message: string, details: Omit<ProviderErrorDetails, 'optedOut' | 'retryAfterMs'> = {}) {
    super('permanent', message, { ...details, optedOut: true });
  }
}

/** Whether a send failed because the recipient opted out (works for any `SendError` with the flag). */
export function isOptedOut(error: unknown): boolean {
  return error instanceof SendError && (error.details as ProviderErrorDetails | undefined)?.optedOut === true;
}
