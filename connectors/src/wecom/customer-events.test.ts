import { describe, expect, it } from 'vitest';
import { parseEventXml } from './callback';
import { READ_CUSTOMER_JOB, readCustomerEvent } from './customer-events';
import { customerEventXml } from './fake-callbacks';

const CORP = 'ww-corp';
const read = (event: Parameters<typeof customerEventXml>[1]) =>
  readCustomerEvent(parseEventXml(customerEventXml(CORP, { createTime: 1718000000, ...event })));
const who = { staffId: 'zhangsan', externalUserId: 'wmCustomer1' };
const at = 1718000000 * 1000;

describe('WeCom customer events', () => {
  it('reads an add with its channel code and welcome code, keeps them on the contact, and asks for a read', () => {
    const fact = read({ changeType: 'add_external_contact', ...who, state: 'poster-1', welcomeCode: 'WC1' });
    expect(fact).toEqual({
      kind: 'contact-event',
      id: expect.stringMatching(/^wecom:evt:/),
      address: { kind: 'wecomExternalUserId', value: 'wmCustomer1' },
      newContactId: 'wecom:wmCustomer1',
      name: 'wecom.customer_added',
      payload: { ...who, state: 'poster-1', welcomeCode: 'WC1', at },
      changes: {
        attributes: { channelCode: 'poster-1', wecomRelation: 'customer_added' },
        addToLists: { wecomStaffIds: ['zhangsan'] },
      },
      runJob: READ_CUSTOMER_JOB,
    });
  });

  it('leaves the last channel code when an add has none (no State, no WelcomeCode)', () => {
    const fact = read({ changeType: 'add_external_contact', ...who });
    expect(fact?.payload).toEqual({ ...who, at });
    expect(fact?.changes?.attributes).toEqual({ wecomRelation: 'customer_added' });
  });

  it('reads a half add as its own event, with the same payload', () => {
    const fact = read({ changeType: 'add_half_external_contact', ...who, state: 's', welcomeCode: 'w' });
    expect(fact).toMatchObject({
      name: 'wecom.customer_added_half',
      payload: { ...who, state: 's', welcomeCode: 'w', at },
      changes: { attributes: { channelCode: 's', wecomRelation: 'customer_added_half' } },
      runJob: READ_CUSTOMER_JOB,
    });
  });

  it('reads an edit as an event that asks for a read (it does not say what changed)', () => {
    const fact = read({ changeType: 'edit_external_contact', ...who });
    expect(fact).toMatchObject({
      name: 'wecom.customer_edited',
      payload: { ...who, at },
      runJob: READ_CUSTOMER_JOB,
    });
    expect(fact).not.toHaveProperty('changes');
  });

  it('reads either side removing the other, taking the staff member out of those followed', () => {
    expect(read({ changeType: 'del_external_contact', ...who, source: 'DELETE_BY_TRANSFER' })).toMatchObject({
      name: 'wecom.customer_removed',
      payload: { ...who, source: 'DELETE_BY_TRANSFER', at },
      changes: {
        attributes: { wecomRelation: 'customer_removed' },
        removeFromLists: { wecomStaffIds: ['zhangsan'] },
      },
    });
    const churn = read({ changeType: 'del_follow_user', ...who });
    expect(churn).toMatchObject({
      name: 'wecom.staff_removed',
      payload: { ...who, at },
      changes: {
        attributes: { wecomRelation: 'staff_removed' },
        removeFromLists: { wecomStaffIds: ['zhangsan'] },
      },
    });
    expect(churn).not.toHaveProperty('runJob');
  });

  it('reads a failed handover with its reason', () => {
    expect(read({ changeType: 'transfer_fail', ...who, failReason: 'customer_refused' })).toMatchObject({
      name: 'wecom.transfer_failed',
      payload: { ...who, failReason: 'customer_refused', at },
    });
  });

  it('gives the same id to every redelivery of one event, and another to another event', () => {
    const add = { changeType: 'add_external_contact', ...who, state: 'p' };
    expect(read(add)?.id).toBe(read(add)?.id);
    expect(read({ ...add, createTime: 1718000001 })?.id).not.toBe(read(add)?.id);
  });

  it('ignores other change types, and events that name no staff member or customer', () => {
    expect(read({ changeType: 'msg_audit_approved', ...who })).toBeUndefined();
    expect(
      read({ changeType: 'add_external_contact', staffId: 'zhangsan', externalUserId: '' }),
    ).toBeUndefined();
    expect(
      readCustomerEvent(
        parseEventXml('<xml><Event>change_external_chat</Event><ChangeType>create</ChangeType></xml>'),
      ),
    ).toBeUndefined();
  });
});
