import { proxyActivities } from '@temporalio/workflow';
import type { SopflowActivities } from './activities';

const { purgeExpired } = proxyActivities<SopflowActivities>({
  startToCloseTimeout: '1 hour',
  // Told after every batch: a worker lost mid-purge is noticed in minutes, and the retry goes on from where the rows are.
  heartbeatTimeout: '5 minutes',
  // The next day's pass tries again.
  retry: { initialInterval: '1 minute', maximumAttempts: 3 },
});

/**
 * One pass of the retention purge, started daily by the Temporal Schedule the server keeps
 * (`sopflow-retention-purge`): deletes deliveries, outbox messages, events and finished journeys
 * older than the retention settings say. Its result counts what it deleted.
 */
export async function retentionPurge(): Promise<Record<string, number>> {
  return purgeExpired();
}
