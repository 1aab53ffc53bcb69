import type { FlowDocumentInput } from '@sopflow/core';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { expectSameMessages, expectSameSuppressed, runBothWays } from './support/agreement';
import { uniqueId } from './support/stack';
import { useTimeSkippingApp } from './support/time-skipping';

/**
 * A dry-run is a true preview of production: a multi-day flow, run for real on Temporal's
 * time-skipping server (never sleeping for real) and as a dry-run, sends the same messages in
 * the same order at the same virtual times.
 */

const stack = useTimeSkippingApp();

function cadence(id: string, lookBack?: { kind: 'since-entry' }): FlowDocumentInput {
  const node = (n: object) => n as FlowDocumentInput['nodes'][number];
  return {
    schemaVersion: 1,
    id,
    name: 'Three-day cadence',
    nodes: [
      node({ id: 'in', type: 'trigger', trigger: { kind: 'manual' } }),
      node({ id: 'hello', type: 'send', channel: 'wechat', message: { text: '你好 {{ contact.name }}' } }),
      node({ id: 'two-days', type: 'wait', duration: 'P2D' }),
      node({ id: 'evening', type: 'wait_until', time: '20:00' }),
      node({ id: 'tip', type: 'send', channel: 'wechat', message: { text: 'Tip of the evening' } }),
      node({
        id: 'reply',
        type: 'wait_for_event',
        event: 'message.received',
        timeout: 'P1D',
        ...(lookBack ? { lookBack } : {}),
      }),
      node({
        id: 'reward',
        type: 'update_contact',
        update: { points: { add: 5, reason: 'replied' }, checkIn: { points: 1 } },
      }),
      node({
        id: 'thanks',
        type: 'send',
        channel: 'wechat',
        message: {
          text: 'Thanks! {{ contact.points }} points, streak {{ contact.attributes.checkInStreak }}',
        },
      }),
      node({ id: 'later', type: 'wait', duration: 'PT3H' }),
      node({
        id: 'late-note',
        type: 'send',
        channel: 'wechat',
        message: { text: 'A note that must wait for morning' },
      }),
      node({ id: 'out', type: 'exit' }),
      node({ id: 'nudge', type: 'send', channel: 'sms', message: { text: 'We miss you. 回T退订' } }),
      node({ id: 'out2', type: 'exit' }),
    ],
    edges: [
      { id: 'a', source: 'in', target: 'hello' },
      { id: 'b', source: 'hello', target: 'two-days' },
      { id: 'c', source: 'two-days', target: 'evening' },
      { id: 'd', source: 'evening', target: 'tip' },
      { id: 'e', source: 'tip', target: 'reply' },
      { id: 'f', source: 'reply', sourceHandle: 'event', target: 'reward' },
      { id: 'g', source: 'reward', target: 'thanks' },
      { id: 'h', source: 'thanks', target: 'later' },
      { id: 'i', source: 'later', target: 'late-note' },
      { id: 'j', source: 'late-note', target: 'out' },
      { id: 'k', source: 'reply', sourceHandle: 'timeout', target: 'nudge' },
      { id: 'l', source: 'nudge', target: 'out2' },
    ],
    settings: { timezone: 'Asia/Shanghai', quietHours: { start: '22:00', end: '08:00' } },
  };
}

