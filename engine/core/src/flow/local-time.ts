import { DateTime, IANAZone } from 'luxon';

/**
 * Local-time arithmetic for waits and quiet hours. Pure: every function takes the instant it
 * reasons about, so the workflow (Temporal's deterministic clock) and the dry-run (a virtual
 * clock) get the same answers.
 */

export function isTimeZone(name: string): boolean {
  return IANAZone.isValidZone(name);
}

/** The zone to use for a contact: theirs when valid, else the flow's. */
export function zoneFor(contactZone: string | undefined, flowZone: string): string {
  return contactZone && isTimeZone(contactZone) ? contactZone : flowZone;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

export interface LocalTimeSpec {
  /** `HH:mm` */
  time: string;
  /** ISO weekdays (1 = Monday). */
  weekdays?: number[];
  /** `YYYY-MM-DD` */
  date?: string;
}

/**
 * The first instant strictly after `at` whose local time in `zone` is `spec.time` (on one of
 * `spec.weekdays`, or on `spec.date`). A date already past gives `at` itself: the wait is over.
 */
export function nextLocalTime(at: number, spec: LocalTimeSpec, zone: string): number {
  const now = DateTime.fromMillis(at, { zone });
  const minutes = minutesOf(spec.time);
  const on = (day: DateTime) =>
    day.set({ hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0, millisecond: 0 });
  if (spec.date) {
    const target = on(DateTime.fromISO(spec.date, { zone }));
    return Math.max(target.toMillis(), at);
  }
  for (let offset = 0; offset <= 8; offset++) {
    const candidate = on(now.startOf('day').plus({ days: offset }));
    if (candidate.toMillis() <= at) continue;
    if (spec.weekdays && !spec.weekdays.includes(candidate.weekday)) continue;
    return candidate.toMillis();
  }
  // Unreachable with a valid weekday list; a day later keeps the caller safe regardless.
  return at + 24 * 3600 * 1000;
}

/**
 * When `at` falls inside the quiet window (`start` to `end`, which may cross midnight) in `zone`,
 * the instant the window ends; otherwise undefined.
 */
export function quietHoursEnd(
  at: number,
  quiet: { start: string; end: string },
  zone: string,
): number | undefined {
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return undefined;
  const now = DateTime.fromMillis(at, { zone });
  const minute = now.hour * 60 + now.minute;
  const inside = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (!inside) return undefined;
  return nextLocalTime(at, { time: quiet.end }, zone);
}

/** The contact's calendar date (`YYYY-MM-DD`) at `at`. */
export function localDate(at: number, zone: string): string {
  return DateTime.fromMillis(at, { zone }).toISODate()!;
}

/** The number of days between two `YYYY-MM-DD` dates (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round(
    DateTime.fromISO(b, { zone: 'UTC' }).diff(DateTime.fromISO(a, { zone: 'UTC' }), 'days').days,
  );
}
