import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { exit, MASS_SEND_LIMIT, send, testPlan, trigger } from '../test-support';
import { compile } from './compile';
import type { Plan } from './plan';
import type { FreeFormWindow } from './recipient-limits';
import type { FlowDocumentInput } from './schema';
import { describeDuration, limitWarnings } from './warnings';

type Settings = FlowDocumentInput['settings'];

const QUIET = { start: '22:00', end: '08:00' };

function examplePlan(settings: object = {}): Plan {
  const doc = JSON.parse(readFileSync(new URL('../../examples/vip-welcome.json', import.meta.url), 'utf8'));
  const result = compile({ ...doc, settings: { ...doc.settings, ...settings } });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.plan;
}

const codes = (plan: Plan) => limitWarnings(plan, [MASS_SEND_LIMIT]).map((w) => [w.code, w.nodeId]);

/** A reminder loop: send, wait for a reply up to `timeout`, send again. */
const reminderLoop = (timeout: string, settings: Settings, channel = 'wechat') =>
  testPlan(
    [
      trigger(),
      send('tip', 'Tip', channel),
      { id: 'reply', type: 'wait_for_event', event: 'reply', timeout },
      exit(),
    ],
    [
      ['reply', 'event', 'out'],
      ['reply', 'timeout', 'tip'],
    ],
    settings,
  );

/** Every evening at 20:00: a tip, then wait for a reply for an hour; round again. */
const dailyNurture = (settings: Settings, channel = 'wechat') =>
  testPlan(
    [
      trigger(),
      { id: 'evening', type: 'wait_until', time: '20:00' },
      send('tip', 'Tip', channel),
      { id: 'reply', type: 'wait_for_event', event: 'reply', timeout: 'PT1H' },
      exit(),
    ],
    [
      ['reply', 'event', 'out'],
      ['reply', 'timeout', 'evening'],
    ],
    settings,
  );

describe('limit warnings: normal flows', () => {
  it('gives none for the example flow, with or without caps and quiet hours', () => {
    expect(limitWarnings(examplePlan())).toEqual([]);
    expect(limitWarnings(examplePlan({ quietHours: QUIET, frequencyCap: { max: 3, per: 'P1D' } }))).toEqual(
      [],
    );
  });

  it('gives none for a daily nurture loop under a one-a-day cap and quiet hours', () => {
    expect(limitWarnings(dailyNurture({ quietHours: QUIET, frequencyCap: { max: 1, per: 'P1D' } }))).toEqual(
      [],
    );
    expect(limitWarnings(dailyNurture({ frequencyCap: { max: 1, per: 'P1D' } }))).toEqual([]);
  });

  it('gives none for a daily reminder loop under a one-a-day cap', () => {
    expect(limitWarnings(reminderLoop('P1D', { frequencyCap: { max: 1, per: 'P1D' } }))).toEqual([]);
    expect(limitWarnings(reminderLoop('P1D', { quietHours: QUIET }))).toEqual([]);
  });

  it('gives none for sends spread out by waits as long as the cap window', () => {
    const plan = testPlan(
      [
        trigger(),
        send('a', 'A'),
        send('b', 'B'),
        { id: 'w', type: 'wait', duration: 'P1D' },
        send('c', 'C'),
        send('d', 'D'),
        exit(),
      ],
      [],
      { frequencyCap: { max: 2, per: 'P1D' }, quietHours: QUIET },
    );
    expect(limitWarnings(plan)).toEqual([]);
  });
});

describe('limit warnings: the frequency cap', () => {
  it('warns about a loop that goes round faster than the cap allows', () => {
    const warnings = limitWarnings(reminderLoop('PT6H', { frequencyCap: { max: 2, per: 'P1D' } }, 'sms'));
    expect(warnings.map((w) => [w.code, w.nodeId])).toEqual([['loop_exceeds_cap', 'tip']]);
    expect(warnings[0]!.message).toContain('tip → reply → tip');
    expect(warnings[0]!.messageZh).toContain('频次上限');
    expect(warnings[0]!.message).toContain('(2 in 1 day)');
  });

  it('writes cap windows as operators read them', () => {
    expect(describeDuration('P1DT6H')).toBe('1 day 6 hours');
    expect(describeDuration('PT30M', 'zh')).toBe('30 分钟');
  });

  it('counts only the waking hours when quiet hours hold the night sends', () => {
    // Hourly: the night's sends go together at 08:00, but the day still has 13 of them.
    const plan = reminderLoop('PT1H', { frequencyCap: { max: 3, per: 'P1D' }, quietHours: QUIET });
    expect(codes(plan)).toContainEqual(['loop_exceeds_cap', 'tip']);
  });

  it('warns about more sends in a row than the cap allows within its window', () => {
    const plan = testPlan(
      [
        trigger(),
        send('a', 'A'),
        { id: 'w', type: 'wait', duration: 'PT2H' },
        send('b', 'B'),
        send('c', 'C'),
        exit(),
      ],
      [],
      { frequencyCap: { max: 2, per: 'P1D' } },
    );
    const warnings = limitWarnings(plan);
    expect(warnings.map((w) => [w.code, w.nodeId])).toEqual([['path_exceeds_cap', 'c']]);
    expect(warnings[0]!.message).toContain('a, b, c');
  });

  it('counts the quiet-hours hold as time that may pass between sends', () => {
    const plan = (per: string) =>
      testPlan([trigger(), send('a', 'A'), send('b', 'B'), exit()], [], {
        frequencyCap: { max: 1, per },
        quietHours: QUIET,
      });
    // b may wait up to 10 hours for the morning, still within a day of a...
    expect(codes(plan('P1D'))).toEqual([['path_exceeds_cap', 'b']]);
    // ...but not surely within 8 hours.
    expect(codes(plan('PT8H'))).toEqual([]);
  });
});

