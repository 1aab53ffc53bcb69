import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { compile } from '../flow/compile';
import type { Plan } from '../flow/plan';
import { Contact, type ContactInput } from '../flow/schema';
import { type SimulationOptions, simulate, type TimelineEntry } from '../simulate/simulate';
import { exit, send, testPlan, trigger } from '../test-support';
import { advance, migrate, type RunState, start } from './interpreter';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
/** Monday 2 March 2026, 10:00 in Shanghai. */
const MONDAY_10 = Date.parse('2026-03-02T10:00:00+08:00');

function examplePlan(): Plan {
  const doc = JSON.parse(readFileSync(new URL('../../examples/vip-welcome.json', import.meta.url), 'utf8'));
  const result = compile(doc);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.plan;
}

const contact = ({ addresses, ...input }: Partial<ContactInput> = {}) =>
  Contact.parse({ id: 'c1', ...input, addresses: { wecomUserId: 'wx-c1', ...addresses } });

function run(plan: Plan, options: Partial<SimulationOptions> = {}) {
  return simulate(plan, { contact: contact(), startAt: MONDAY_10, ...options });
}

const sends = (timeline: TimelineEntry[]) =>
  timeline.filter((e): e is Extract<TimelineEntry, { kind: 'send' }> => e.kind === 'send');
const sentNodes = (timeline: TimelineEntry[]) =>
  sends(timeline)
    .filter((s) => s.status === 'sent')
    .map((s) => s.nodeId);
const shanghai = (at: number) => DateTime.fromMillis(at, { zone: 'Asia/Shanghai' }).toFormat('ccc HH:mm');

describe('interpreter: basics', () => {
  it('enters the trigger and stops at the first send, waiting for its result', () => {
    const step = start(examplePlan(), { contact: contact(), at: 5 });
    expect(step.commands.map((c) => c.type)).toEqual(['enter', 'leave', 'enter', 'send']);
    expect(step.state).toMatchObject({
      status: 'active',
      nodeId: 'greet',
      awaiting: { task: { kind: 'send' } },
    });
  });

  it('waits the planned duration, then branches on a contact attribute', () => {
    const plan = examplePlan();
    const vip = run(plan, {
      contact: contact({ name: 'Vera', attributes: { tier: 'vip' } }),
      event: { group: 'G1' },
    });
    const other = run(plan, {
      contact: contact({ name: 'Otto', attributes: { tier: 'basic' } }),
      event: { group: 'G1' },
    });
    expect(sentNodes(vip.timeline)).toEqual(['greet', 'vip-perk']);
    expect(sentNodes(other.timeline)).toEqual(['greet', 'intro']);
    expect(sends(vip.timeline).map((s) => s.text)).toEqual([
      '欢迎 Vera 加入 G1！',
      'Vera，作为 VIP，您的专属客服已就位。',
    ]);
    expect(sends(vip.timeline)[1]!.at - sends(vip.timeline)[0]!.at).toBe(2000);
    expect(vip.outcome).toEqual({ kind: 'exited', nodeId: 'done' });
    expect(vip.timeline).toContainEqual(
      expect.objectContaining({ kind: 'leave', nodeId: 'is-vip', exit: 'vip' }),
    );
  });

  it('ignores inputs that answer nothing it waits for, without changing the state', () => {
    const plan = examplePlan();
    const step = start(plan, { contact: contact(), at: 0 });
    const stale = advance(plan, step.state, { type: 'timer-fired', timerId: 'pause#1/wait', at: 10 });
    expect(stale.commands).toEqual([]);
    expect(stale.state).toBe(step.state);
    const wrongId = advance(plan, step.state, {
      type: 'task-result',
      commandId: 'greet#9',
      result: { ok: true },
      at: 1,
    });
    expect(wrongId.state).toBe(step.state);
    const unrelated = advance(plan, step.state, { type: 'event', name: 'order.paid', payload: {}, at: 1 });
    expect(unrelated.state).toBe(step.state);
  });

  it('is deterministic and never mutates the state it is given', () => {
    const plan = examplePlan();
    expect(run(plan)).toEqual(run(plan));
    const step = start(plan, { contact: contact(), at: 0 });
    const frozen: RunState = structuredClone(step.state);
    advance(plan, step.state, { type: 'task-result', commandId: 'greet#1', result: { ok: true }, at: 1 });
    expect(step.state).toEqual(frozen);
  });

  it('numbers the commands of a loop by visit so each is distinct', () => {
    const plan = testPlan(
      [trigger(), send('tip', 'tip'), { id: 'pause', type: 'wait', duration: 'P1D' }, exit()],
      [],
    );
    plan.nodes.pause!.exits.next = 'tip';
    const result = run(plan, { horizonMs: 3.5 * DAY });
    const ids = sends(result.timeline).map((s) => s.at);
    expect(ids).toEqual([MONDAY_10, MONDAY_10 + DAY, MONDAY_10 + 2 * DAY, MONDAY_10 + 3 * DAY]);
    expect(result.outcome).toBeNull();
  });

  it('stops a runaway loop instead of spinning', () => {
    const plan = testPlan(
      [
        trigger(),
        {
          id: 'b',
          type: 'branch',
          branches: [{ id: 'x', when: { field: 'contact.points', op: 'gt', value: 5 } }],
        },
        exit(),
      ],
      [
        ['b', 'x', 'out'],
        ['b', 'else', 'out'],
      ],
    );
    plan.nodes.b!.exits.else = 'b';
    expect(run(plan).outcome).toMatchObject({ kind: 'failed', nodeId: 'b' });
  });

  it('ends cleanly when cancelled', () => {
    const plan = examplePlan();
    const step = start(plan, { contact: contact(), at: 0 });
    const cancelled = advance(plan, step.state, { type: 'cancel', reason: 'flow stopped', at: 3 });
    expect(cancelled.state.outcome).toEqual({ kind: 'cancelled', reason: 'flow stopped' });
  });
});

