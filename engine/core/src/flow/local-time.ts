import { DateTime, Duration, IANAZone } from 'luxon';

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

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
  millisecond?: number;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * The instant a wall clock in `zone` shows `wall`. A wall time the clock skips (inside a
 * daylight-saving gap) gives the first valid local time after the gap, the instant the clock
 * jumped: luxon would move it on by the gap's length (02:30 → 03:30 in New York), so a release at
 * 02:30 would come an hour late (half an hour on Lord Howe Island). A wall time shown twice (the
 * clocks going back) gives the first. Decided from the zone's offsets alone (luxon's own guess
 * starts from the real clock), so a workflow's replay gets the same instant.
 */
export function instantOfWallTime(wall: WallTime, zone: string): number {
  const iana = IANAZone.create(zone);
  const asUtc = Date.UTC(
    wall.year,
    wall.month - 1,
    wall.day,
    wall.hour,
    wall.minute,
    wall.second ?? 0,
    wall.millisecond ?? 0,
  );
  // Zones change their offset at most once a day: the offsets a day either side are the two.
  const earlier = iana.offset(asUtc - DAY_MS);
  const later = iana.offset(asUtc + DAY_MS);
  const candidates = [asUtc - earlier * 60_000, asUtc - later * 60_000].filter(
    (instant, i) => iana.offset(instant) === (i === 0 ? earlier : later),
  );
  if (candidates.length > 0) return Math.min(...candidates);
  // In the gap: the jump is the first instant with the later offset.
  let before = asUtc - later * 60_000;
  let after = asUtc - earlier * 60_000;
  while (after - before > 1) {
    const middle = Math.floor((before + after) / 2);
    if (iana.offset(middle) === later) after = middle;
    else before = middle;
  }
  return after;
}

const wallOf = (local: DateTime): WallTime => ({
  year: local.year,
  month: local.month,
  day: local.day,
  hour: local.hour,
  minute: local.minute,
  second: local.second,
  millisecond: local.millisecond,
});

/**
 * `at` plus an ISO-8601 duration whose days (and weeks) are calendar days in `zone`: the same
 * local time that many days later, so a day across a daylight-saving change is 23 or 25 hours
 * (23.5 or 24.5 on Lord Howe Island); hours and smaller units are elapsed time, added after. A
 * local time the clock skips that day gives the first valid one after the gap. An unreadable
 * duration gives `at`.
 */
export function plusCalendarDays(at: number, iso: string, zone: string): number {
  const duration = Duration.fromISO(iso);
  if (!duration.isValid) return at;
  const { weeks, days } = duration;
  const elapsed = duration.set({ years: 0, months: 0, weeks: 0, days: 0 }).toMillis();
  const calendarDays = weeks * 7 + days;
  const local = DateTime.fromMillis(at, { zone });
  // Past the range of dates (±8.64e15 ms) there is no calendar to count on: days of 24 hours.
  if (!local.isValid) return at + duration.toMillis();
  if (calendarDays === 0) return at + elapsed;
  // Days counted on a clock that has no daylight saving, then read on the contact's wall clock.
  const wall = DateTime.fromObject(wallOf(local), { zone: 'UTC' }).plus({
    days: calendarDays,
  });
  return instantOfWallTime(wallOf(wall), zone) + elapsed;
}

/**
 * The first instant strictly after `at` whose local time in `zone` is `spec.time` (on one of
 * `spec.weekdays`, or on `spec.date`); a time the clock skips that day gives the first valid local
 * time after the gap. A date already past gives `at` itself: the wait is over.
 */
export function nextLocalTime(at: number, spec: LocalTimeSpec, zone: string): number {
  const now = DateTime.fromMillis(at, { zone });
  // Past the range of dates (±8.64e15 ms): there is no later local time to wait for.
  if (!now.isValid) return at;
  const minutes = minutesOf(spec.time);
  const on = (day: DateTime) =>
    instantOfWallTime(
      {
        year: day.year,
        month: day.month,
        day: day.day,
        hour: Math.floor(minutes / 60),
        minute: minutes % 60,
      },
      zone,
    );
  if (spec.date) return Math.max(on(DateTime.fromISO(spec.date, { zone })), at);
  const today = DateTime.fromObject({ year: now.year, month: now.month, day: now.day }, { zone: 'UTC' });
  for (let offset = 0; offset <= 8; offset++) {
    const day = today.plus({ days: offset });
    const candidate = on(day);
    if (candidate <= at) continue;
    if (spec.weekdays && !spec.weekdays.includes(day.weekday)) continue;
    return candidate;
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
