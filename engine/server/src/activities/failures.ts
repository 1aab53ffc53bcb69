import { SendError } from '@sopflow/connectors';
import { ApplicationFailure } from '@temporalio/common';

/** A failure no retry can mend: the workflow takes the step's failure path. */
export function permanentFailure(message: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type: 'permanent', nonRetryable: true });
}

/** Maps a connector's failure to what Temporal should do: retry, wait as asked, or give up. */
export function toActivityFailure(error: unknown): Error {
  if (!(error instanceof SendError)) return error instanceof Error ? error : new Error(String(error));
  if (error.kind === 'permanent') return permanentFailure(error.message);
  if (error.kind === 'rate-limited') {
    return ApplicationFailure.create({
      message: error.message,
      type: 'rate-limited',
      nextRetryDelay: error.details.retryAfterMs ?? 60_000,
    });
  }
  return ApplicationFailure.create({ message: error.message, type: 'retryable' });
}