describe('send', () => {
  const withFallback = () =>
    testPlan([
      trigger(),
      send('hello', 'Hi {{ contact.id }}', 'wechat', { fallback: { channel: 'sms' } }),
      exit(),
    ]);

  it('carries on after a failed send when no failure path is drawn', () => {
    const plan = testPlan([trigger(), send('hello', 'Hi'), send('bye', 'Bye'), exit()]);
    const result = run(plan, { responses: { hello: { send: 'failed' } } });
    expect(sends(result.timeline).map((s) => [s.nodeId, s.status])).toEqual([
      ['hello', 'failed'],
      ['bye', 'sent'],
    ]);
  });

  it('takes the failed exit when one is drawn', () => {
    const plan = testPlan(
      [trigger(), send('hello', 'Hi'), exit(), send('alert', 'hello failed'), exit('out2')],
      [['hello', 'failed', 'alert']],
    );
    expect(sentNodes(run(plan, { responses: { hello: { send: 'failed' } } }).timeline)).toEqual(['alert']);
  });

  it('falls back to another channel when the first fails for good', () => {
    const result = run(withFallback(), {
      contact: contact({ addresses: { phone: '13800000000' } }),
      responses: { hello: { failChannels: ['wechat'] } },
    });
    expect(sends(result.timeline).map((s) => [s.channel, s.status])).toEqual([
      ['wechat', 'failed'],
      ['sms', 'sent'],
    ]);
  });

  it('falls back when the contact has no address on the channel, or opted out of it', () => {
    const noWechat = run(withFallback(), {
      contact: Contact.parse({ id: 'c2', addresses: { phone: '138' } }),
    });
    expect(sends(noWechat.timeline).map((s) => s.channel)).toEqual(['sms']);
    const optedOut = run(withFallback(), {
      contact: contact({ addresses: { phone: '138' }, unsubscribed: ['wechat'] }),
    });
    expect(sends(optedOut.timeline).map((s) => s.channel)).toEqual(['sms']);
    const nowhere = run(withFallback(), { contact: contact({ unsubscribed: ['wechat'] }) });
    expect(sends(nowhere.timeline)).toEqual([]);
    expect(nowhere.outcome).toEqual({ kind: 'exited', nodeId: 'out' });
  });

  it('holds sends in quiet hours that cross midnight until they end, in the contact time zone', () => {
    const plan = testPlan(
      [trigger(), { id: 'late', type: 'wait', duration: 'PT13H30M' }, send('tip', 'tip'), exit()],
      [],
      {
        quietHours: { start: '22:00', end: '08:00' },
      },
    );
    // 10:00 + 13h30 = 23:30 in Shanghai: held until 08:00 the next morning.
    const held = run(plan);
    expect(shanghai(sends(held.timeline)[0]!.at)).toBe('Tue 08:00');
    expect(held.timeline).toContainEqual(expect.objectContaining({ kind: 'wait', reason: 'quiet-hours' }));
    // The same instant is 16:30 in Berlin: not quiet there, so it goes at once.
    const berlin = run(plan, { contact: contact({ timezone: 'Europe/Berlin' }) });
    expect(sends(berlin.timeline)[0]!.at).toBe(MONDAY_10 + 13.5 * HOUR);
  });

  it('defers a send past the frequency cap, counting messages from other flows', () => {
    const plan = testPlan([trigger(), send('promo', 'promo'), exit()], [], {
      frequencyCap: { max: 3, per: 'P1D', onCap: 'defer' },
    });
    const earlier = [MONDAY_10 - 5 * HOUR, MONDAY_10 - 3 * HOUR, MONDAY_10 - HOUR];
    const result = run(plan, { priorSends: earlier });
    const [capped, sent] = sends(result.timeline);
    expect(capped).toMatchObject({ status: 'capped' });
    // The oldest of the three leaves the 24-hour window first.
    expect(sent).toMatchObject({ status: 'sent', at: MONDAY_10 - 5 * HOUR + DAY });
  });

  it('skips a send past the frequency cap when told to', () => {
    const plan = testPlan([trigger(), send('promo', 'promo'), send('next', 'next'), exit()], [], {
      frequencyCap: { max: 1, per: 'P1D', onCap: 'skip' },
    });
    const result = run(plan, { priorSends: [MONDAY_10 - HOUR] });
    expect(sends(result.timeline).map((s) => [s.nodeId, s.status])).toEqual([
      ['promo', 'capped'],
      ['next', 'capped'],
    ]);
  });
});

