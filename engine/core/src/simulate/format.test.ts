import { describe, expect, it } from 'vitest';
import { exit, send, testPlan, trigger } from '../test-support';
import { formatTimeline } from './format';
import { simulate } from './simulate';

const plan = testPlan([trigger(), send('hello', 'Hi', 'email'), exit()], [], {
  timezone: 'Asia/Shanghai',
  reentry: { mode: 'always' },
});
// 2026-03-02 10:00 in Shanghai is 2026-03-01 18:00 in Los Angeles (PST).
const startAt = Date.parse('2026-03-02T10:00:00+08:00');
const lines = (contact: Record<string, unknown>) =>
  formatTimeline(
    simulate(plan, { contact: { id: 'c1', email: 'a@b.c', ...contact } as never, startAt }),
    plan,
  );

describe('the text timeline of a dry-run', () => {
  it("prints times in the contact's time zone and says so", () => {
    const [head, first] = lines({ timezone: 'America/Los_Angeles' });
    expect(head).toBe("Times in America/Los_Angeles (the contact's time zone)");
    expect(first).toMatch(/^\+0d 00:00:00\s+03-01 18:00 {2}→ in/);
  });

  it("falls back to the flow's zone, and says why, when the contact has none or an unknown one", () => {
    const [head, first] = lines({});
    expect(head).toBe("Times in Asia/Shanghai (the flow's time zone: the contact has none)");
    expect(first).toMatch(/^\+0d 00:00:00\s+03-02 10:00 {2}→ in/);
    expect(lines({ timezone: 'America/Los Angeles' })[0]).toBe(
      `Times in Asia/Shanghai (the flow's time zone: the contact's "America/Los Angeles" is not a time zone)`,
    );
  });
});

describe('suppressed sends in the text timeline', () => {
  it('says a send was not sent and why', () => {
    const out = lines({ email: undefined });
    expect(out).toContainEqual(expect.stringMatching(/ {2}⊘ not sent on email: no address$/));
    expect(out.some((l) => l.includes('✉'))).toBe(false);
    expect(lines({ unsubscribed: ['email'] })).toContainEqual(
      expect.stringMatching(/ {2}⊘ not sent on email: opted out$/),
    );
  });

  it('says a send was held, until when and why, in one line', () => {
    const quiet = testPlan([trigger(), send('hello', 'Hi', 'email'), exit()], [], {
      timezone: 'Asia/Shanghai',
      quietHours: { start: '09:00', end: '12:00' },
    });
    const out = formatTimeline(
      simulate(quiet, { contact: { id: 'c1', email: 'a@b.c' } as never, startAt }),
      quiet,
    );
    expect(out.filter((l) => l.includes('⏸'))).toEqual([
      expect.stringMatching(/03-02 10:00 {2} {2}⏸ held on email until 2026-03-02 12:00 \(quiet hours\)$/),
    ]);
  });
});
