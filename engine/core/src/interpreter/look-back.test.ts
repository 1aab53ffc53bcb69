import { describe, expect, it } from 'vitest';
import type { Plan } from '../flow/plan';
import { Contact } from '../flow/schema';
import type { LookBack } from '../nodes/wait_for_event/definition';
import { exit, send, testPlan, trigger } from '../test-support';
import { advance, type Command, type RunState, type Step, start } from './interpreter';
import { KEPT_MAX_AGE_MS, KEPT_PER_NAME } from './kept-events';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-03-02T10:00:00+08:00');
const contact = Contact.parse({ id: 'c1', addresses: { wecomUserId: 'wx-c1' } });

/** Two days of waiting, then a wait for a paid order (at T0 + 2 days) with the look-back given. */
function plan(lookBack?: LookBack): Plan {
  return testPlan(
    [
      trigger(),
      { id: 'pause', type: 'wait', duration: 'P2D' },
      {
        id: 'paid',
        type: 'wait_for_event',
        event: 'order.paid',
        filter: { field: 'payload.amount', op: 'gt', value: 0 },
        timeout: 'P1D',
        ...(lookBack ? { lookBack } : {}),
      },
      send('thanks', 'Thanks for {{ lastEvent.payload.amount }}'),
      exit(),
      send('nudge', 'Still time to buy'),
      exit('out2'),
    ],
    [
      ['paid', 'event', 'thanks'],
      ['paid', 'timeout', 'nudge'],
    ],
  );
}

const paid = (at: number, amount = 10, name = 'order.paid') =>
  ({ type: 'event', name, payload: { amount }, at }) as const;

/** Feeds the events while the run waits at `pause`, then fires its timer: the run reaches `paid`. */
function reachPaid(p: Plan, events: ReturnType<typeof paid>[]): { uses: string[]; reached: Step } {
  let step = start(p, { contact, at: T0 });
  const uses: string[] = [];
  for (const event of events) {
    step = advance(p, step.state, event);
    uses.push(step.eventUse!);
  }
  const timer = step.state.awaiting!.timer!;
  return {
    uses,
    reached: advance(p, step.state, { type: 'timer-fired', timerId: timer.timerId, at: timer.until }),
  };
}

const leftBy = (step: Step) =>
  step.commands.find(
    (c): c is Extract<Command, { type: 'leave' }> => c.type === 'leave' && c.nodeId === 'paid',
  );