describe('suppressed sends', () => {
  const withFallbackPlan = () =>
    testPlan([trigger(), send('hello', 'Hi', 'wechat', { fallback: { channel: 'sms' } }), exit()]);
  const suppressed = (timeline: TimelineEntry[]) =>
    timeline
      .filter((e): e is Extract<TimelineEntry, { kind: 'suppressed' }> => e.kind === 'suppressed')
      .map(({ kind: _kind, ...rest }) => rest);

  it('records a send skipped for no address or an opt-out, with its channel, then the fallback', () => {
    const noWechat = run(withFallbackPlan(), {
      contact: Contact.parse({ id: 'c2', addresses: { phone: '138' } }),
    });
    expect(suppressed(noWechat.timeline)).toEqual([
      { at: MONDAY_10, nodeId: 'hello', channel: 'wechat', reason: 'no-address' },
    ]);
    expect(sentNodes(noWechat.timeline)).toEqual(['hello']);
    const nowhere = run(withFallbackPlan(), { contact: contact({ unsubscribed: ['wechat'] }) });
    expect(suppressed(nowhere.timeline)).toEqual([
      { at: MONDAY_10, nodeId: 'hello', channel: 'wechat', reason: 'opted-out' },
      { at: MONDAY_10, nodeId: 'hello', channel: 'sms', reason: 'no-address' },
    ]);
  });

  it('records a send the provider refused as opted out, as the worker reports it', () => {
    const plan = testPlan([trigger(), send('hello', 'Hi'), exit()]);
    const first = start(plan, { contact: contact(), at: 0 });
    const sent = first.commands.find((c) => c.type === 'send')!;
    const answered = advance(plan, first.state, {
      type: 'task-result',
      commandId: 'commandId' in sent ? sent.commandId : '',
      at: 5,
      result: { ok: false, reason: 'opted-out', message: 'unsubscribed' },
    });
    expect(answered.commands[0]).toEqual({
      type: 'suppressed',
      nodeId: 'hello',
      channel: 'wechat',
      reason: 'opted-out',
      at: 5,
    });
    // A send that failed at the provider is a failed delivery, not a suppressed one.
    const failed = advance(plan, first.state, {
      type: 'task-result',
      commandId: 'commandId' in sent ? sent.commandId : '',
      at: 5,
      result: { ok: false, reason: 'failed', message: 'provider down' },
    });
    expect(failed.commands.some((c) => c.type === 'suppressed')).toBe(false);
  });

  it('records a send held by quiet hours, with when it is released', () => {
    const plan = testPlan(
      [trigger(), { id: 'late', type: 'wait', duration: 'PT13H30M' }, send('tip', 'tip'), exit()],
      [],
      { quietHours: { start: '22:00', end: '08:00' } },
    );
    const held = suppressed(run(plan).timeline);
    expect(held).toEqual([
      {
        at: MONDAY_10 + 13.5 * HOUR,
        nodeId: 'tip',
        channel: 'wechat',
        reason: 'quiet-hours',
        until: Date.parse('2026-03-03T08:00:00+08:00'),
      },
    ]);
  });

  it('records a send the frequency cap holds (with until) or skips (without)', () => {
    const earlier = [MONDAY_10 - 5 * HOUR, MONDAY_10 - 3 * HOUR, MONDAY_10 - HOUR];
    const defer = testPlan([trigger(), send('promo', 'promo'), exit()], [], {
      frequencyCap: { max: 3, per: 'P1D', onCap: 'defer' },
    });
    expect(suppressed(run(defer, { priorSends: earlier }).timeline)).toEqual([
      {
        at: MONDAY_10,
        nodeId: 'promo',
        channel: 'wechat',
        reason: 'capped',
        until: MONDAY_10 - 5 * HOUR + DAY,
      },
    ]);
    const skip = testPlan([trigger(), send('promo', 'promo'), exit()], [], {
      frequencyCap: { max: 3, per: 'P1D', onCap: 'skip' },
    });
    expect(suppressed(run(skip, { priorSends: earlier }).timeline)).toEqual([
      { at: MONDAY_10, nodeId: 'promo', channel: 'wechat', reason: 'capped' },
    ]);
  });

  it('records nothing for a send that goes out', () => {
    expect(suppressed(run(examplePlan(), { event: { group: 'G1' } }).timeline)).toEqual([]);
  });
});

