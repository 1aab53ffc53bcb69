import { z } from 'zod';

/** Days to keep a kind of record; 0 or null keeps it for ever. */
const RetentionDays = z
  .number()
  .int({ error: 'A whole number of days. / 天数须为整数。' })
  .min(0, { error: 'Zero (keep for ever) or more days. / 须为 0（永久保留）或更多天。' })
  .max(36_500, { error: 'At most 36,500 days (100 years). / 最多 36500 天（100 年）。' })
  .nullable();

/**
 * How long sopflow keeps each kind of record (`GET/PUT /api/settings/retention`, admin): a daily
 * purge deletes deliveries, outbox messages, events and finished journeys older than this. 0 or
 * null keeps them for ever. New installations keep each for 400 days.
 */
export const RetentionSettings = z.object({
  /** Sends: recipient, channel, status (`deliveries`). */
  deliveriesDays: RetentionDays,
  /** Messages "sent" to the outbox, as rendered. */
  outboxDays: RetentionDays,
  /** Events posted for contacts, with their payloads. */
  eventsDays: RetentionDays,
  /** Finished journeys: their steps and enrollments. */
  journeysDays: RetentionDays,
});
export type RetentionSettings = z.infer<typeof RetentionSettings>;

/** What one purge deleted, per kind of record. */
export const RetentionPurgeReport = z.object({
  deliveries: z.number().int(),
  outbox: z.number().int(),
  events: z.number().int(),
  journeySteps: z.number().int(),
  enrollments: z.number().int(),
  journeyBatches: z.number().int(),
});
export type RetentionPurgeReport = z.infer<typeof RetentionPurgeReport>;
