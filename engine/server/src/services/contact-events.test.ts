import { Contact } from '@sopflow/core';
import { describe, expect, it } from 'vitest';
import { applyContactChangeSet } from './contact-events';

const contact = (fields: Partial<Contact> = {}) => Contact.parse({ id: 'c1', ...fields });

describe("a provider's changes to a contact", () => {
  it('set attributes, and null removes one', () => {
    const before = contact({ attributes: { tier: 'vip', channelCode: 'old' } });
    expect(
      applyContactChangeSet(before, { attributes: { channelCode: 'poster', tier: null } }).attributes,
    ).toEqual({ channelCode: 'poster' });
  });

  it('add to and take out of list attributes, each value once', () => {
    const before = contact({ attributes: { wecomStaffIds: ['zhangsan'] } });
    const added = applyContactChangeSet(before, { addToLists: { wecomStaffIds: ['zhangsan', 'lisi'] } });
    expect(added.attributes.wecomStaffIds).toEqual(['zhangsan', 'lisi']);
    const removed = applyContactChangeSet(added, { removeFromLists: { wecomStaffIds: ['zhangsan'] } });
    expect(removed.attributes.wecomStaffIds).toEqual(['lisi']);
    // A list attribute that was something else is started anew.
    const started = applyContactChangeSet(contact({ attributes: { x: 'text' } }), {
      addToLists: { x: ['a'] },
    });
    expect(started.attributes.x).toEqual(['a']);
  });

  it("name a contact that has no name, and keep an operator's name", () => {
    expect(applyContactChangeSet(contact(), { nameIfUnset: '王小明' }).name).toBe('王小明');
    expect(applyContactChangeSet(contact({ name: 'Vera' }), { nameIfUnset: '王小明' }).name).toBe('Vera');
  });

  it("replace the tags the provider keeps, and leave everyone else's", () => {
    const first = applyContactChangeSet(contact({ tags: ['welcomed'] }), {
      providerTags: { attribute: 'wecomTags', tags: ['高意向', '直播'] },
    });
    expect(first.tags).toEqual(['welcomed', '高意向', '直播']);
    expect(first.attributes.wecomTags).toEqual(['高意向', '直播']);
    // WeCom dropped 直播 and added 已成交; sopflow's own tag stays.
    const second = applyContactChangeSet(first, {
      providerTags: { attribute: 'wecomTags', tags: ['高意向', '已成交'] },
    });
    expect(second.tags).toEqual(['welcomed', '高意向', '已成交']);
    expect(second.attributes.wecomTags).toEqual(['高意向', '已成交']);
  });

  it('change nothing when given nothing', () => {
    const before = contact({ name: 'Vera', tags: ['a'], attributes: { x: 1 } });
    expect(applyContactChangeSet(before, {})).toEqual(before);
  });
});
