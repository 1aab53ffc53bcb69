import { z } from 'zod';
import { LocalTime, TimeZone } from '../../flow/fields';
import { defineNode, form, nodeSchema } from '../define';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The most a day's length or a local clock moves across a daylight-saving change. */
const DST_SLACK = HOUR;

/** Waits until the next local time of day, optionally on given weekdays or a date. */
export const WaitUntilNode = nodeSchema('wait_until', {
  time: LocalTime.meta(form('Time of day', '时刻', { widget: 'time' })),
  /** ISO weekdays, 1 = Monday … 7 = Sunday; any day when left out. */
  weekdays: z
    .array(z.number().int().min(1).max(7))
    .min(1)
    .max(7)
    .optional()
    .meta(form('On', '星期', { widget: 'weekdays' })),
  /** A calendar date `YYYY-MM-DD`; once it has passed, the wait ends at once. */
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'A date is written YYYY-MM-DD. / 日期写作 YYYY-MM-DD。' })
    .optional()
    .meta(form('On the date', '日期', { widget: 'date' })),
  /** Whose clock: the contact's time zone (falling back to the flow's) unless one is named. */
  timezone: TimeZone.optional().meta(
    form('Time zone', '时区', {
      widget: 'timezone',
      help: { en: "Contact's, else the flow's", zh: '联系人的时区，否则用流程的' },
    }),
  ),
});
export type WaitUntilNode = z.infer<typeof WaitUntilNode>;

export const waitUntil = defineNode({
  schema: WaitUntilNode,
  words: {
    label: { en: 'Wait until', zh: '等到时间' },
    hint: { en: 'Until a local time of day', zh: '等到当地的某个时刻' },
  },
  idPrefix: 'wait-until',
  // A wait for a date ends at once once the date has passed: it does not hold a loop back.
  waits: (node) => node.date === undefined,
  timing: {
    longest(node) {
      if (node.date !== undefined) return Number.POSITIVE_INFINITY;
      const days = [...new Set(node.weekdays ?? [1, 2, 3, 4, 5, 6, 7])].sort((a, b) => a - b);
      const gaps = days.map((d, i) => (i + 1 < days.length ? days[i + 1]! - d : days[0]! + 7 - d));
      return Math.max(...gaps) * DAY + DST_SLACK;
    },
    // On a named time zone it runs on another clock than the contact's quiet hours.
    endsAt: (node) => (node.date === undefined && !node.timezone ? node.time : undefined),
  },
  defaults: () => ({ time: '20:00' }),
});
