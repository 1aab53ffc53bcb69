import { describe, expect, it } from 'vitest';
import { waitUntil } from './definition';

const node = (more: object = {}) => ({ id: 'w', type: 'wait_until' as const, time: '20:00', ...more });
const DAY = 86_400_000;
const HOUR = 3_600_000;

describe('wait_until timing', () => {
  it('lasts at most a day (and a daylight-saving hour) on any day, the longest gap on given weekdays', () => {
    expect(waitUntil.timing?.longest?.(node(), 0)).toBe(DAY + HOUR);
    expect(waitUntil.timing?.longest?.(node({ weekdays: [1, 3] }), 0)).toBe(5 * DAY + HOUR);
  });

  it('ends at its time on the contact clock only without a date or a time zone of its own', () => {
    expect(waitUntil.timing?.endsAt?.(node())).toBe('20:00');
    expect(waitUntil.timing?.endsAt?.(node({ timezone: 'UTC' }))).toBeUndefined();
    expect(waitUntil.timing?.endsAt?.(node({ date: '2027-01-01' }))).toBeUndefined();
  });

  it('holds a loop back only when it has no date (a date once passed lets the contact through)', () => {
    expect(waitUntil.waits?.(node())).toBe(true);
    expect(waitUntil.waits?.(node({ date: '2027-01-01' }))).toBe(false);
  });
});
