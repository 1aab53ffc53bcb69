import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { compile } from '../flow/compile';
import { applyContactUpdate } from '../flow/contact-update';
import type { Plan } from '../flow/plan';
import { Contact, type ContactInput, type FlowDocumentInput, JOIN_WAY_TO_PICK } from '../flow/schema';
import {
  type SimulationOptions,
  type SimulationResult,
  simulate,
  type TimelineEntry,
} from '../simulate/simulate';
import {
  findTemplate,
  TEMPLATE_LOCALES,
  TEMPLATES,
  type TemplateId,
  type TemplateLocale,
  templateFlow,
} from './index';
import { buildTemplate, chain, exits as exitEdges } from './shared';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const ZONE = 'Asia/Shanghai';
/** Monday 2 March 2026, 10:00 in Shanghai. */
const MONDAY_10 = Date.parse('2026-03-02T10:00:00+08:00');

/** The join way an operator picked for the WeCom new-customer template. */
const CLUB_JOIN_WAY = 'wjReadingClub';

/** A template's document once the operator has picked what is theirs to pick (a join way). */
function picked(doc: FlowDocumentInput): FlowDocumentInput {
  return JSON.parse(JSON.stringify(doc).replaceAll(`"${JOIN_WAY_TO_PICK}"`, `"${CLUB_JOIN_WAY}"`));
}

function plan(id: TemplateId, locale: TemplateLocale = 'zh'): Plan {
  const result = compile(picked(templateFlow(id, locale)));
  if (!result.ok) throw new Error(JSON.stringify(result.errors, null, 2));
  return result.plan;
}

/** A contact reachable on every channel. */
const member = (input: Partial<ContactInput> = {}): ContactInput => ({
  id: 'm1',
  name: '小林',
  addresses: { wecomUserId: 'wx-m1', phone: '13800000000', email: 'lin@example.com' },
  ...input,
});

function run(id: TemplateId, options: Partial<SimulationOptions> = {}, locale: TemplateLocale = 'zh') {
  return simulate(plan(id, locale), { contact: member(), startAt: MONDAY_10, ...options });
}

type Send = Extract<TimelineEntry, { kind: 'send' }>;
const sends = (result: SimulationResult): Send[] =>
  result.timeline.filter((e): e is Send => e.kind === 'send');
const sent = (result: SimulationResult): Send[] => sends(result).filter((s) => s.status === 'sent');
const sentTo = (result: SimulationResult, nodeId: string): Send => {
  const found = sent(result).find((s) => s.nodeId === nodeId);
  if (!found) throw new Error(`nothing sent by ${nodeId}: ${sent(result).map((s) => s.nodeId)}`);
  return found;
};
const updates = (result: SimulationResult) =>
  result.timeline.filter((e): e is Extract<TimelineEntry, { kind: 'update' }> => e.kind === 'update');
const exits = (result: SimulationResult) =>
  result.timeline
    .filter((e): e is Extract<TimelineEntry, { kind: 'leave' }> => e.kind === 'leave')
    .map((e) => `${e.nodeId}:${e.exit}`);
/** Local day and time of an instant, e.g. `Tue 20:00`. */
const local = (at: number, zone = ZONE) => DateTime.fromMillis(at, { zone }).toFormat('ccc HH:mm');
/** What went out, as `[node, local time]`. */
const schedule = (result: SimulationResult, zone = ZONE) =>
  sent(result).map((s) => [s.nodeId, local(s.at, zone)]);

function inQuietHours(at: number, zone: string): boolean {
  const hour = DateTime.fromMillis(at, { zone }).hour;
  return hour >= 22 || hour < 8;
}

/** Fields whose strings are words for people; everything else must match across locales. */
const WORDS = new Set(['name', 'description', 'label', 'text', 'subject', 'reason']);

function skeleton(value: unknown, key?: string): unknown {
  if (typeof value === 'string' && key !== undefined && WORDS.has(key)) return '…';
  if (Array.isArray(value)) return value.map((v) => skeleton(v));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, skeleton(v, k)]));
  return value;
}

function words(value: unknown, key?: string): string[] {
  if (typeof value === 'string') return key !== undefined && WORDS.has(key) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap((v) => words(v));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => words(v, k));
  return [];
}

const CJK = /[\u4e00-\u9fff]/;
const sendNodes = (doc: FlowDocumentInput) =>
  doc.nodes.filter((n): n is Extract<typeof n, { type: 'send' }> => n.type === 'send');

