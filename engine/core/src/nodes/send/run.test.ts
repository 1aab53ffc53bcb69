import { describe, expect, it } from 'vitest';
import { Contact } from '../../flow/schema';
import { advance, start } from '../../interpreter/interpreter';
import { exit, send, testPlan } from '../../test-support';

const at = Date.UTC(2026, 11, 7, 15, 0); // 23:00 in Shanghai: inside the quiet hours below
const plan = testPlan(
  [
    { id: 'in', type: 'trigger', trigger: { kind: 'customer_added' } },
    send('hello', 'Welcome!', 'wechat', {
      welcome: { otherwise: 'message' },
      fallback: { channel: 'sms' },
    }),
    exit(),
  ],
  [],
  { timezone: 'Asia/Shanghai', quietHours: { start: '22:00', end: '08:00' }, reentry: { mode: 'always' } },
);
const contact = Contact.parse({
  id: 'c1',
  addresses: { wecomExternalUserId: 'wm1', phone: '+8613800000000' },
});

describe('a welcome send', () => {
  it('carries the welcome code and the add time of the event that started the run, at once even in quiet hours', () => {
    const step = start(plan, { contact, event: { welcomeCode: 'CODE', at: at - 500, staffId: 's' }, at });
    const command = step.commands.find((c) => c.type === 'send');
    expect(command).toMatchObject({ welcome: { code: 'CODE', addedAt: at - 500, otherwise: 'message' } });
    expect(step.commands.some((c) => c.type === 'suppressed')).toBe(false);
  });

  it('says there is no code when the add came without one, and its fallback channel sends no welcome', () => {
    const step = start(plan, { contact, event: { staffId: 's' }, at });
    const first = step.commands.find((c) => c.type === 'send');
    if (first?.type !== 'send') throw new Error('the step sent nothing');
    expect(first.welcome).toEqual({ otherwise: 'message' });
    const failed = advance(plan, step.state, {
      type: 'task-result',
      commandId: first.commandId,
      result: { ok: false, reason: 'failed', message: 'welcome code unusable' },
      at,
    });
    const fallback = failed.commands.find((c) => c.type === 'send' || c.type === 'suppressed');
    // The fallback channel (sms) is held by quiet hours like any ordinary message, and has no welcome.
    expect(fallback).toMatchObject({ type: 'suppressed', channel: 'sms', reason: 'quiet-hours' });
  });
});
