import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { Contact } from '../../flow/schema';
import { simulate } from '../../simulate/simulate';
import { exit, testPlan, trigger } from '../../test-support';
import { wait } from './definition';

const HOUR = 3600_000;
/** The evening before New York's clocks skip from 02:00 to 03:00 (8 March 2026). */
const SATURDAY_9AM = DateTime.fromISO('2026-03-07T09:00', { zone: 'America/New_York' }).toMillis();

/** When a wait step of `duration` started at `startAt` ends, for a contact in New York. */
function waitEnds(step: { duration: string; calendarDays?: boolean }, startAt = SATURDAY_9AM): number {
  const plan = testPlan([trigger(), { id: 'pause', type: 'wait', ...step }, exit()]);
  const contact = Contact.parse({ id: 'c1', timezone: 'America/New_York' });
  const { timeline } = simulate(plan, { contact, startAt });
  const entry = timeline.find((e) => e.kind === 'wait' && e.nodeId === 'pause');
  if (entry?.kind !== 'wait') throw new Error('the step did not wait');
  return entry.until;
}
const newYork = (at: number) => DateTime.fromMillis(at, { zone: 'America/New_York' }).toFormat('ccc HH:mm');

describe('the wait step', () => {
  it('counts calendar days in the contact zone: the same local time, 23 hours across the change', () => {
    const end = waitEnds({ duration: 'P1D', calendarDays: true });
    expect(newYork(end)).toBe('Sun 09:00');
    expect(end - SATURDAY_9AM).toBe(23 * HOUR);
    expect(newYork(waitEnds({ duration: 'P2DT3H', calendarDays: true }))).toBe('Mon 12:00');
  });

  it('keeps 24-hour days for a step without the field (plans of running contacts replay the same)', () => {
    const end = waitEnds({ duration: 'P1D' });
    expect(end - SATURDAY_9AM).toBe(24 * HOUR);
    expect(newYork(end)).toBe('Sun 10:00');
    expect(waitEnds({ duration: 'P1D', calendarDays: false })).toBe(end);
  });

  it('is made with calendar days in the builder', () => {
    expect(wait.defaults?.('en')).toMatchObject({ duration: 'P1D', calendarDays: true });
  });
});