describe('templates: documents', () => {
  it('lists the five SOPs in lifecycle order, then the WeCom new customer, each named and described in both locales', () => {
    expect(TEMPLATES.map((t) => t.id)).toEqual([
      'welcome',
      'icebreaker',
      'nurture',
      'promo',
      'reactivation',
      'wecom-new-customer',
    ]);
    expect(TEMPLATES.map((t) => t.name.zh)).toEqual([
      '入群欢迎',
      '新人破冰（3 天）',
      '养粉：7 天内容节奏',
      '限时秒杀',
      '沉默成员唤醒',
      '企微新客 SOP',
    ]);
    for (const t of TEMPLATES) {
      expect(CJK.test(t.description.zh), t.id).toBe(true);
      expect(CJK.test(t.name.en) || CJK.test(t.description.en), t.id).toBe(false);
      expect(t.description.en.length, t.id).toBeGreaterThan(100);
    }
  });

  for (const t of TEMPLATES) {
    for (const locale of TEMPLATE_LOCALES) {
      it(`${t.id} (${locale}) compiles with no errors once what is the operator's is picked`, () => {
        const result = compile(picked(t.build(locale)));
        expect(result.ok ? [] : result.errors).toEqual([]);
      });
    }

    it(`${t.id}: both locales have the same steps, exits, edges and settings; only the words differ`, () => {
      const zh = t.build('zh');
      const en = t.build('en');
      expect(en.nodes.map((n) => [n.id, n.type])).toEqual(zh.nodes.map((n) => [n.id, n.type]));
      expect(en.edges).toEqual(zh.edges);
      expect(skeleton(en)).toEqual(skeleton(zh));
      // Every step is labelled, in its own language.
      for (const node of [...zh.nodes, ...en.nodes]) expect(node.label, node.id).toBeTruthy();
      expect(words(en).filter((w) => CJK.test(w))).toEqual([]);
      for (const node of zh.nodes) expect(CJK.test(node.label ?? ''), node.id).toBe(true);
      for (const node of sendNodes(zh)) expect(CJK.test(node.message.text), node.id).toBe(true);
    });

    it(`${t.id}: ids are English kebab-case; the canvas reads top to bottom`, () => {
      const doc = t.build('zh');
      const kebab = /^[a-z0-9]+(-[a-z0-9]+)*$/;
      for (const node of doc.nodes) {
        expect(node.id).toMatch(kebab);
        if (node.type === 'branch') for (const b of node.branches) expect(b.id).toMatch(kebab);
      }
      const at = new Map(doc.nodes.map((n) => [n.id, n.position!]));
      expect(new Set(doc.nodes.map((n) => `${n.position!.x},${n.position!.y}`)).size).toBe(doc.nodes.length);
      for (const edge of doc.edges) {
        expect(at.get(edge.target)!.y, edge.id).toBeGreaterThan(at.get(edge.source)!.y);
      }
      expect(doc.nodes[0]).toMatchObject({ type: 'trigger', position: { x: 0, y: 0 } });
    });

    it(`${t.id}: SMS carries the opt-out line of its language`, () => {
      for (const [locale, optOut] of [
        ['zh', '回T退订'],
        ['en', 'Reply STOP to opt out'],
      ] as const) {
        for (const node of sendNodes(t.build(locale)).filter((n) => n.channel === 'sms')) {
          expect(node.message.text.endsWith(optOut), node.id).toBe(true);
        }
      }
    });
  }

  it('shares settings: Shanghai time, quiet 22:00–08:00; re-entry and caps per SOP', () => {
    const settings = Object.fromEntries(TEMPLATES.map((t) => [t.id, t.build('en').settings]));
    for (const s of Object.values(settings)) {
      expect(s).toMatchObject({ timezone: 'Asia/Shanghai', quietHours: { start: '22:00', end: '08:00' } });
    }
    expect(settings.welcome).toMatchObject({ reentry: { mode: 'never' } });
    expect(settings.welcome!.frequencyCap).toBeUndefined();
    expect(settings.icebreaker).toMatchObject({
      reentry: { mode: 'never' },
      frequencyCap: { onCap: 'defer' },
    });
    expect(settings.nurture).toMatchObject({
      reentry: { mode: 'never' },
      frequencyCap: { max: 2, per: 'P1D', onCap: 'defer' },
    });
    expect(settings.promo).toMatchObject({ reentry: { mode: 'never' }, frequencyCap: { onCap: 'skip' } });
    expect(settings.promo!.goal).toBeUndefined();
    expect(settings.reactivation).toMatchObject({
      reentry: { mode: 'after', after: 'P30D' },
      goal: { event: 'order.paid' },
    });
    expect(settings['wecom-new-customer']).toMatchObject({ reentry: { mode: 'never' } });
    expect(settings['wecom-new-customer']!.frequencyCap).toBeUndefined();
  });

  it('templateFlow gives a fresh document under the flow id asked for', () => {
    const doc = templateFlow('promo', 'en', 'spring-flash-sale');
    expect(doc).toMatchObject({ id: 'spring-flash-sale', name: 'Flash sale' });
    expect(templateFlow('promo', 'zh')).toMatchObject({ id: 'promo', name: '限时秒杀' });
    const result = compile(doc);
    expect(result.ok && result.plan.flowId).toBe('spring-flash-sale');
    // Documents are not shared: editing one leaves the template alone.
    doc.nodes.pop();
    expect(templateFlow('promo', 'en', 'x').nodes).toHaveLength(doc.nodes.length + 1);
    expect(findTemplate('nurture')?.id).toBe('nurture');
    expect(findTemplate('nope')).toBeUndefined();
    expect(() => templateFlow('nope' as TemplateId, 'zh')).toThrow(/No template "nope"/);
  });

  it('never messages a contact in quiet hours, whenever they enter and whatever they do', () => {
    const event = {
      group: '读书会',
      product: '护手霜',
      couponCode: 'FLASH88',
      silentDays: 14,
      staffId: 'staff-lin',
      externalUserId: 'wm-m1',
    };
    const behaviours: NonNullable<SimulationOptions['events']>[] = [
      [],
      [{ at: 'PT13H', name: 'message.received' }],
      [{ at: 'P1DT13H', name: 'link.clicked' }],
      [{ at: 'PT13H', name: 'order.paid' }],
    ];
    for (const t of TEMPLATES) {
      const p = plan(t.id);
      // A new-friend welcome answers the customer's own add at once (its code lasts 20 s), night or not.
      const welcomes = new Set(
        Object.values(p.nodes).flatMap((n) => (n.type === 'send' && n.welcome ? [n.id] : [])),
      );
      for (let hour = 0; hour < 24; hour++) {
        for (const events of behaviours) {
          const result = simulate(p, {
            contact: member(),
            event,
            events,
            startAt: MONDAY_10 + (hour - 10) * HOUR,
          });
          expect(result.outcome, `${t.id} at ${hour}:00`).not.toBeNull();
          const night = sent(result).filter(
            (s) => !s.to.startsWith('staff:') && !welcomes.has(s.nodeId) && inQuietHours(s.at, ZONE),
          );
          expect(night.map((s) => `${t.id} entered ${hour}:00: ${s.nodeId} at ${local(s.at)}`)).toEqual([]);
        }
      }
    }
    // 576 dry-runs: under a second on an idle machine, past the default 5 s on a loaded one.
  }, 30_000);
});

