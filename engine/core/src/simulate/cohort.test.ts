import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../flow/compile';
import type { Plan } from '../flow/plan';
import { exit, MASS_SEND_LIMIT, send, testPlan, trigger } from '../test-support';
import { buildCohort, type CohortOptions, type CohortReport, simulateCohort } from './cohort';

const HOUR = 3600_000;
/** Monday 2 March 2026, 10:00 in Shanghai. */
const MONDAY_10 = Date.parse('2026-03-02T10:00:00+08:00');

function examplePlan(settings: object = {}): Plan {
  const doc = JSON.parse(readFileSync(new URL('../../examples/vip-welcome.json', import.meta.url), 'utf8'));
  const result = compile({ ...doc, settings: { ...doc.settings, ...settings } });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.plan;
}

const base = (options: Partial<CohortOptions> = {}): CohortOptions => ({
  size: 200,
  startAt: MONDAY_10,
  event: { group: 'G1' },
  ...options,
});

const codes = (report: CohortReport) => report.warnings.map((w) => w.code);
const step = (report: CohortReport, nodeId: string) => report.funnel.find((s) => s.nodeId === nodeId)!;
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** A 70/30 split: arm a asks for a reply, arm b waits ten days. Paying converts. */
function splitPlan(): Plan {
  return testPlan(
    [
      trigger(),
      {
        id: 'ab',
        type: 'split',
        arms: [
          { id: 'a', weight: 70 },
          { id: 'b', weight: 30 },
        ],
      },
      send('ask', 'Any questions?'),
      { id: 'reply', type: 'wait_for_event', event: 'reply', timeout: 'P2D' },
      send('thanks', 'Thanks!'),
      exit(),
      send('nudge', 'Still there?'),
      exit('out2'),
      send('later', 'Later'),
      { id: 'long', type: 'wait', duration: 'P10D' },
      exit('out3'),
    ],
    [
      ['ab', 'a', 'ask'],
      ['ab', 'b', 'later'],
      ['reply', 'event', 'thanks'],
      ['reply', 'timeout', 'nudge'],
    ],
    { goal: { event: 'order.paid' } },
  );
}

const splitOptions = (seed: number | string = 1): CohortOptions =>
  base({
    size: 1000,
    seed,
    enrollOver: 'P1D',
    horizon: 'P5D',
    events: [
      { name: 'reply', probability: 0.5, after: { min: 'PT1H', max: 'P1D' } },
      { name: 'order.paid', probability: 0.1, after: { min: 'PT1H', max: 'P3D' } },
    ],
  });