describe('dry-run and production agree', () => {
  it('on a three-day cadence with a reply, an update and quiet hours', async () => {
    const contact = {
      id: uniqueId('c'),
      name: 'Mei',
      addresses: { wecomUserId: 'wx-mei', phone: '13800000000' },
    };
    const { real, dryRun, realSuppressed, drySuppressed, realOutcome, dryOutcome, startedAt, uses } =
      await runBothWays(stack.app, stack.env, cadence(uniqueId('cadence')), contact, {
        // Late on the evening of day 2 (the tip goes at 20:00): the reply lands about an hour later.
        events: [{ at: 'P2DT12H', name: 'message.received', payload: { text: 'hi' } }],
      });
    expect(real.map((m) => m.nodeId)).toEqual(['hello', 'tip', 'thanks', 'late-note']);
    expectSameMessages(real, dryRun);
    expect(uses).toEqual({ real: ['used'], dryRun: ['used'] });
    expect(realOutcome).toEqual(dryOutcome);
    // The test server's clock starts at the real time of day, so check what holds at any hour.
    const local = (m: { afterMs: number }) =>
      DateTime.fromMillis(Math.round((startedAt + m.afterMs) / 60_000) * 60_000, {
        zone: 'Asia/Shanghai',
      });
    const [, tip, thanks, note] = real;
    expect(local(tip!).toFormat('HH:mm')).toBe('20:00');
    expect(tip!.afterMs).toBeGreaterThanOrEqual(2 * 86400 * 1000);
    for (const message of real.slice(1))
      expect(local(message).hour >= 8 && local(message).hour < 22).toBe(true);
    expect(note!.afterMs - thanks!.afterMs).toBeGreaterThanOrEqual(3 * 3600 * 1000);
    expect(thanks!.text).toBe('Thanks! 6 points, streak 1');
    // The thanks falls at 22:00, in quiet hours: held until 08:00, in both.
    expect(realSuppressed.map((s) => [s.nodeId, s.reason])).toEqual([['thanks', 'quiet-hours']]);
    expect(local({ afterMs: realSuppressed[0]!.untilMs! }).toFormat('HH:mm')).toBe('08:00');
    expectSameSuppressed(realSuppressed, drySuppressed);
  });

  it('on the same cadence when the silent contact has no phone: the nudge is suppressed alike', async () => {
    const contact = { id: uniqueId('c'), name: 'Hui', addresses: { wecomUserId: 'wx-hui' } };
    const { real, dryRun, realSuppressed, drySuppressed, realOutcome, dryOutcome } = await runBothWays(
      stack.app,
      stack.env,
      cadence(uniqueId('no-phone')),
      contact,
    );
    expect(real.map((m) => m.nodeId)).toEqual(['hello', 'tip']);
    expectSameMessages(real, dryRun);
    expect(realSuppressed).toEqual([{ nodeId: 'nudge', channel: 'sms', reason: 'no-address' }]);
    expectSameSuppressed(realSuppressed, drySuppressed);
    expect(dryOutcome).toEqual(realOutcome);
  });

  it('on the same cadence looking back: a reply before the tip is kept, then taken when the step is reached', async () => {
    const contact = {
      id: uniqueId('c'),
      name: 'Yu',
      addresses: { wecomUserId: 'wx-yu', phone: '13700000000' },
    };
    const { real, dryRun, realOutcome, dryOutcome, uses } = await runBothWays(
      stack.app,
      stack.env,
      cadence(uniqueId('look-back'), { kind: 'since-entry' }),
      contact,
      {
        // During the two-day wait, long before the step that waits for a reply.
        events: [
          { at: 'P1D', name: 'message.received', payload: { text: 'early' } },
          { at: 'P1DT1H', name: 'link.clicked' },
        ],
      },
    );
    expect(uses).toEqual({ real: ['kept', 'ignored'], dryRun: ['kept', 'ignored'] });
    expect(real.map((m) => m.nodeId)).toEqual(['hello', 'tip', 'thanks', 'late-note']);
    expectSameMessages(real, dryRun);
    expect(realOutcome).toEqual(dryOutcome);
  });

  it('on the same cadence when the contact stays silent', async () => {
    const contact = {
      id: uniqueId('c'),
      name: 'Lin',
      addresses: { wecomUserId: 'wx-lin', phone: '13900000000' },
    };
    const { real, dryRun, realOutcome, dryOutcome } = await runBothWays(
      stack.app,
      stack.env,
      cadence(uniqueId('silent')),
      contact,
    );
    expect(real.map((m) => [m.nodeId, m.channel])).toEqual([
      ['hello', 'wechat'],
      ['tip', 'wechat'],
      ['nudge', 'sms'],
    ]);
    expectSameMessages(real, dryRun);
    expect(realOutcome).toEqual({ kind: 'exited', nodeId: 'out2' });
    expect(dryOutcome).toEqual(realOutcome);
  });
});