describe('templates: the shared builders', () => {
  it('give edges the stable ids saved flows keep: source->target, and source.exit->target', () => {
    expect(chain('a', 'b', 'c')).toEqual([
      { id: 'a->b', source: 'a', target: 'b' },
      { id: 'b->c', source: 'b', target: 'c' },
    ]);
    expect(exitEdges('wait', { event: 'yes', timeout: 'no' })).toEqual([
      { id: 'wait.event->yes', source: 'wait', sourceHandle: 'event', target: 'yes' },
      { id: 'wait.timeout->no', source: 'wait', sourceHandle: 'timeout', target: 'no' },
    ]);
  });

  it("label each step from the locale's copy and lay the shared settings under the template's own", () => {
    const copy = (name: string, label: string) => ({ name, description: '', labels: { start: label } });
    const build = buildTemplate(
      't',
      { zh: copy('模板', '开始'), en: copy('Template', 'Start') },
      (_t, step) => ({
        nodes: [step.of('trigger', 'start', { x: 0, y: 0 }, { trigger: { kind: 'manual' } })],
        edges: [],
        settings: { frequencyCap: { max: 1, per: 'P1D' } },
      }),
    );
    expect(build('zh')).toMatchObject({ id: 't', name: '模板', nodes: [{ id: 'start', label: '开始' }] });
    expect(build('en').settings).toEqual({
      timezone: 'Asia/Shanghai',
      quietHours: { start: '22:00', end: '08:00' },
      frequencyCap: { max: 1, per: 'P1D' },
      reentry: { mode: 'never' },
    });
  });
});