describe('cohort dry-run: funnel and outcomes', () => {
  const report = simulateCohort(splitPlan(), splitOptions());

  it('adds up: every entry into a step left it by an exit, ended there, or is still there', () => {
    for (const s of report.funnel) {
      expect(s.entered, s.nodeId).toBe(sum(Object.values(s.left)) + s.ended + s.stillThere);
    }
    expect(step(report, 'in').entered).toBe(1000);
    // Every run is somewhere at the end: ended in one step or still in one.
    expect(sum(report.funnel.map((s) => s.ended + s.stillThere))).toBe(1000);
    expect(sum(Object.values(report.outcomes))).toBe(1000);
    expect(report.outcomes.running).toBe(step(report, 'long').stillThere);
    expect(report.outcomes.converted).toBeGreaterThan(0);
    expect(report.outcomes.exited).toBe(step(report, 'out').ended + step(report, 'out2').ended);
  });

  it('shows a 70/30 split as about 70/30', () => {
    const { a = 0, b = 0 } = step(report, 'ab').left;
    expect(a + b).toBe(1000);
    expect(a / 1000).toBeGreaterThan(0.65);
    expect(a / 1000).toBeLessThan(0.75);
  });

  it('shows a 70/30 attribute as about 70/30 at a branch on it', () => {
    const vip = simulateCohort(
      examplePlan(),
      base({ size: 1000, attributes: { tier: { vip: 0.7, basic: 0.3 } } }),
    );
    const { vip: toVip = 0, else: toElse = 0 } = step(vip, 'is-vip').left;
    expect(toVip + toElse).toBe(1000);
    expect(toVip / 1000).toBeGreaterThan(0.65);
    expect(toVip / 1000).toBeLessThan(0.75);
    expect(vip.population.attributes.tier).toEqual({ vip: toVip, basic: toElse });
  });

  it('counts messages per channel and per local day', () => {
    const sent = sum(Object.values(report.sends).map((s) => s.sent));
    expect(sent).toBe(sum(report.messagesPerDay.map((d) => d.total)));
    expect(report.sends.wechat!.sent).toBe(
      sum(['ask', 'thanks', 'nudge', 'later'].map((id) => step(report, id).entered)) -
        sum(['ask', 'thanks', 'nudge', 'later'].map((id) => step(report, id).stillThere)),
    );
    expect(report.messagesPerDay.map((d) => d.date)).toEqual(
      [...report.messagesPerDay.map((d) => d.date)].sort(),
    );
  });

  it("counts days on each contact's own clock", () => {
    // Monday 10:00 in Shanghai is Sunday 21:00 in New York.
    const r = simulateCohort(
      examplePlan(),
      base({ size: 400, timezones: { 'Asia/Shanghai': 0.5, 'America/New_York': 0.5 } }),
    );
    const ny = r.population.timezones['America/New_York']!;
    expect(ny / 400).toBeGreaterThan(0.4);
    expect(ny / 400).toBeLessThan(0.6);
    expect(r.messagesPerDay).toEqual([
      { date: '2026-03-01', total: 2 * ny, byChannel: { wechat: 2 * ny } },
      { date: '2026-03-02', total: 2 * (400 - ny), byChannel: { wechat: 2 * (400 - ny) } },
    ]);
  });

  it('draws addresses and opt-outs: contacts without WeCom get the SMS fallback', () => {
    const plan = testPlan([trigger(), send('hi', 'Hi', 'wechat', { fallback: { channel: 'sms' } }), exit()]);
    const r = simulateCohort(
      plan,
      base({ size: 1000, addresses: { wechat: 0.6 }, unsubscribed: { sms: 0.5 } }),
    );
    const wechat = r.sends.wechat?.sent ?? 0;
    const sms = r.sends.sms?.sent ?? 0;
    expect(wechat / 1000).toBeGreaterThan(0.55);
    expect(wechat / 1000).toBeLessThan(0.65);
    // Of the 40% without WeCom, half opted out of SMS.
    expect(sms / 1000).toBeGreaterThan(0.15);
    expect(sms / 1000).toBeLessThan(0.25);
    // Each send not made is counted at its step by reason, as production's statistics count it:
    // one on WeCom for each contact without it, one more on SMS for each of those who opted out.
    const { suppressed, held } = step(r, 'hi');
    expect(held).toEqual({});
    expect((suppressed['no-address'] ?? 0) + (suppressed['opted-out'] ?? 0)).toBe(
      1000 - wechat + (1000 - wechat - sms),
    );
    expect(suppressed['opted-out']).toBe(1000 - wechat - sms);
  });

  it('counts sends held by quiet hours and the frequency cap at their step', () => {
    const plan = testPlan([trigger(), send('hi', 'Hi'), send('again', 'Again'), exit()], [], {
      quietHours: { start: '09:00', end: '11:00' },
      frequencyCap: { max: 1, per: 'PT1H', onCap: 'defer' },
    });
    const r = simulateCohort(plan, base({ size: 50 }));
    expect(step(r, 'hi').held).toEqual({ 'quiet-hours': 50 });
    expect(step(r, 'again').held).toEqual({ capped: 50 });
    expect(step(r, 'again').suppressed).toEqual({});
  });
});

describe('cohort dry-run: determinism', () => {
  it('gives the same report for the same seed', () => {
    expect(simulateCohort(splitPlan(), splitOptions(7))).toEqual(
      simulateCohort(splitPlan(), splitOptions(7)),
    );
  });

  it('assigns events differently for another seed', () => {
    const events = (seed: number) => buildCohort(splitOptions(seed)).map((c) => c.events);
    expect(events(1)).toEqual(events(1));
    expect(events(2)).not.toEqual(events(1));
    const got = (seed: number) => events(seed).map((e) => e.some((x) => x.name === 'reply'));
    expect(got(2)).not.toEqual(got(1));
  });

  it('spreads enrollments over enrollOver and places events inside their range', () => {
    const cohort = buildCohort(splitOptions());
    expect(cohort[0]!.enrolledAt).toBe(MONDAY_10);
    expect(cohort.at(-1)!.enrolledAt).toBeLessThan(MONDAY_10 + 24 * HOUR);
    for (const c of cohort) {
      for (const e of c.events) {
        const at = e.at as number;
        if (e.name === 'reply') expect(at >= HOUR && at <= 24 * HOUR).toBe(true);
      }
    }
  });

  it('refuses probabilities out of range and unknown time zones', () => {
    expect(() => buildCohort(base({ tags: { vip: 1.5 } }))).toThrow(RangeError);
    expect(() => buildCohort(base({ timezones: { 'Mars/Olympus': 1 } }))).toThrow(RangeError);
  });
});

