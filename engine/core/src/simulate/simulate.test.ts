import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../flow/compile';
import { Contact } from '../flow/schema';
import { exit, send, testPlan, trigger } from '../test-support';
import { formatTimeline } from './format';
import { changedContact, simulate, type TimelineEntry } from './simulate';

/** Monday 2 March 2026, 10:00 in Shanghai. */
const MONDAY_10 = Date.parse('2026-03-02T10:00:00+08:00');

const vipWelcome = () => {
  const doc = JSON.parse(readFileSync(new URL('../../examples/vip-welcome.json', import.meta.url), 'utf8'));
  const result = compile(doc);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.plan;
};

const sent = (timeline: TimelineEntry[]) =>
  timeline.flatMap((e) => (e.kind === 'send' && e.status === 'sent' ? [`${e.nodeId}: ${e.text}`] : []));

describe('dry-run: the contact changing mid-flow', () => {
  const otto = {
    id: 'c1',
    name: 'Otto',
    addresses: { wecomUserId: 'wx-otto' },
    attributes: { tier: 'basic' },
  };

  it('takes the branch the changed contact takes, and says when the contact changed', () => {
    const plan = vipWelcome();
    const result = simulate(plan, {
      contact: otto,
      event: { group: 'G1' },
      events: [{ at: '+1s', contact: { attributes: { tier: 'vip' } } }],
      startAt: MONDAY_10,
    });
    expect(sent(result.timeline)).toEqual([
      'greet: 欢迎 Otto 加入 G1！',
      'vip-perk: Otto，作为 VIP，您的专属客服已就位。',
    ]);
    expect(result.timeline).toContainEqual({
      at: MONDAY_10 + 1000,
      kind: 'contact-changed',
      fields: ['attributes'],
    });
    expect(result.contact.attributes).toEqual({ tier: 'vip' });
    expect(formatTimeline(result, plan)).toContainEqual(
      expect.stringMatching(/^\+0d 00:00:01 +03-02 10:00 +✎ contact changed: attributes$/),
    );
    const unchanged = simulate(plan, { contact: otto, event: { group: 'G1' }, startAt: MONDAY_10 });
    expect(sent(unchanged.timeline)[1]).toBe('intro: Otto，来做个自我介绍吧！');
  });

  it('renders later messages with a changed address, and changes in order with events', () => {
    const plan = testPlan([
      trigger(),
      send('first', 'to {{ contact.wecomUserId }}'),
      { id: 'pause', type: 'wait', duration: 'P1D' },
      send('second', 'to {{ contact.wecomUserId }}, {{ contact.name | default: "nameless" }}'),
      exit(),
    ]);
    const result = simulate(plan, {
      contact: otto,
      events: [
        { at: '+2h', contact: { addresses: { wecomUserId: 'wx-new' }, name: null } },
        { at: '+3h', name: 'ignored.event' },
      ],
      startAt: MONDAY_10,
    });
    expect(sent(result.timeline)).toEqual(['first: to wx-otto', 'second: to wx-new, nameless']);
    expect(result.timeline.filter((e) => e.kind === 'contact-changed' || e.kind === 'event')).toEqual([
      { at: MONDAY_10 + 2 * 3600_000, kind: 'contact-changed', fields: ['addresses', 'name'] },
      { at: MONDAY_10 + 3 * 3600_000, kind: 'event', name: 'ignored.event', use: 'ignored' },
    ]);
  });
});

describe('changedContact', () => {
  const before = Contact.parse({
    id: 'c1',
    name: 'Vera',
    timezone: 'Asia/Shanghai',
    addresses: { email: 'v@example.com', phone: '+8613800000000' },
    attributes: { tier: 'basic', city: 'Beijing' },
    tags: ['a'],
    points: 5,
    unsubscribed: ['sms', 'email'],
  });

  it('merges attributes and addresses (null removes one) and replaces the other fields, as a contact write does', () => {
    expect(
      changedContact(before, {
        attributes: { tier: 'vip', city: null },
        addresses: { email: 'new@example.com', phone: null },
        tags: ['b', 'b'],
        points: 9,
        timezone: null,
        unsubscribed: { sms: false, wechat: true },
      }),
    ).toEqual({
      id: 'c1',
      name: 'Vera',
      addresses: { email: 'new@example.com' },
      attributes: { tier: 'vip' },
      tags: ['b'],
      points: 9,
      unsubscribed: ['email', 'wechat'],
    });
    expect(changedContact(before, { unsubscribed: [] }).unsubscribed).toEqual([]);
    expect(changedContact(before, {})).toEqual(before);
  });
});
