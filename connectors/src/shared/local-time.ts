/** Wall-clock arithmetic in a time zone, for quotas that reset at local midnight and send windows. */

const DAY_SECONDS = 24 * 60 * 60;

/** Seconds since midnight of a `HH:mm` wall-clock time. */
export function clockSeconds(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 3600 + (m ?? 0) * 60;
}

/** Seconds since local midnight of `at` in `timeZone`. */
export function localSecondsOfDay(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get('hour') * 3600 + get('minute') * 60 + get('second');
}

/**
 * Milliseconds from `now` until the local wall clock in `timeZone` next reads `hhmm` (0 if it does
 * now). One correction step absorbs a daylight-saving shift in between.
 */
export function msUntilLocalTime(now: Date, timeZone: string, hhmm: string): number {
  const target = clockSeconds(hhmm);
  const delta = (target - localSecondsOfDay(now, timeZone) + DAY_SECONDS) % DAY_SECONDS;
  let at = now.getTime() - now.getMilliseconds() + delta * 1000;
  const drift = target - localSecondsOfDay(new Date(at), timeZone);
  const correction = ((drift + DAY_SECONDS / 2 + DAY_SECONDS) % DAY_SECONDS) - DAY_SECONDS / 2;
  at += correction * 1000;
  return Math.max(0, at - now.getTime());
}