describe('cohort dry-run: warnings', () => {
  const threeSends = (settings?: object) =>
    testPlan(
      [trigger(), send('a', 'A'), send('b', 'B'), send('c', 'C'), send('d', 'D'), exit()],
      [],
      settings,
    );

  it('reports frequency cap hits when the flow has a cap', () => {
    const r = simulateCohort(threeSends({ frequencyCap: { max: 2, per: 'P1D' } }), base({ size: 50 }));
    const [hit] = r.warnings.filter((w) => w.code === 'frequency_cap_hit');
    // c waits a day for a and b to leave the window; then c and d fit.
    expect(hit).toMatchObject({ contacts: 50, count: 50, nodeIds: ['c'] });
    expect(hit!.messageZh).toContain('频次上限');
    expect(codes(r)).not.toContain('many_per_day');
  });

  it('counts messages from other flows against the cap', () => {
    const plan = testPlan([trigger(), send('a', 'A'), exit()], [], { frequencyCap: { max: 1, per: 'P1D' } });
    const r = simulateCohort(
      plan,
      base({ size: 40, priorSends: (_c, i, at) => (i % 2 === 0 ? [at - HOUR] : []) }),
    );
    expect(r.warnings.find((w) => w.code === 'frequency_cap_hit')).toMatchObject({ contacts: 20 });
  });

  it('without a cap, reports contacts who would get more than the reference per day', () => {
    const r = simulateCohort(threeSends(), base({ size: 50 }));
    expect(r.warnings.find((w) => w.code === 'many_per_day')).toMatchObject({
      contacts: 50,
      dates: ['2026-03-02'],
      nodeIds: ['a', 'b', 'c', 'd'],
    });
    expect(codes(simulateCohort(threeSends(), base({ size: 50, dailyCapReference: 4 })))).toEqual([]);
  });

  it('reports sends piled up at the end of quiet hours', () => {
    const late = (settings?: object) =>
      testPlan(
        [trigger(), { id: 'w', type: 'wait', duration: 'PT13H' }, send('tip', 'Tip'), exit()],
        [],
        settings,
      );
    const quiet = { quietHours: { start: '22:00', end: '08:00' } };
    // Enrolled over a day from Monday 10:00: due Monday 23:00 to Tuesday 23:00, and those due
    // in the night all go at 08:00 on Tuesday.
    const r = simulateCohort(late(quiet), base({ enrollOver: 'P1D' }));
    const pile = r.warnings.find((w) => w.code === 'quiet_hours_pile');
    expect(pile).toMatchObject({ nodeIds: ['tip'], dates: ['2026-03-03'] });
    expect(pile!.count).toBeGreaterThan(60);
    expect(codes(simulateCohort(late(), base({ enrollOver: 'P1D' })))).toEqual([]);
    // Everyone due at 23:00 but only ten of them: under the minimum.
    expect(codes(simulateCohort(late(quiet), base({ size: 10 })))).toEqual([]);
  });

  it("reports a provider's quota per recipient, with the quota configurable", () => {
    const loop = (every: string, channel = 'wechat') =>
      testPlan(
        [trigger(), send('tip', 'Tip', channel), { id: 'w', type: 'wait', duration: every }],
        [['w', 'next', 'tip']],
      );
    const options = base({ size: 20, horizon: 'P30D', dailyCapReference: 10, limits: [MASS_SEND_LIMIT] });
    const twiceADay = simulateCohort(loop('PT12H'), options);
    expect(twiceADay.warnings.find((w) => w.code === 'channel_quota_exceeded')).toMatchObject({
      contacts: 20,
      nodeIds: ['tip'],
      limitId: MASS_SEND_LIMIT.id,
    });
    expect(twiceADay.warnings[0]!.messageZh).toContain(MASS_SEND_LIMIT.message.zh);
    // No limit declared: nothing is counted.
    expect(codes(simulateCohort(loop('PT12H'), { ...options, limits: [] }))).toEqual([]);
    expect(twiceADay.outcomes.running).toBe(20);
    // Once a day stays within the days of the month...
    expect(codes(simulateCohort(loop('P1D'), options))).toEqual([]);
    // ...but not within the older 4 a month, nor a weekly 3.
    const quota = (max: number, per: 'week' | 'month') => ({ [MASS_SEND_LIMIT.id]: { max, per } });
    expect(codes(simulateCohort(loop('P1D'), { ...options, quotas: quota(4, 'month') }))).toEqual([
      'channel_quota_exceeded',
    ]);
    const weekly = simulateCohort(loop('P1D'), { ...options, quotas: quota(3, 'week') });
    expect(weekly.warnings[0]!.message).toContain('3 a week');
    // Group robots are counted per group; SMS not at all.
    expect(codes(simulateCohort(loop('PT12H', 'wechat_group'), options))).toEqual(['channel_quota_exceeded']);
    expect(codes(simulateCohort(loop('PT12H', 'sms'), options))).toEqual([]);
  });

  it('gives no warnings for a normal flow', () => {
    const options = base({ size: 300, enrollOver: 'P2D', attributes: { tier: { vip: 0.2, basic: 0.8 } } });
    expect(simulateCohort(examplePlan(), options).warnings).toEqual([]);
    const guarded = examplePlan({
      quietHours: { start: '22:00', end: '08:00' },
      frequencyCap: { max: 3, per: 'P1D' },
    });
    // Enrolled in the daytime; enrolling all night long would (rightly) pile up at 08:00.
    expect(simulateCohort(guarded, { ...options, enrollOver: 'PT10H' }).warnings).toEqual([]);
    expect(codes(simulateCohort(guarded, options))).toEqual(['quiet_hours_pile']);
  });
});
