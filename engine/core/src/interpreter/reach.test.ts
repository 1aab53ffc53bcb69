import { describe, expect, it } from 'vitest';
import { Contact } from '../flow/schema';
import { exit, send, testPlan, trigger } from '../test-support';
import { renderData, start } from './interpreter';
import { unreachableReason } from './reach';

const REACH = { sms: ['phone'], line: ['lineUserId'] };

describe('unreachableReason', () => {
  it('reaches a contact through any address kind the plan says reaches the channel', () => {
    const contact = Contact.parse({ id: 'c1', addresses: { lineUserId: 'u1' } });
    expect(unreachableReason(contact, 'line', REACH)).toBeUndefined();
    expect(unreachableReason(contact, 'sms', REACH)).toBe('no-address');
    // A channel no connector needs an address for reaches everyone.
    expect(unreachableReason(contact, 'wechat_group', REACH)).toBeUndefined();
    expect(unreachableReason({ ...contact, unsubscribed: ['line'] }, 'line', REACH)).toBe('opted-out');
  });

  it('keeps the reach of plans compiled before they carried one', () => {
    const contact = Contact.parse({ id: 'c1', addresses: { wecomExternalUserId: 'wm' } });
    expect(unreachableReason(contact, 'wechat', undefined)).toBeUndefined();
    expect(unreachableReason(contact, 'sms', undefined)).toBe('no-address');
    expect(unreachableReason(contact, 'line', undefined)).toBeUndefined();
  });
});

describe('a run whose history holds a contact of the old flat shape', () => {
  it('decides and renders as one with addresses', () => {
    const plan = testPlan([trigger(), send('hi', 'Hi {{ contact.email }}', 'email'), exit()]);
    const old = { id: 'c1', email: 'v@x.cn', attributes: {}, tags: [], points: 0, unsubscribed: [] };
    const now = Contact.parse({ id: 'c1', addresses: { email: 'v@x.cn' } });
    const fromOld = start(plan, { contact: old as unknown as Contact, event: {}, at: 0 });
    const fromNow = start(plan, { contact: now, event: {}, at: 0 });
    const sendOf = (commands: typeof fromOld.commands) => commands.find((c) => c.type === 'send');
    expect(sendOf(fromOld.commands)).toMatchObject({ type: 'send', channel: 'email', nodeId: 'hi' });
    expect(sendOf(fromNow.commands)).toMatchObject({ type: 'send', channel: 'email', nodeId: 'hi' });
    // What the shells render the message with (the deliver activity's data) reads the same.
    expect(renderData(plan, fromOld.state).contact.email).toBe('v@x.cn');
    expect(renderData(plan, fromNow.state).contact.email).toBe('v@x.cn');
  });
});