describe('wait until', () => {
  const at20 = (extra: object = {}) =>
    testPlan([
      trigger(),
      { id: 'evening', type: 'wait_until', time: '20:00', ...extra },
      send('tip', 'tip'),
      exit(),
    ]);

  it('waits for the next 20:00 in the contact time zone', () => {
    expect(shanghai(sends(run(at20()).timeline)[0]!.at)).toBe('Mon 20:00');
    // Monday 10:00 in Shanghai is Sunday 21:00 in New York: that evening has passed there.
    const ny = run(at20(), { contact: contact({ timezone: 'America/New_York' }) });
    const at = sends(ny.timeline)[0]!.at;
    expect(DateTime.fromMillis(at, { zone: 'America/New_York' }).toFormat('ccc HH:mm')).toBe('Mon 20:00');
    expect(shanghai(at)).toBe('Tue 09:00');
  });

  it('waits for the next allowed weekday', () => {
    const friday = run(at20({ weekdays: [5] }));
    expect(shanghai(sends(friday.timeline)[0]!.at)).toBe('Fri 20:00');
  });

  it('goes on at once when the date has passed, and waits for a future one', () => {
    expect(sends(run(at20({ date: '2026-01-01' })).timeline)[0]!.at).toBe(MONDAY_10);
    const later = run(at20({ date: '2026-03-08' }));
    expect(DateTime.fromMillis(sends(later.timeline)[0]!.at, { zone: 'Asia/Shanghai' }).toISO()).toContain(
      '2026-03-08T20:00',
    );
  });
});