describe('limit warnings: quiet hours', () => {
  const at = (time: string, extra: FlowDocumentInput['nodes'] = []) =>
    testPlan(
      [trigger(), { id: 'until', type: 'wait_until', time }, ...extra, send('tip', 'Tip'), exit()],
      [],
      {
        quietHours: QUIET,
      },
    );

  it('warns about a send scheduled inside quiet hours', () => {
    const warnings = limitWarnings(at('23:00'));
    expect(warnings.map((w) => [w.code, w.nodeId])).toEqual([['send_in_quiet_hours', 'tip']]);
    expect(warnings[0]!.message).toContain('held until 08:00');
    expect(codes(at('22:00'))).toEqual([['send_in_quiet_hours', 'tip']]);
    expect(codes(at('07:00'))).toEqual([['send_in_quiet_hours', 'tip']]);
  });

  it('follows fixed waits after the wait-until', () => {
    expect(codes(at('21:00', [{ id: 'w', type: 'wait', duration: 'PT2H' }]))).toEqual([
      ['send_in_quiet_hours', 'tip'],
    ]);
    // 21:30 + 1 h is 22:30: too near the edge to be sure across a daylight-saving change.
    expect(codes(at('21:30', [{ id: 'w', type: 'wait', duration: 'PT1H' }]))).toEqual([]);
  });

  it('gives none for a time outside quiet hours, or a wait-until on another clock', () => {
    expect(codes(at('08:00'))).toEqual([]);
    expect(codes(at('21:59'))).toEqual([]);
    const otherClock = testPlan(
      [
        trigger(),
        { id: 'until', type: 'wait_until', time: '23:00', timezone: 'Europe/Berlin' },
        send('tip', 'T'),
        exit(),
      ],
      [],
      { quietHours: QUIET },
    );
    expect(codes(otherClock)).toEqual([]);
  });
});

describe("limit warnings: a provider's quota per recipient", () => {
  it('warns about a loop sending on a limited channel more than once a day', () => {
    const warnings = limitWarnings(reminderLoop('PT12H', undefined), [MASS_SEND_LIMIT]);
    expect(warnings.map((w) => [w.code, w.nodeId, w.limitId])).toEqual([
      ['channel_quota_risk', 'tip', 'test-mass-send'],
    ]);
    expect(warnings[0]!.messageZh).toContain(MASS_SEND_LIMIT.message.zh);
    expect(warnings[0]!.message).toContain(MASS_SEND_LIMIT.message.en);
    expect(codes(reminderLoop('PT12H', undefined, 'wechat_group'))).toEqual([['channel_quota_risk', 'tip']]);
  });

  it('gives none for a daily loop, a loop on another channel, or with no limits declared', () => {
    expect(codes(reminderLoop('P1D', undefined))).toEqual([]);
    expect(codes(dailyNurture(undefined))).toEqual([]);
    expect(codes(reminderLoop('PT12H', undefined, 'sms'))).toEqual([]);
    expect(limitWarnings(reminderLoop('PT12H', undefined))).toEqual([]);
  });

  it('holds a loop to the quota an admin set: a weekly quota allows a burst a daily one does not', () => {
    const weekly = {
      ...MASS_SEND_LIMIT,
      perRecipient: { ...MASS_SEND_LIMIT.perRecipient, max: 7, per: 'week' as const },
    };
    // Twice a day is 14 a week: too many; twice a week is within 7.
    expect(limitWarnings(reminderLoop('PT12H', undefined), [weekly]).map((w) => w.code)).toEqual([
      'channel_quota_risk',
    ]);
    expect(limitWarnings(reminderLoop('P3D', undefined), [weekly])).toEqual([]);
  });
});