describe('welcome (入群欢迎)', () => {
  const joined = { group: '北京读书会' };

  it('greets in the group at once with the rules, invites an introduction 10 minutes later, tags those who post', () => {
    const result = run('welcome', {
      event: joined,
      events: [{ at: 'PT2H', name: 'message.received', payload: { text: '大家好，我是小林' } }],
    });
    const [greet, invite] = sent(result);
    expect(greet).toMatchObject({ nodeId: 'greet', channel: 'wechat_group', at: MONDAY_10 });
    expect(greet!.text).toMatch(/^@小林 欢迎加入「北京读书会」🎉\n/);
    expect(greet!.text).toContain('📌 群规');
    expect(greet!.text).toContain('禁止刷屏');
    expect(invite).toMatchObject({
      nodeId: 'invite-intro',
      channel: 'wechat_group',
      at: MONDAY_10 + 10 * MINUTE,
    });
    expect(invite!.text).toContain('@小林 来做个简单的自我介绍吧');
    expect(sent(result)).toHaveLength(2);
    expect(updates(result)).toEqual([
      { at: MONDAY_10 + 2 * HOUR, kind: 'update', nodeId: 'introduced', points: 10, tags: ['introduced'] },
    ]);
    expect(result.contact).toMatchObject({ tags: ['introduced'], points: 10 });
    expect(result.outcome).toEqual({ kind: 'exited', nodeId: 'done-introduced' });
  });

  it('nudges privately a day after the invitation when the member stays silent', () => {
    const result = run('welcome', { event: joined });
    const nudge = sentTo(result, 'nudge');
    expect(nudge).toMatchObject({ channel: 'wechat', to: 'm1', at: MONDAY_10 + DAY + 10 * MINUTE });
    expect(nudge.text).toBe(
      '小林，我是「北京读书会」的小助手 😊\n看你还没在群里说过话，是不是不知道从哪儿开始？发一句「大家好，我是……」就可以，群友们都很友好。\n有任何问题也可以直接回复我～',
    );
    expect(updates(result)).toEqual([]);
    expect(result.outcome).toEqual({ kind: 'exited', nodeId: 'done-nudged' });
  });

  it('greets a nameless member as a new friend, in either language', () => {
    const zh = run('welcome', { contact: member({ name: undefined }), event: joined });
    expect(sentTo(zh, 'greet').text).toMatch(/^@新朋友 欢迎加入「北京读书会」/);
    const en = run('welcome', { contact: member({ name: undefined }), event: { group: 'Book Club' } }, 'en');
    expect(sentTo(en, 'greet').text).toMatch(/^@new friend welcome to Book Club! 🎉\n/);
    expect(sentTo(en, 'greet').text).toContain('📌 Group rules');
    expect(sentTo(en, 'nudge').text).toMatch(/^Hi there, I'm the helper of Book Club/);
  });

  it('holds a greeting for a member who joins at 23:00 until 08:00, so the group is not pinged at night', () => {
    const result = run('welcome', { event: joined, startAt: MONDAY_10 + 13 * HOUR });
    expect(schedule(result)).toEqual([
      ['greet', 'Tue 08:00'],
      ['invite-intro', 'Tue 08:10'],
      ['nudge', 'Wed 08:10'],
    ]);
    expect(result.timeline).toContainEqual(
      expect.objectContaining({ kind: 'wait', nodeId: 'greet', reason: 'quiet-hours' }),
    );
  });
});

describe('icebreaker (破冰)', () => {
  const joined = { group: '北京读书会' };

  it('asks one question at 20:00 on each of the three evenings after the join day, then tags the quiet', () => {
    const result = run('icebreaker', { contact: member({ attributes: { city: '杭州' } }), event: joined });
    expect(schedule(result)).toEqual([
      ['day1-question', 'Tue 20:00'],
      ['day2-city', 'Wed 20:00'],
      ['day3-game', 'Thu 20:00'],
    ]);
    expect(sentTo(result, 'day1-question').text).toContain('你最希望在「北京读书会」里收获什么？');
    expect(sentTo(result, 'day2-city').text).toBe(
      '小林，看到你在杭州～\n今天的问题：杭州有什么你私藏的好去处或美食？推荐一个给大家吧 🍜',
    );
    expect(sentTo(result, 'day3-game').text).toContain('回复「打卡 + 3 个词」就算完成今天的打卡');
    expect(updates(result)).toEqual([
      {
        at: Date.parse('2026-03-06T20:00:00+08:00'),
        kind: 'update',
        nodeId: 'quiet',
        points: 0,
        tags: ['quiet-newcomer'],
      },
    ]);
    expect(result.outcome).toEqual({ kind: 'exited', nodeId: 'still-quiet' });
  });

  it('draws the personal question from the profile: city first, then interest, else a general one', () => {
    const interest = run('icebreaker', {
      contact: member({ attributes: { interest: '摄影' } }),
      event: joined,
    });
    expect(sentTo(interest, 'day2-interest').text).toBe(
      '小林，听说你喜欢摄影～\n今天的问题：你是怎么喜欢上摄影的？最近有什么心得想分享吗？',
    );
    const none = run('icebreaker', { event: joined });
    expect(sent(none).map((s) => s.nodeId)).toEqual(['day1-question', 'day2-general', 'day3-game']);
    const en = run(
      'icebreaker',
      { contact: member({ name: 'Lin', attributes: { city: 'Hangzhou' } }) },
      'en',
    );
    expect(sentTo(en, 'day2-city').text).toBe(
      "Hi Lin, I see you're in Hangzhou!\nToday's question: what's your favourite hidden spot or dish in Hangzhou? Recommend one to the group 🍜",
    );
  });

  it('rewards the first reply with points and a check-in, thanks them and stops asking', () => {
    // Wednesday 21:00: an hour after the day-2 question.
    const reply = Date.parse('2026-03-04T21:00:00+08:00') - MONDAY_10;
    const result = run('icebreaker', {
      event: joined,
      events: [{ at: reply, name: 'message.received', payload: { text: '最近学会了做蛋糕' } }],
    });
    expect(schedule(result)).toEqual([
      ['day1-question', 'Tue 20:00'],
      ['day2-general', 'Wed 20:00'],
      ['reward', 'Wed 21:00'],
    ]);
    expect(updates(result)).toEqual([
      { at: MONDAY_10 + reply, kind: 'update', nodeId: 'first-reply', points: 25, tags: ['first-message'] },
    ]);
    expect(sentTo(result, 'reward').text).toContain(
      '首次发言 +20 积分，今日打卡 +5 积分，你现在一共有 25 积分。',
    );
    expect(result.contact.attributes).toMatchObject({
      checkInStreak: 1,
      lastCheckIn: '2026-03-04',
      checkIns: 1,
    });
    expect(result.outcome).toEqual({ kind: 'exited', nodeId: 'ice-broken' });
  });

  it('leaves messages on the join day to the welcome flow', () => {
    const result = run('icebreaker', { event: joined, events: [{ at: 'PT2H', name: 'message.received' }] });
    expect(result.timeline).toContainEqual({
      at: MONDAY_10 + 2 * HOUR,
      kind: 'event',
      name: 'message.received',
      use: 'ignored',
    });
    expect(sent(result)).toHaveLength(3);
  });
});

describe('nurture (养粉)', () => {
  it('sends value content at 20:00 local on days 1, 3, 5 and 7, and a digest to the unengaged', () => {
    const result = run('nurture');
    expect(schedule(result)).toEqual([
      ['day1-tip', 'Mon 20:00'],
      ['day3-knowledge', 'Wed 20:00'],
      ['day5-story', 'Fri 20:00'],
      ['day7-digest', 'Sun 20:00'],
    ]);
    expect(sentTo(result, 'day1-tip').text).toContain('小林，很高兴认识你！');
    expect(sentTo(result, 'day3-knowledge').text).toContain('https://example.com/n/day3');
    expect(updates(result)).toEqual([]);
    expect(result.outcome).toEqual({ kind: 'exited', nodeId: 'digested' });
  });

  it('tags a fan who opens a link engaged, keeps the cadence, and invites them on day 7', () => {
    // Wednesday 21:30, after the day-3 content.
    const click = Date.parse('2026-03-04T21:30:00+08:00') - MONDAY_10;
    const result = run('nurture', {
      events: [{ at: click, name: 'link.clicked', payload: { url: 'day3' } }],
    });
    expect(schedule(result)).toEqual([
      ['day1-tip', 'Mon 20:00'],
      ['day3-knowledge', 'Wed 20:00'],
      ['day5-story', 'Fri 20:00'],
      ['day7-invite', 'Sun 20:00'],
    ]);
    expect(updates(result)).toEqual([
      { at: MONDAY_10 + click, kind: 'update', nodeId: 'day3-engaged', points: 0, tags: ['engaged'] },
    ]);
    expect(sentTo(result, 'day7-invite').text).toContain('小林，这周看你对我们的内容挺感兴趣');
    expect(result.outcome).toEqual({ kind: 'exited', nodeId: 'invited' });
  });

  it('keeps 20:00 on the fan’s own clock', () => {
    const result = run('nurture', { contact: member({ timezone: 'Europe/Berlin' }) }, 'en');
    // Monday 10:00 in Shanghai is 03:00 in Berlin: the first content goes that Berlin evening.
    expect(schedule(result, 'Europe/Berlin')).toEqual([
      ['day1-tip', 'Mon 20:00'],
      ['day3-knowledge', 'Wed 20:00'],
      ['day5-story', 'Fri 20:00'],
      ['day7-digest', 'Sun 20:00'],
    ]);
    expect(sentTo(result, 'day1-tip').text).toMatch(/^Hi 小林, great to meet you!/);
  });

  it('waits out the frequency cap, and then quiet hours, before sending', () => {
    // Two messages from other flows in the day before the first content: the cap (2 a day) holds it
    // until 23:30, which is in quiet hours, so it goes at 08:00.
    const priorSends = [Date.parse('2026-03-01T23:30:00+08:00'), Date.parse('2026-03-02T09:00:00+08:00')];
    const result = run('nurture', { priorSends });
    const [capped, first] = sends(result);
    expect(capped).toMatchObject({ nodeId: 'day1-tip', status: 'capped' });
    expect(local(capped!.at)).toBe('Mon 20:00');
    expect(first).toMatchObject({ nodeId: 'day1-tip', status: 'sent' });
    expect(local(first!.at)).toBe('Tue 08:00');
    expect(
      result.timeline
        .filter((e) => e.kind === 'wait' && e.nodeId === 'day1-tip')
        .map((e) => e.kind === 'wait' && e.reason),
    ).toEqual(['frequency-cap', 'quiet-hours']);
  });
});

describe('promo (限时秒杀)', () => {
  const offer = { product: '护手霜', couponCode: 'FLASH88', referrerId: 'u-ref' };
  const at = (iso: string) => Date.parse(iso) - MONDAY_10;

  it('announces, launches at 20:00 with the coupon, and gives non-buyers a last call 2 hours before the end', () => {
    const result = run('promo', { event: offer });
    expect(schedule(result)).toEqual([
      ['preannounce', 'Mon 10:00'],
      ['launch', 'Mon 20:00'],
      ['last-call', 'Tue 18:00'],
    ]);
    expect(sentTo(result, 'preannounce').text).toContain('「护手霜」限时秒杀 20:00 准时开抢，只有 24 小时');
    expect(sentTo(result, 'launch').text).toBe(
      '⏰ 秒杀开始！「护手霜」限时 24 小时\n你的专属券码：FLASH88\n下单立减，手慢无 👉 https://shop.example.com/flash?code=FLASH88',
    );
    expect(sentTo(result, 'last-call').text).toContain('券码 FLASH88 20:00 失效');
    expect(result.outcome).toEqual({ kind: 'exited', nodeId: 'missed' });
    expect(result.endAt).toBe(Date.parse('2026-03-03T20:00:00+08:00'));
  });

  it('thanks a buyer instead of reminding them, credits the referrer, and follows up 3 days later', () => {
    const paid = at('2026-03-02T21:00:00+08:00');
    const result = run('promo', {
      event: offer,
      events: [{ at: paid, name: 'order.paid', payload: { amount: 59 } }],
    });
    expect(schedule(result)).toEqual([
      ['preannounce', 'Mon 10:00'],
      ['launch', 'Mon 20:00'],
      ['thanks', 'Mon 21:00'],
      ['follow-up', 'Thu 21:00'],
    ]);
    expect(sent(result).map((s) => s.nodeId)).not.toContain('last-call');
    expect(updates(result)).toEqual([
      { at: MONDAY_10 + paid, kind: 'update', nodeId: 'buyer', points: 20, tags: ['promo-buyer'] },
    ]);
    expect(sentTo(result, 'thanks').text).toContain('https://shop.example.com/flash?ref=m1');
    expect(sentTo(result, 'follow-up').text).toBe(
      '小林，「护手霜」用得怎么样？😊\n欢迎在群里晒单分享感受，有任何问题直接回复我，我来帮你处理～',
    );
    expect(result.outcome).toEqual({ kind: 'exited', nodeId: 'bought' });
  });

  it('thanks a buyer who paid before the sale opened at 20:00, and gives them no last call', () => {
    const result = run('promo', {
      event: offer,
      events: [{ at: at('2026-03-02T15:00:00+08:00'), name: 'order.paid', payload: { amount: 59 } }],
    });
    expect(result.timeline.filter((e) => e.kind === 'event')).toEqual([
      { at: Date.parse('2026-03-02T15:00:00+08:00'), kind: 'event', name: 'order.paid', use: 'kept' },
    ]);
    expect(schedule(result)).toEqual([
      ['preannounce', 'Mon 10:00'],
      ['launch', 'Mon 20:00'],
      ['thanks', 'Mon 20:00'],
      ['follow-up', 'Thu 20:00'],
    ]);
    expect(result.outcome).toEqual({ kind: 'exited', nodeId: 'bought' });
  });

  it('thanks a buyer who pays after the last call', () => {
    const result = run('promo', {
      event: offer,
      events: [{ at: at('2026-03-03T19:00:00+08:00'), name: 'order.paid' }],
    });
    expect(schedule(result)).toEqual([
      ['preannounce', 'Mon 10:00'],
      ['launch', 'Mon 20:00'],
      ['last-call', 'Tue 18:00'],
      ['thanks', 'Tue 19:00'],
      ['follow-up', 'Fri 19:00'],
    ]);
  });

  it('credits the referrer named by the enrolling event (裂变), and nobody without one', () => {
    const p = plan('promo', 'en');
    const buyer = p.nodes.buyer;
    if (buyer?.type !== 'update_contact') throw new Error('no buyer step');
    const contact = Contact.parse(member());
    const context = (event: Record<string, unknown>) => ({
      at: MONDAY_10,
      zone: ZONE,
      data: {
        contact,
        event,
        lastEvent: null,
        http: {},
        flow: { id: 'promo', name: 'Flash sale', version: 0 },
      },
    });
    expect(applyContactUpdate(contact, buyer.update, context(offer)).referral).toEqual({
      contactId: 'u-ref',
      points: 50,
      reason: 'Referred a friend who bought in the flash sale',
    });
    const { referrerId: _, ...direct } = offer;
    expect(applyContactUpdate(contact, buyer.update, context(direct)).referral).toBeUndefined();
  });

  it('skips a sale message over the frequency cap rather than sending it late', () => {
    // Two messages from other flows that afternoon plus the heads-up: the launch would be the 4th.
    const priorSends = [Date.parse('2026-03-02T12:00:00+08:00'), Date.parse('2026-03-02T13:00:00+08:00')];
    const result = run('promo', { event: offer, priorSends });
    expect(sends(result).map((s) => [s.nodeId, s.status, local(s.at)])).toEqual([
      ['preannounce', 'sent', 'Mon 10:00'],
      ['launch', 'capped', 'Mon 20:00'],
      ['last-call', 'sent', 'Tue 18:00'],
    ]);
  });

  it('speaks English in the en template', () => {
    const result = run(
      'promo',
      { contact: member({ name: 'Lin' }), event: { ...offer, product: 'hand cream' } },
      'en',
    );
    expect(sentTo(result, 'launch').text).toBe(
      '⏰ The flash sale is on! hand cream, 24 hours only\nYour coupon code: FLASH88\nGrab it before it sells out 👉 https://shop.example.com/flash?code=FLASH88',
    );
    expect(sentTo(result, 'last-call').text).toMatch(
      /^Hi Lin, only 2 hours left in the hand cream flash sale/,
    );
  });
});

describe('reactivation (唤醒)', () => {
  const silent = { silentDays: 14 };
  const couponAnswer = { coupon: { http: { status: 201, body: { code: 'WB-7Q2K' } } } };

  it('checks in on WeChat, then sends a coupon by SMS, then tags the member dormant and alerts staff', () => {
    const result = run('reactivation', { event: silent, responses: couponAnswer });
    const [checkIn, sms, alert] = sent(result);
    expect(checkIn).toMatchObject({ nodeId: 'check-in', channel: 'wechat', to: 'm1', at: MONDAY_10 });
    expect(checkIn!.text).toContain('小林，好久不见～已经 14 天没看到你冒泡啦');
    expect(result.timeline).toContainEqual(
      expect.objectContaining({ kind: 'http', nodeId: 'coupon', method: 'POST', at: MONDAY_10 + 3 * DAY }),
    );
    expect(sms).toMatchObject({ nodeId: 'sms-coupon', channel: 'sms', to: 'm1', at: MONDAY_10 + 3 * DAY });
    expect(sms!.text).toBe(
      '小林，好久不见！送你一张 20 元回归券：WB-7Q2K，7 天内有效，点此使用 https://shop.example.com/c/WB-7Q2K 回T退订',
    );
    expect(updates(result)).toEqual([
      { at: MONDAY_10 + 6 * DAY, kind: 'update', nodeId: 'dormant', points: 0, tags: ['dormant'] },
    ]);
    expect(alert).toMatchObject({
      nodeId: 'churn-alert',
      channel: 'email',
      to: 'staff:community-lead',
      at: MONDAY_10 + 6 * DAY,
      subject: '流失预警：小林',
    });
    expect(alert!.text).toContain('成员：小林（ID：m1）\n已经 14 天没有发言');
    expect(sent(result)).toHaveLength(3);
    // Nobody marked the task done within 2 days.
    expect(exits(result)).toContain('churn-alert:expired');
    expect(result.outcome).toEqual({ kind: 'exited', nodeId: 'unhandled' });
    expect(result.endAt).toBe(MONDAY_10 + 8 * DAY);
  });

  it('writes the SMS in English with STOP, and falls back to a general code when the coupon system has none', () => {
    const result = run('reactivation', { contact: member({ name: 'Lin' }), event: silent }, 'en');
    expect(sentTo(result, 'sms-coupon').text).toBe(
      "Hi Lin, we miss you! Here's a welcome-back coupon: COMEBACK20, valid 7 days: https://shop.example.com/c/COMEBACK20 Reply STOP to opt out",
    );
    expect(sentTo(result, 'churn-alert').subject).toBe('Churn alert: Lin');
  });

  it('welcomes back a member who replies, with no coupon and no alert', () => {
    const result = run('reactivation', { event: silent, events: [{ at: 'PT5H', name: 'message.received' }] });
    expect(schedule(result)).toEqual([
      ['check-in', 'Mon 10:00'],
      ['welcome-back-msg', 'Mon 15:00'],
    ]);
    expect(updates(result)).toEqual([
      { at: MONDAY_10 + 5 * HOUR, kind: 'update', nodeId: 'welcome-back', points: 10, tags: ['reactivated'] },
    ]);
    expect(result.outcome).toEqual({ kind: 'exited', nodeId: 'back' });
  });

  it('welcomes back a member who opens the coupon link, and takes their dormant tag off', () => {
    const result = run('reactivation', {
      contact: member({ tags: ['dormant'] }),
      event: silent,
      events: [{ at: 'P4D', name: 'link.clicked' }],
    });
    expect(sent(result).map((s) => s.nodeId)).toEqual(['check-in', 'sms-coupon', 'welcome-back-msg']);
    expect(result.contact.tags).toEqual(['reactivated']);
    expect(result.outcome).toEqual({ kind: 'exited', nodeId: 'back' });
  });

  it('counts an order as won back at any step: no dormant tag, no alert', () => {
    const result = run('reactivation', { event: silent, events: [{ at: 'P4D', name: 'order.paid' }] });
    expect(sent(result).map((s) => s.nodeId)).toEqual(['check-in', 'sms-coupon']);
    expect(updates(result)).toEqual([]);
    expect(result.outcome).toEqual({ kind: 'converted', event: 'order.paid' });
  });

  it('emails the coupon to a member with no phone number', () => {
    const result = run('reactivation', {
      contact: member({ addresses: { wecomUserId: 'wx-m1', email: 'lin@example.com' } }),
      event: silent,
    });
    const email = sentTo(result, 'sms-coupon');
    expect(email).toMatchObject({ channel: 'email', subject: '好久不见，送你一张回归券' });
    expect(email.text).toContain('送你一张 20 元回归券：COMEBACK20，7 天内有效。');
  });

  it('ends when staff mark the churn alert done', () => {
    const result = run('reactivation', {
      event: silent,
      events: [{ at: 'P6DT3H', name: 'task.done', payload: { nodeId: 'churn-alert' } }],
    });
    expect(exits(result)).toContain('churn-alert:done');
    expect(result.outcome).toEqual({ kind: 'exited', nodeId: 'followed-up' });
  });

  it('holds a check-in triggered at night until 08:00', () => {
    const result = run('reactivation', { event: silent, startAt: Date.parse('2026-03-02T02:00:00+08:00') });
    expect(local(sentTo(result, 'check-in').at)).toBe('Mon 08:00');
    expect(local(sentTo(result, 'sms-coupon').at)).toBe('Thu 08:00');
  });
});

describe('WeCom new customer (企微新客 SOP)', () => {
  const add = { staffId: 'staff-lin', externalUserId: 'wm-m1', state: 'sfposter0001', welcomeCode: 'WC-1' };
  const joinedClub = { name: 'member.joined', payload: { chatId: 'wrClub', joinWays: [CLUB_JOIN_WAY] } };

  it('asks the operator to pick the join way, in both places and both languages, before it compiles', () => {
    for (const locale of TEMPLATE_LOCALES) {
      const result = compile(templateFlow('wecom-new-customer', locale));
      expect(result.ok).toBe(false);
      const errors = result.ok ? [] : result.errors;
      expect(errors.map((e) => [e.code, e.nodeId, e.path])).toEqual([
        ['join_way_not_picked', 'invite', 'nodes[4].message.joinWay'],
        ['join_way_not_picked', 'await-join', 'nodes[5].filter'],
      ]);
      expect(errors[0]!.message).toContain('Pick the group join way this message invites through');
      expect(errors[0]!.messageZh).toContain('请选择这条消息邀请客户入群所用的加群方式');
      expect(errors[1]!.message).toContain(`replace "${JOIN_WAY_TO_PICK}" with the id of the join way`);
      expect(errors[1]!.messageZh).toContain('请选择这个条件等待的加群方式');
    }
    // The channel codes are left open (any code) for the operator to narrow.
    expect(templateFlow('wecom-new-customer', 'en').nodes[0]).toMatchObject({
      trigger: { kind: 'customer_added', channelCodes: [] },
    });
  });

  it('welcomes through the add, tags, invites five minutes later, tags a joiner, then two evenings of content', () => {
    const result = run('wecom-new-customer', {
      event: add,
      events: [{ at: 'PT1H', ...joinedClub }],
    });
    expect(schedule(result)).toEqual([
      ['welcome', 'Mon 10:00'],
      ['invite', 'Mon 10:05'],
      ['tip', 'Mon 20:00'],
      ['story', 'Wed 20:00'],
    ]);
    // The welcome names nobody: it goes before the read of the customer brings their name.
    expect(sentTo(result, 'welcome').text).toMatch(/^你好，很高兴认识你！/);
    expect(sentTo(result, 'invite').text).toContain('扫下方二维码入群');
    expect(updates(result)).toEqual([
      { at: MONDAY_10, kind: 'update', nodeId: 'tag-new', points: 0, tags: ['new-customer'] },
      {
        at: MONDAY_10 + HOUR,
        kind: 'update',
        nodeId: 'joined',
        points: 0,
        tags: ['new-customer', 'in-group'],
      },
    ]);
    expect(result.outcome).toEqual({ kind: 'exited', nodeId: 'done' });
    const p = plan('wecom-new-customer');
    expect(p.nodes.welcome).toMatchObject({ welcome: { otherwise: 'message' } });
    expect(p.nodes.invite).toMatchObject({ message: { joinWay: CLUB_JOIN_WAY } });
  });

  it('nudges a customer who has not joined a day after the invitation; a join of another way does not count', () => {
    const result = run('wecom-new-customer', {
      event: add,
      events: [{ at: 'PT1H', name: 'member.joined', payload: { chatId: 'wrOther', joinWays: ['wjOther'] } }],
    });
    expect(schedule(result)).toEqual([
      ['welcome', 'Mon 10:00'],
      ['invite', 'Mon 10:05'],
      ['nudge', 'Tue 10:05'],
      ['tip', 'Tue 20:00'],
      ['story', 'Thu 20:00'],
    ]);
    expect(updates(result).map((u) => u.nodeId)).toEqual(['tag-new']);
    expect(sentTo(result, 'nudge').text).toMatch(/^小林，看你还没进群/);
  });

  it('welcomes a customer who adds at night at once, and holds the invitation until 08:00', () => {
    const result = run('wecom-new-customer', { event: add, startAt: MONDAY_10 + 13 * HOUR }, 'en');
    expect(schedule(result)).toEqual([
      ['welcome', 'Mon 23:00'],
      ['invite', 'Tue 08:00'],
      ['nudge', 'Wed 08:00'],
      ['tip', 'Wed 20:00'],
      ['story', 'Fri 20:00'],
    ]);
    expect(sentTo(result, 'welcome').text).toMatch(/^Hi, great to meet you!/);
  });
});