describe('wait for event', () => {
  const plan = () =>
    testPlan(
      [
        trigger(),
        {
          id: 'reply',
          type: 'wait_for_event',
          event: 'message.received',
          filter: { field: 'payload.text', op: 'contains', value: '你好' },
          timeout: 'P1D',
        },
        send('thanks', 'Thanks: {{ lastEvent.payload.text }}'),
        exit(),
        send('nudge', 'Still there?'),
        exit('out2'),
      ],
      [
        ['reply', 'event', 'thanks'],
        ['reply', 'timeout', 'nudge'],
      ],
    );

  it('takes the event exit when a matching event arrives', () => {
    const result = run(plan(), {
      events: [{ at: 'PT2H', name: 'message.received', payload: { text: '你好呀' } }],
    });
    expect(sends(result.timeline).map((s) => [s.nodeId, s.text, s.at])).toEqual([
      ['thanks', 'Thanks: 你好呀', MONDAY_10 + 2 * HOUR],
    ]);
  });

  it('ignores events that do not match the filter, then times out', () => {
    const result = run(plan(), {
      events: [
        { at: 'PT1H', name: 'message.received', payload: { text: 'hello' } },
        { at: 'PT2H', name: 'link.clicked' },
      ],
    });
    expect(result.timeline.filter((e) => e.kind === 'event').map((e) => (e as { use: string }).use)).toEqual([
      'ignored',
      'ignored',
    ]);
    expect(sends(result.timeline).map((s) => [s.nodeId, s.at])).toEqual([['nudge', MONDAY_10 + DAY]]);
  });

  it('leaves the flow as converted when the goal event happens, at any step', () => {
    const goalPlan = testPlan(
      [trigger(), { id: 'pause', type: 'wait', duration: 'P3D' }, send('reminder', 'Buy!'), exit()],
      [],
      { goal: { event: 'order.paid', filter: { field: 'payload.amount', op: 'gte', value: 1 } } },
    );
    const converted = run(goalPlan, {
      events: [
        { at: 'PT1H', name: 'order.paid', payload: { amount: 0 } },
        { at: 'P1D', name: 'order.paid', payload: { amount: 99 } },
      ],
    });
    expect(converted.outcome).toEqual({ kind: 'converted', event: 'order.paid' });
    expect(sends(converted.timeline)).toEqual([]);
    expect(converted.endAt).toBe(MONDAY_10 + DAY);
  });
});

describe('split', () => {
  const plan = () =>
    testPlan(
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
        send('sa', 'A'),
        exit(),
        send('sb', 'B'),
        exit('out2'),
      ],
      [
        ['ab', 'a', 'sa'],
        ['ab', 'b', 'sb'],
      ],
    );

  it('sends the same contact down the same arm every time', () => {
    const p = plan();
    for (let i = 0; i < 50; i++) {
      const c = contact({ id: `contact-${i}` });
      expect(sentNodes(run(p, { contact: c }).timeline)).toEqual(sentNodes(run(p, { contact: c }).timeline));
    }
  });

  it('divides contacts by the weights', () => {
    const p = plan();
    let a = 0;
    for (let i = 0; i < 2000; i++)
      if (sentNodes(run(p, { contact: contact({ id: `m${i}` }) }).timeline)[0] === 'sa') a++;
    expect(a / 2000).toBeGreaterThan(0.66);
    expect(a / 2000).toBeLessThan(0.74);
  });
});

describe('update contact and http request', () => {
  it('updates tags and points, and later steps see them', () => {
    const plan = testPlan([
      trigger(),
      {
        id: 'reward',
        type: 'update_contact',
        update: {
          addTags: ['engaged'],
          points: { add: 10, reason: 'first reply' },
          tiers: [{ name: 'silver', minPoints: 10 }],
        },
      },
      send('tell', '{{ contact.points }} points, tier {{ contact.attributes.tier }}'),
      exit(),
    ]);
    const result = run(plan);
    expect(sends(result.timeline)[0]!.text).toBe('10 points, tier silver');
    expect(result.contact).toMatchObject({ points: 10, tags: ['engaged'] });
  });

  it('lets later steps read an HTTP answer, and takes the failed exit when the call fails', () => {
    const plan = testPlan(
      [
        trigger(),
        { id: 'crm', type: 'http_request', method: 'GET', url: 'https://crm.example.com/m/{{ contact.id }}' },
        send('level', 'Level {{ http.crm.body.level }}'),
        exit(),
        send('sorry', 'CRM down'),
        exit('out2'),
      ],
      [['crm', 'failed', 'sorry']],
    );
    const ok = run(plan, { responses: { crm: { http: { status: 200, body: { level: 'gold' } } } } });
    expect(sends(ok.timeline)[0]!.text).toBe('Level gold');
    expect(ok.timeline).toContainEqual(
      expect.objectContaining({ kind: 'http', url: 'https://crm.example.com/m/c1' }),
    );
    const down = run(plan, { responses: { crm: { http: 'failed' } } });
    expect(sentNodes(down.timeline)).toEqual(['sorry']);
  });
});

