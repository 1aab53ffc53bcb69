import type { RetentionPurgeReport, RetentionSettings } from '@sopflow/core/api';
import { retentionPurge } from '@sopflow/workflows';
import type { Database } from '../persistence';
import type { TemporalGateway } from '../temporal/gateway';
import { isUnimplemented } from './connector-jobs';

/** The Temporal Schedule that starts the daily purge, and the id of each run it starts. */
export const RETENTION_PURGE_SCHEDULE = 'sopflow-retention-purge';

/** Rows deleted per statement: small enough that no statement holds its locks for long. */
const PURGE_BATCH = 5_000;

/**
 * How long deliveries, outbox messages, events and journeys are kept, and their purge: a daily
 * Temporal Schedule starts the `retentionPurge` workflow, whose activity deletes what is older
 * (the same mechanism as connectors' jobs, so a purge is seen, retried and timed in Temporal).
 */
export class Retention {
  constructor(
    private readonly store: Pick<Database, 'retention'>,
    private readonly temporal?: Pick<TemporalGateway, 'putSchedule'>,
  ) {}

  settings(): Promise<RetentionSettings> {
    return this.store.retention.settings();
  }

  save(settings: RetentionSettings): Promise<RetentionSettings> {
    return this.store.retention.save(settings);
  }

  /** One pass of the purge (the activity); `progress` is its heartbeat. */
  purge(now: Date, progress?: () => void): Promise<RetentionPurgeReport> {
    return this.store.retention.purge(now, PURGE_BATCH, progress);
  }

  /** Creates or updates the daily schedule (at start). A Temporal server without schedules is warned of. */
  async schedule(): Promise<void> {
    if (!this.temporal) return;
    try {
      await this.temporal.putSchedule(RETENTION_PURGE_SCHEDULE, {
        // Daily, at 03:17 UTC: a quiet hour in China, off the round hour every other job picks.
        spec: { calendars: [{ hour: 3, minute: 17 }] },
        start: { workflow: retentionPurge, args: [], workflowId: RETENTION_PURGE_SCHEDULE },
        overlap: 'SKIP',
        memo: { purpose: 'Deletes records older than the retention settings (GET /api/settings/retention).' },
      });
    } catch (error) {
      // Temporal's Java time-skipping test server has no schedules.
      if (!isUnimplemented(error)) throw error;
      console.warn('This Temporal server has no schedules: records are not purged on a timer.');
    }
  }
}