describe('wait for event: look-back', () => {
  it('since entering: an event before the step is kept, then taken the moment the step is reached', () => {
    const { uses, reached } = reachPaid(plan({ kind: 'since-entry' }), [paid(T0 + HOUR, 25)]);
    expect(uses).toEqual(['kept']);
    expect(leftBy(reached)).toEqual({ type: 'leave', nodeId: 'paid', exit: 'event', at: T0 + 2 * DAY });
    expect(reached.state.lastEvent).toEqual({ name: 'order.paid', payload: { amount: 25 }, at: T0 + HOUR });
    expect(reached.state.kept).toEqual([]);
    expect(reached.state.awaiting?.task?.commandId).toMatch(/^thanks#/);
  });

  it('within a duration: only events inside the window before the step count', () => {
    const p = plan({ kind: 'within', duration: 'PT12H' });
    const early = reachPaid(p, [paid(T0 + HOUR)]);
    expect(early.uses).toEqual(['kept']);
    expect(leftBy(early.reached)).toBeUndefined();
    expect(early.reached.state.awaiting).toMatchObject({ nodeId: 'paid', event: { name: 'order.paid' } });

    const late = reachPaid(p, [paid(T0 + 2 * DAY - 11 * HOUR)]);
    expect(leftBy(late.reached)?.exit).toBe('event');
  });

  it('none, or no look-back at all (steps saved before it existed): earlier events are ignored', () => {
    for (const p of [plan({ kind: 'none' }), plan()]) {
      const { uses, reached } = reachPaid(p, [paid(T0 + HOUR)]);
      expect(uses).toEqual(['ignored']);
      expect(leftBy(reached)).toBeUndefined();
      expect(reached.state.kept).toEqual([]);
    }
  });

  it("applies the step's filter to kept events, taking the oldest that matches", () => {
    const { reached } = reachPaid(plan({ kind: 'since-entry' }), [
      paid(T0 + HOUR, 0),
      paid(T0 + 2 * HOUR, 7),
      paid(T0 + 3 * HOUR, 9),
    ]);
    expect(leftBy(reached)?.exit).toBe('event');
    expect(reached.state.lastEvent?.payload).toEqual({ amount: 7 });
    expect(reached.state.kept?.map((e) => e.payload.amount)).toEqual([0, 9]);

    const none = reachPaid(plan({ kind: 'since-entry' }), [paid(T0 + HOUR, 0)]);
    expect(leftBy(none.reached)).toBeUndefined();
  });

  it('uses an event the step waits for, and ignores what no step ahead wants', () => {
    const p = plan({ kind: 'since-entry' });
    const { reached } = reachPaid(p, [paid(T0 + HOUR, 0)]);
    const other = advance(p, reached.state, paid(T0 + 2 * DAY + HOUR, 5, 'link.clicked'));
    expect(other.eventUse).toBe('ignored');
    expect(other.state).toBe(reached.state);
    const taken = advance(p, reached.state, paid(T0 + 2 * DAY + 2 * HOUR, 5));
    expect(taken.eventUse).toBe('used');
    expect(leftBy(taken)?.exit).toBe('event');
    // Past the step, nothing ahead looks back for it.
    const after = advance(p, taken.state, paid(T0 + 2 * DAY + 3 * HOUR, 5));
    expect(after.eventUse).toBe('ignored');
  });

  it("a goal's event is used, not kept", () => {
    const p = testPlan(
      [
        trigger(),
        { id: 'pause', type: 'wait', duration: 'P2D' },
        {
          id: 'paid',
          type: 'wait_for_event',
          event: 'order.paid',
          timeout: 'P1D',
          lookBack: { kind: 'since-entry' },
        },
        exit(),
      ],
      [
        ['paid', 'event', 'out'],
        ['paid', 'timeout', 'out'],
      ],
      { goal: { event: 'order.paid' } },
    );
    const step = advance(p, start(p, { contact, at: T0 }).state, paid(T0 + HOUR));
    expect(step.eventUse).toBe('used');
    expect(step.state.outcome).toEqual({ kind: 'converted', event: 'order.paid' });
  });

  it(`keeps at most ${KEPT_PER_NAME} events of a name, the newest, none older than its look-back`, () => {
    const p = plan({ kind: 'since-entry' });
    let state: RunState = start(p, { contact, at: T0 }).state;
    for (let i = 0; i < KEPT_PER_NAME + 5; i++) state = advance(p, state, paid(T0 + i * 60_000, i + 1)).state;
    expect(state.kept?.map((e) => e.payload.amount)).toEqual(
      Array.from({ length: KEPT_PER_NAME }, (_, i) => i + 6),
    );

    const within = plan({ kind: 'within', duration: 'PT6H' });
    let windowed = start(within, { contact, at: T0 }).state;
    windowed = advance(within, windowed, paid(T0)).state;
    windowed = advance(within, windowed, paid(T0 + 7 * HOUR)).state;
    expect(windowed.kept?.map((e) => e.at)).toEqual([T0 + 7 * HOUR]);
  });

  it('refuses a look-back longer than the kept events reach', () => {
    expect(() => plan({ kind: 'within', duration: `P${KEPT_MAX_AGE_MS / DAY + 1}D` })).toThrow(
      /at most 30 days/,
    );
  });

  it('a run started before look-backs (no kept events, no entry time) keeps and takes them', () => {
    const p = plan({ kind: 'since-entry' });
    const { enteredAt: _, kept: __, ...old } = start(p, { contact, at: T0 }).state;
    const kept = advance(p, old, paid(T0 + HOUR));
    expect(kept.eventUse).toBe('kept');
    const timer = kept.state.awaiting!.timer!;
    const reached = advance(p, kept.state, { type: 'timer-fired', timerId: timer.timerId, at: timer.until });
    expect(leftBy(reached)?.exit).toBe('event');
  });
});
