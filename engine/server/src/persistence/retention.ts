import type { RetentionPurgeReport, RetentionSettings } from '@sopflow/core/api';
import type { Sql } from 'postgres';

/** A kind of record the purge deletes by age: its table and the column that dates a row. */
const PURGED = {
  deliveries: { table: 'deliveries', at: 'created_at', setting: 'deliveriesDays' },
  outbox: { table: 'outbox', at: 'created_at', setting: 'outboxDays' },
  events: { table: 'events', at: 'received_at', setting: 'eventsDays' },
  journeySteps: { table: 'journey_steps', at: 'at', setting: 'journeysDays' },
  // Only finished journeys: a run still going keeps its enrollment, however old.
  enrollments: { table: 'enrollments', at: 'finished_at', setting: 'journeysDays' },
  // A batch record marks a journey's steps as recorded (a retried recording is a no-op): kept as long as they are.
  journeyBatches: { table: 'journey_batches', at: 'recorded_at', setting: 'journeysDays' },
} as const satisfies Record<
  keyof RetentionPurgeReport,
  { table: string; at: string; setting: keyof RetentionSettings }
>;

/** Retention settings, and the deletion of rows past them. */
export class RetentionRepository {
  constructor(private readonly sql: Sql) {}

  async settings(): Promise<RetentionSettings> {
    const [row] = await this.sql<
      {
        deliveries_days: number | null;
        outbox_days: number | null;
        events_days: number | null;
        journeys_days: number | null;
      }[]
    >`select deliveries_days, outbox_days, events_days, journeys_days from retention_settings`;
    return {
      deliveriesDays: row?.deliveries_days ?? null,
      outboxDays: row?.outbox_days ?? null,
      eventsDays: row?.events_days ?? null,
      journeysDays: row?.journeys_days ?? null,
    };
  }

  /** Stores the settings; 0 is stored as null (for ever). */
  async save(settings: RetentionSettings): Promise<RetentionSettings> {
    const days = (n: number | null) => (n ? n : null);
    await this.sql`
      insert into retention_settings (id, deliveries_days, outbox_days, events_days, journeys_days, updated_at)
      values (true, ${days(settings.deliveriesDays)}, ${days(settings.outboxDays)}, ${days(settings.eventsDays)},
              ${days(settings.journeysDays)}, now())
      on conflict (id) do update set deliveries_days = excluded.deliveries_days, outbox_days = excluded.outbox_days,
        events_days = excluded.events_days, journeys_days = excluded.journeys_days, updated_at = now()`;
    return this.settings();
  }

  /**
   * Deletes rows older than the settings say, `batch` rows per statement so no statement holds
   * locks for long; `progress` is told after each batch (the activity's heartbeat). Answers the
   * counts deleted per kind.
   */
  async purge(now: Date, batch: number, progress: () => void = () => {}): Promise<RetentionPurgeReport> {
    const settings = await this.settings();
    const report: RetentionPurgeReport = {
      deliveries: 0,
      outbox: 0,
      events: 0,
      journeySteps: 0,
      enrollments: 0,
      journeyBatches: 0,
    };
    for (const [kind, { table, at, setting }] of Object.entries(PURGED) as [
      keyof RetentionPurgeReport,
      (typeof PURGED)[keyof RetentionPurgeReport],
    ][]) {
      const days = settings[setting];
      if (!days) continue;
      const before = new Date(now.getTime() - days * 86_400_000);
      for (;;) {
        const deleted = await this.sql`
          delete from ${this.sql(table)} where ctid = any(array(
            select ctid from ${this.sql(table)} where ${this.sql(at)} < ${before} limit ${batch}))`;
        report[kind] += deleted.count;
        progress();
        if (deleted.count < batch) break;
      }
    }
    return report;
  }
}
