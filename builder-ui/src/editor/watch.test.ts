import { describe, expect, it } from 'vitest';
import { type FlowStatsAnswer, shares, watchMarks } from './watch';

describe('shares', () => {
  it('adds up to 100 whatever the split', () => {
    expect(shares({ a: 1, b: 1, c: 1 })).toEqual({ a: 34, b: 33, c: 33 });
    expect(shares({ event: 3, timeout: 1 })).toEqual({ event: 75, timeout: 25 });
    const splits: Record<string, number>[] = [{ a: 2, b: 3, c: 7 }, { a: 1, b: 998, c: 1 }, { x: 5 }];
    for (const counts of splits) {
      const sum = Object.values(shares(counts)).reduce((s, n) => s + n, 0);
      expect(sum).toBe(100);
    }
  });

  it('has no share for exits nobody took, and none at all before anyone left', () => {
    expect(shares({ a: 4, b: 0 })).toEqual({ a: 100 });
    expect(shares({})).toEqual({});
    expect(shares({ a: 0 })).toEqual({});
  });
});

describe('watchMarks', () => {
  it("maps each step's live and recorded counts onto what its card shows", () => {
    const stats: FlowStatsAnswer = {
      flowId: 'f',
      version: 2,
      enrolled: 5,
      running: 3,
      finished: { exited: 2 },
      converted: 0,
      temporalUrl: '',
      nodes: [
        {
          nodeId: 'wait',
          entered: 6,
          contacts: 5,
          left: { event: 1, timeout: 3 },
          ended: 0,
          converted: 0,
          waitingNow: 3,
          suppressed: {},
          held: {},
          messages: {},
        },
        {
          nodeId: 'end',
          entered: 2,
          contacts: 2,
          left: {},
          ended: 2,
          converted: 0,
          waitingNow: 0,
          suppressed: {},
          held: {},
          messages: {},
        },
        {
          nodeId: 'hello',
          entered: 4,
          contacts: 4,
          left: { next: 4 },
          ended: 0,
          converted: 0,
          waitingNow: 0,
          suppressed: { 'no-address': 2, 'opted-out': 1, capped: 0 },
          held: { 'quiet-hours': 1 },
          messages: { delivered: 2, failed: 1, read: 0 },
        },
        {
          nodeId: 'lost',
          entered: 0,
          contacts: 0,
          left: { next: 0 },
          ended: 0,
          converted: 0,
          waitingNow: null,
          suppressed: {},
          held: {},
          messages: {},
        },
      ],
    };
    const marks = watchMarks(stats);
    expect(marks.get('wait')).toEqual({
      here: 3,
      passed: 5,
      exits: { event: { count: 1, share: 25 }, timeout: { count: 3, share: 75 } },
      suppressed: {},
      held: {},
      messages: {},
    });
    expect(marks.get('end')).toEqual({
      here: 0,
      passed: 2,
      exits: {},
      suppressed: {},
      held: {},
      messages: {},
    });
    // Sends not made and sends held, by reason, and messages by status, without those that had none.
    expect(marks.get('hello')).toEqual({
      here: 0,
      passed: 4,
      exits: { next: { count: 4, share: 100 } },
      suppressed: { 'no-address': 2, 'opted-out': 1 },
      held: { 'quiet-hours': 1 },
      messages: { delivered: 2, failed: 1 },
    });
    expect(marks.get('lost')).toEqual({
      here: null,
      passed: 0,
      exits: {},
      suppressed: {},
      held: {},
      messages: {},
    });
  });
});