describe('staff task', () => {
  const plan = () =>
    testPlan(
      [
        trigger(),
        {
          id: 'call',
          type: 'staff_task',
          assignee: { channel: 'wechat', id: 'amy', wecomUserId: 'amy' },
          message: { text: 'Call {{ contact.id }} personally' },
          deadline: 'P1D',
          escalation: {
            after: 'PT4H',
            assignee: { channel: 'email', id: 'lead', email: 'lead@example.com' },
          },
        },
        exit(),
        send('sms', 'We will call you soon', 'sms'),
        exit('out2'),
      ],
      [
        ['call', 'done', 'out'],
        ['call', 'expired', 'sms'],
      ],
    );

  it('sends the task to staff and takes the done exit when it is done', () => {
    const result = run(plan(), { events: [{ at: 'PT1H', name: 'task.done', payload: { nodeId: 'call' } }] });
    expect(sends(result.timeline).map((s) => [s.to, s.text])).toEqual([['staff:amy', 'Call c1 personally']]);
    expect(result.timeline).toContainEqual(
      expect.objectContaining({ kind: 'leave', nodeId: 'call', exit: 'done' }),
    );
  });

  it('escalates when nobody acts, then expires to the fallback path at the deadline', () => {
    const result = run(plan(), { contact: contact({ addresses: { phone: '138' } }) });
    expect(sends(result.timeline).map((s) => [s.to, s.at - MONDAY_10])).toEqual([
      ['staff:amy', 0],
      ['staff:lead', 4 * HOUR],
      ['c1', DAY],
    ]);
  });
});

describe('migrating a running contact to a new version', () => {
  const v1 = () =>
    testPlan([
      trigger(),
      send('hi', 'v1 hi'),
      { id: 'pause', type: 'wait', duration: 'P3D' },
      send('bye', 'v1 bye'),
      exit(),
    ]);
  const v2 = () =>
    testPlan([
      trigger(),
      send('hi', 'v2 hi'),
      { id: 'rest', type: 'wait', duration: 'P3D' },
      send('extra', 'v2 extra'),
      send('bye', 'v2 bye'),
      exit(),
    ]);

  function waitingAtPause() {
    const plan = v1();
    let step = start(plan, { contact: contact(), at: 0 });
    step = advance(plan, step.state, {
      type: 'task-result',
      commandId: 'hi#1',
      result: { ok: true },
      at: 10,
    });
    expect(step.state.awaiting).toMatchObject({ nodeId: 'pause', timer: { until: 10 + 3 * DAY } });
    return step.state;
  }

  it('keeps the due time when the mapped node waits the same way', () => {
    const moved = migrate(v2(), waitingAtPause(), { pause: 'rest' }, DAY)!;
    expect(moved.state.awaiting).toMatchObject({ nodeId: 'rest', timer: { until: 10 + 3 * DAY } });
    const next = advance(v2(), moved.state, {
      type: 'timer-fired',
      timerId: moved.state.awaiting!.timer!.timerId,
      at: 10 + 3 * DAY,
    });
    expect(next.commands.find((c) => c.type === 'send')).toMatchObject({
      nodeId: 'extra',
      message: { text: 'v2 extra' },
    });
  });

  it('enters the mapped node afresh when it is of another kind', () => {
    const moved = migrate(v2(), waitingAtPause(), { pause: 'extra' }, DAY)!;
    expect(moved.commands.find((c) => c.type === 'send')).toMatchObject({ nodeId: 'extra', at: DAY });
  });

  it('leaves contacts at unmapped nodes, mid-task or finished where they are', () => {
    expect(migrate(v2(), waitingAtPause(), { hi: 'hi' }, DAY)).toBeUndefined();
    const midSend = start(v1(), { contact: contact(), at: 0 }).state;
    expect(migrate(v2(), midSend, { hi: 'hi' }, 1)).toBeUndefined();
    expect(migrate(v2(), waitingAtPause(), { pause: 'no-such-node' }, DAY)).toBeUndefined();
  });
});

