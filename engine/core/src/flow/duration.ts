import { Duration } from 'luxon';

export type ParsedDuration = { ok: true; ms: number } | { ok: false; message: string };

/** The longest wait one node may take; longer waits are almost always a typo. */
const MAX_DURATION_MS = 366 * 24 * 3600 * 1000;

/**
 * Parses an ISO-8601 duration into milliseconds. Years and months are refused: their length
 * depends on the calendar, and an operator who means "30 days" should say P30D.
 */
export function parseDuration(text: string): ParsedDuration {
  const duration = Duration.fromISO(text);
  if (!duration.isValid) {
    return {
      ok: false,
      message: `"${text}" is not a duration. Write it like PT10M (10 minutes), PT2H, P1D or P1W.`,
    };
  }
  if (duration.years !== 0 || duration.months !== 0) {
    return {
      ok: false,
      message: `"${text}" uses years or months, whose length varies. Use days instead, e.g. P30D.`,
    };
  }
  const ms = duration.toMillis();
  if (!(ms > 0)) return { ok: false, message: `"${text}" is not longer than zero.` };
  if (ms > MAX_DURATION_MS) return { ok: false, message: `"${text}" is longer than a year.` };
  return { ok: true, ms };
}
