import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { instantOfWallTime, nextLocalTime, plusCalendarDays, quietHoursEnd } from './local-time';

const HOUR = 3600_000;
const NEW_YORK = 'America/New_York';
const BERLIN = 'Europe/Berlin';
const LORD_HOWE = 'Australia/Lord_Howe';

/** An instant given as a wall time in a zone (`2026-03-07T09:00`). */
const at = (wall: string, zone: string) => DateTime.fromISO(wall, { zone }).toMillis();
/** An instant read on a zone's wall clock, with its offset, e.g. `2026-03-08 09:00 -04:00`. */
const wall = (instant: number, zone: string) =>
  DateTime.fromMillis(instant, { zone }).toFormat('yyyy-MM-dd HH:mm ZZ');

/**
 * Both transitions of 2026 in each zone: the clock skips forward (a gap) and falls back (an
 * overlap). Lord Howe Island moves by 30 minutes, at 02:00 local both ways.
 */
const TRANSITIONS = [
  { zone: NEW_YORK, skip: '2026-03-08', gap: ['02:00', '03:00'], back: '2026-11-01', shift: 60 },
  { zone: BERLIN, skip: '2026-03-29', gap: ['02:00', '03:00'], back: '2026-10-25', shift: 60 },
  { zone: LORD_HOWE, skip: '2026-10-04', gap: ['02:00', '02:30'], back: '2026-04-05', shift: 30 },
] as const;

const dayBefore = (date: string) => DateTime.fromISO(date).minus({ days: 1 }).toISODate()!;

describe('calendar days (plusCalendarDays)', () => {
  for (const { zone, skip, back, shift } of TRANSITIONS) {
    it(`keeps the local time across both changes in ${zone}, so a day is 24 h ± ${shift} min there`, () => {
      const beforeSkip = at(`${dayBefore(skip)}T09:00`, zone);
      const afterSkip = plusCalendarDays(beforeSkip, 'P1D', zone);
      expect(wall(afterSkip, zone).slice(0, 16)).toBe(`${skip} 09:00`);
      expect(afterSkip - beforeSkip).toBe(24 * HOUR - shift * 60_000);

      const beforeBack = at(`${dayBefore(back)}T09:00`, zone);
      const afterBack = plusCalendarDays(beforeBack, 'P1D', zone);
      expect(wall(afterBack, zone).slice(0, 16)).toBe(`${back} 09:00`);
      expect(afterBack - beforeBack).toBe(24 * HOUR + shift * 60_000);

      // A week is seven calendar days.
      const weekBefore = at(`${DateTime.fromISO(skip).minus({ days: 3 }).toISODate()}T20:15`, zone);
      expect(wall(plusCalendarDays(weekBefore, 'P1W', zone), zone).slice(11, 16)).toBe('20:15');
    });
  }

  it('adds hours as elapsed time after the days, and leaves durations without days elapsed', () => {
    const start = at('2026-03-07T09:00', NEW_YORK);
    expect(wall(plusCalendarDays(start, 'P1DT2H', NEW_YORK), NEW_YORK)).toBe('2026-03-08 11:00 -04:00');
    // 36 hours are 36 hours, whatever the clocks do.
    expect(plusCalendarDays(start, 'PT36H', NEW_YORK) - start).toBe(36 * HOUR);
  });

  it('lands a day that starts at a time the clock skips on the first valid time after the gap', () => {
    expect(wall(plusCalendarDays(at('2026-03-07T02:30', NEW_YORK), 'P1D', NEW_YORK), NEW_YORK)).toBe(
      '2026-03-08 03:00 -04:00',
    );
    expect(wall(plusCalendarDays(at('2026-10-03T02:10', LORD_HOWE), 'P1D', LORD_HOWE), LORD_HOWE)).toBe(
      '2026-10-04 02:30 +11:00',
    );
  });

  it('gives the start back for a duration it cannot read', () => {
    expect(plusCalendarDays(1_000, 'soon', BERLIN)).toBe(1_000);
  });
});

describe('local times the clock skips', () => {
  for (const { zone, skip, gap } of TRANSITIONS) {
    const [gapStart, gapEnd] = gap;
    const [h, m] = gapStart.split(':').map(Number) as [number, number];
    const [year, month, day] = skip.split('-').map(Number) as [number, number, number];

    it(`resolve to the end of the gap in ${zone} (${gapStart} → ${gapEnd})`, () => {
      const jump = at(`${skip}T${gapEnd}`, zone);
      for (const minute of [m, m + 10, m + 29])
        expect(wall(instantOfWallTime({ year, month, day, hour: h, minute }, zone), zone)).toBe(
          wall(jump, zone),
        );
      // The minute before the gap is an ordinary minute.
      expect(instantOfWallTime({ year, month, day, hour: h - 1, minute: 59 }, zone)).toBe(jump - 60_000);
    });

    it(`release quiet hours that end inside the gap at its end in ${zone}, not a gap later`, () => {
      const quiet = { start: '22:00', end: `0${h}:15` };
      const night = at(`${skip}T01:00`, zone);
      expect(quietHoursEnd(night, quiet, zone)).toBe(at(`${skip}T${gapEnd}`, zone));
      // Waiting until that time on that day does the same.
      expect(nextLocalTime(night, { time: quiet.end }, zone)).toBe(at(`${skip}T${gapEnd}`, zone));
      // The next night has no gap: 02:15 as usual.
      expect(
        wall(nextLocalTime(at(`${skip}T12:00`, zone), { time: quiet.end }, zone), zone).slice(11, 16),
      ).toBe(quiet.end);
    });
  }

  it('leave quiet hours that end on a repeated hour (clocks going back) at its first occurrence', () => {
    const quiet = { start: '22:00', end: '01:30' };
    const end = quietHoursEnd(at('2026-10-31T23:00', NEW_YORK), quiet, NEW_YORK)!;
    expect(wall(end, NEW_YORK)).toBe('2026-11-01 01:30 -04:00');
  });
});