describe('the contact changing during a run', () => {
  /** vip-welcome for a basic member, waiting two seconds before its VIP branch. */
  const waitingBeforeBranch = (plan: Plan, revision?: number) => {
    const started = start(plan, {
      contact: contact({ name: 'Otto', attributes: { tier: 'basic' } }),
      contactRevision: revision,
      event: { group: 'G1' },
      at: 0,
    });
    const greeted = advance(plan, started.state, {
      type: 'task-result',
      commandId: 'greet#1',
      result: { ok: true },
      at: 1,
    });
    expect(greeted.state.awaiting?.timer).toMatchObject({ timerId: 'pause#1/wait' });
    return greeted.state;
  };
  const nextSend = (plan: Plan, state: RunState) =>
    advance(plan, state, { type: 'timer-fired', timerId: 'pause#1/wait', at: 2001 }).commands.find(
      (c) => c.type === 'send',
    );

  it('takes a branch by the contact as it is when the branch runs, not as it enrolled', () => {
    const plan = examplePlan();
    const waiting = waitingBeforeBranch(plan);
    const changed = advance(plan, waiting, {
      type: 'contact-changed',
      contact: contact({ name: 'Otto', attributes: { tier: 'vip' } }),
      at: 1000,
    });
    expect(changed.commands).toEqual([]);
    expect(changed.state.awaiting).toEqual(waiting.awaiting);
    expect(nextSend(plan, changed.state)).toMatchObject({ nodeId: 'vip-perk' });
    expect(nextSend(plan, waiting)).toMatchObject({ nodeId: 'intro' });
  });

  it('takes a change in the middle of a task and keeps waiting for the task', () => {
    const plan = examplePlan();
    const midSend = start(plan, { contact: contact(), event: { group: 'G1' }, at: 0 }).state;
    const changed = advance(plan, midSend, {
      type: 'contact-changed',
      contact: contact({ name: 'Renamed' }),
      at: 1,
    });
    expect(changed.commands).toEqual([]);
    expect(changed.state.awaiting).toEqual(midSend.awaiting);
    expect(changed.state.contact.name).toBe('Renamed');
  });

  it('keeps the newest contact by revision, whatever order the changes arrive in', () => {
    const plan = examplePlan();
    const waiting = waitingBeforeBranch(plan, 5);
    const vip = contact({ name: 'Otto', attributes: { tier: 'vip' } });
    const newer = advance(plan, waiting, { type: 'contact-changed', contact: vip, revision: 7, at: 10 });
    const late = advance(plan, newer.state, {
      type: 'contact-changed',
      contact: contact({ attributes: { tier: 'basic' } }),
      revision: 6,
      at: 11,
    });
    expect(late.state.contact).toEqual(vip);
    expect(late.state.contactRevision).toBe(7);
    const stale = advance(plan, waiting, { type: 'contact-changed', contact: vip, revision: 4, at: 10 });
    expect(stale.state).toBe(waiting);
  });

  it("keeps a change that is newer than the run's own update when the update answers later", () => {
    const plan = testPlan([
      trigger(),
      { id: 'tag', type: 'update_contact', update: { addTags: ['engaged'] } },
      send('tell', '{{ contact.attributes.tier }}'),
      exit(),
    ]);
    const updating = start(plan, { contact: contact(), contactRevision: 1, at: 0 }).state;
    const patched = contact({ tags: ['engaged'], attributes: { tier: 'vip' } });
    const changed = advance(plan, updating, {
      type: 'contact-changed',
      contact: patched,
      revision: 3,
      at: 1,
    });
    const answered = advance(plan, changed.state, {
      type: 'task-result',
      commandId: 'tag#1',
      result: { ok: true, contact: contact({ tags: ['engaged'] }), contactRevision: 2 },
      at: 2,
    });
    expect(answered.state.contact).toEqual(patched);
    expect(answered.state.awaiting?.task).toMatchObject({ kind: 'send' });
    const ownNewer = advance(plan, updating, {
      type: 'task-result',
      commandId: 'tag#1',
      result: { ok: true, contact: patched, contactRevision: 2 },
      at: 2,
    });
    expect(ownNewer.state).toMatchObject({ contact: patched, contactRevision: 2 });
  });

  it('takes no change once the run is done', () => {
    const plan = testPlan([trigger(), exit()]);
    const done = start(plan, { contact: contact(), at: 0 }).state;
    expect(done.status).toBe('done');
    const after = advance(plan, done, { type: 'contact-changed', contact: contact({ name: 'X' }), at: 1 });
    expect(after.state).toBe(done);
  });
});
