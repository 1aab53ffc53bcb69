import { describe, expect, it } from 'vitest';
import { contactAddresses, flowContactView, isAddressKindName } from './contact-addresses';
import { Contact } from './schema';

describe('contactAddresses', () => {
  it('reads a contact keyed by kind', () => {
    const contact = Contact.parse({ id: 'c1', name: 'Vera', addresses: { email: 'v@x.cn', phone: '138' } });
    expect(contactAddresses(contact)).toEqual({ email: 'v@x.cn', phone: '138' });
  });

  it('reads the old flat shape a run started before addresses carries, leaving the contact fields out', () => {
    const old = {
      id: 'c1',
      name: 'Vera',
      timezone: 'Asia/Shanghai',
      wecomUserId: 'wx',
      openId: 'o',
      tags: [],
    };
    expect(contactAddresses(old)).toEqual({ wecomUserId: 'wx', openId: 'o' });
  });

  it('prefers addresses over a flat field of the same kind, and ignores what cannot be an address', () => {
    expect(
      contactAddresses({
        id: 'c1',
        email: 'old@x.cn',
        points: 3,
        addresses: { email: 'new@x.cn', 'b-d': 'x' },
      }),
    ).toEqual({ email: 'new@x.cn' });
  });
});

describe('flowContactView', () => {
  it('lays each address flat beside the contact fields, so flows read contact.<kind>', () => {
    const contact = Contact.parse({ id: 'c1', addresses: { email: 'v@x.cn' }, attributes: { tier: 'vip' } });
    const view = flowContactView(contact);
    expect(view).toMatchObject({
      id: 'c1',
      email: 'v@x.cn',
      addresses: { email: 'v@x.cn' },
      attributes: { tier: 'vip' },
    });
    // A copy: the contact itself is not changed.
    expect(contact).not.toHaveProperty('email');
  });
});

describe('the Contact schema', () => {
  it('takes any well-formed kind name and no contact field as one', () => {
    expect(isAddressKindName('lineUserId')).toBe(true);
    expect(isAddressKindName('tags')).toBe(false);
    expect(isAddressKindName('line-id')).toBe(false);
    expect(Contact.safeParse({ id: 'c1', addresses: { lineUserId: 'u' } }).success).toBe(true);
    const bad = Contact.safeParse({ id: 'c1', addresses: { points: '3' } });
    expect(bad.success).toBe(false);
  });
});