describe('warnings: a goal that shadows a wait', () => {
  const waitFor = (event: string) => ({ id: 'wait', type: 'wait_for_event', event, timeout: 'P1D' }) as const;
  const plan = (goal: { event: string; filter?: unknown } | undefined, event = 'order.paid') =>
    testPlan(
      [trigger(), waitFor(event), send('after', 'Thanks'), exit(), exit('timeout-out')],
      [
        ['wait', 'event', 'after'],
        ['wait', 'timeout', 'timeout-out'],
      ],
      { timezone: 'Asia/Shanghai', reentry: { mode: 'always' }, ...(goal ? { goal } : {}) },
    );

  it("warns when a wait_for_event waits for the goal's event: its event exit is never taken", () => {
    const warnings = limitWarnings(plan({ event: 'order.paid' })).filter(
      (w) => w.code === 'goal_shadows_wait',
    );
    expect(warnings).toMatchObject([{ nodeId: 'wait', message: expect.stringContaining('order.paid') }]);
    expect(warnings[0]!.messageZh).toContain('目标');
  });

  it('says nothing for another event, no goal, or a goal with a filter (some such events do not convert)', () => {
    const codes = (p: Plan) => limitWarnings(p).map((w) => w.code);
    expect(codes(plan({ event: 'order.paid' }, 'message.received'))).not.toContain('goal_shadows_wait');
    expect(codes(plan(undefined))).not.toContain('goal_shadows_wait');
    const filtered = { event: 'order.paid', filter: { field: 'payload.amount', op: 'gte', value: 100 } };
    expect(codes(plan(filtered))).not.toContain('goal_shadows_wait');
  });
});

describe('warnings: free-form messages after a provider window', () => {
  const WINDOW: FreeFormWindow = {
    id: 'test-48h',
    channels: ['wechat_oa'],
    hours: 48,
    label: { en: 'customer-service messages', zh: '客服消息' },
    message: { en: 'Use a template.', zh: '请使用模板。' },
  };
  const oa = (id: string, template = false) =>
    send(
      id,
      'Hi',
      'wechat_oa',
      template ? { message: { text: 'Hi', template: { id: 'TPL', params: {} } } } : {},
    );
  const wait = (id: string, duration: string) => ({ id, type: 'wait', duration }) as const;
  const warned = (plan: Plan) =>
    limitWarnings(plan, [], [WINDOW])
      .filter((w) => w.code === 'free_form_after_window')
      .map((w) => w.nodeId);

  it('warns of a free-form send after a wait longer than the window, and says it in both languages', () => {
    const [warning] = limitWarnings(
      testPlan([trigger(), oa('hello'), wait('w', 'P3D'), oa('late'), exit()]),
      [],
      [WINDOW],
    );
    expect(warning).toMatchObject({ code: 'free_form_after_window', nodeId: 'late', limitId: 'test-48h' });
    expect(warning!.message).toContain('3 days after step "w"');
    expect(warning!.message).toContain('48 hours customer-service messages');
    expect(warning!.messageZh).toContain('至少 3 天');
    expect(warning!.messageZh).toContain('请使用模板。');
  });

  it('adds up waits, and sends and branches between them, but not a template, another channel or a short wait', () => {
    expect(
      warned(
        testPlan([trigger(), wait('a', 'P1D'), oa('tpl', true), wait('b', 'PT25H'), oa('late'), exit()]),
      ),
    ).toEqual(['late']);
    expect(warned(testPlan([trigger(), wait('a', 'P3D'), oa('tpl', true), exit()]))).toEqual([]);
    expect(warned(testPlan([trigger(), wait('a', 'P3D'), send('wx', 'Hi', 'wechat'), exit()]))).toEqual([]);
    expect(warned(testPlan([trigger(), wait('a', 'P2D'), oa('on-the-edge'), exit()]))).toEqual([]);
    expect(warned(testPlan([trigger(), wait('a', 'P3D'), oa('late'), exit()]))).toEqual(['late']);
    // Without the provider's window declared there is nothing to warn of.
    expect(limitWarnings(testPlan([trigger(), wait('a', 'P3D'), oa('late'), exit()]))).toEqual([]);
  });

  it("counts a wait for an event only when it timed out: the event may be the follower's reply", () => {
    const plan = testPlan(
      [
        trigger(),
        { id: 'reply', type: 'wait_for_event', event: 'message.received', timeout: 'P3D' },
        oa('thanks'),
        oa('nudge'),
        exit(),
      ],
      [
        ['reply', 'event', 'thanks'],
        ['reply', 'timeout', 'nudge'],
      ],
    );
    expect(warned(plan)).toEqual(['nudge']);
  });

  it('ends on a loop (a daily reminder)', () => {
    const loop = testPlan([trigger(), oa('tip'), wait('day', 'P1D')], [['day', 'next', 'tip']]);
    expect(warned(loop)).toEqual(['tip']);
  });
});
