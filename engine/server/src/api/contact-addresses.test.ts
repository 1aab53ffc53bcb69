import {
  ConnectorRegistry,
  defaultRegistry,
  defineAddressKind,
  defineConnector,
  phoneAddress,
} from '@sopflow/connectors';
import { Contact } from '@sopflow/core';
import { EnrollBody } from '@sopflow/core/api';
import { describe, expect, it } from 'vitest';
import { ContactAddressRules, parseWithAddresses } from './contact-addresses';

const rules = new ContactAddressRules(defaultRegistry());

describe('ContactAddressRules', () => {
  it('refuses a registry whose connector names a kind like a contact field', () => {
    const tags = defineAddressKind({
      name: 'tags',
      label: { en: 't', zh: 't' },
      schema: phoneAddress.schema,
    });
    const registry = new ConnectorRegistry([
      defineConnector({
        name: 'tagger',
        description: { en: 'x', zh: 'x' },
        channels: ['x'],
        address: tags,
        configSchema: phoneAddress.schema,
        create: () => ({ send: async () => ({ status: 'sent' as const }) }),
      }) as never,
    ]);
    expect(() => new ContactAddressRules(registry)).toThrow(/contact field/);
  });

  it('knows the contact address kinds the connectors declare, not group ones', () => {
    expect(rules.names()).toEqual(['email', 'openId', 'phone', 'wecomExternalUserId', 'wecomUserId']);
    expect(rules.kindNamed('WECOMUSERID')).toBe('wecomUserId');
    expect(rules.kindNamed('groupId')).toBeUndefined();
  });

  it('folds top-level fields named after a kind into addresses; addresses given win', () => {
    expect(rules.fold({ id: 'c1', email: 'a@b.c', city: 'x' })).toEqual({
      id: 'c1',
      city: 'x',
      addresses: { email: 'a@b.c' },
    });
    expect(rules.fold({ id: 'c1', email: 'a@b.c', addresses: { email: 'x@y.z', phone: '138' } })).toEqual({
      id: 'c1',
      addresses: { email: 'x@y.z', phone: '138' },
    });
    // Nothing to fold, or a shape the schema must refuse, is left as it is.
    const plain = { id: 'c1' };
    expect(rules.fold(plain)).toBe(plain);
    expect(rules.fold({ id: 'c1', email: 'a', addresses: 'x' })).toEqual({
      id: 'c1',
      email: 'a',
      addresses: 'x',
    });
    expect(rules.fold('x')).toBe('x');
  });

  it('checks and normalises each address by its kind, naming addresses.<kind> in English and Chinese', () => {
    expect(rules.check({ phone: ' 138 0000 0000 ', openId: null })).toEqual({
      ok: true,
      addresses: { phone: '138 0000 0000', openId: null },
    });
    const checked = rules.check({ fax: '1', email: 'nope', phone: '138' });
    expect(checked.ok).toBe(false);
    expect(!checked.ok && checked.issues).toEqual([
      {
        path: 'addresses.fax',
        message: expect.stringMatching(/^Unknown address kind "fax".* \/ 未知的地址类型 "fax"/),
      },
      {
        path: 'addresses.email',
        message: expect.stringMatching(/^Not a valid Email address: .* \/ 不是有效的邮箱。$/),
      },
    ]);
  });
});

describe('parseWithAddresses', () => {
  it('folds and checks the contact of an enrollment', () => {
    const parsed = parseWithAddresses({ addressRules: rules }, EnrollBody, {
      contact: { id: 'c1', wecomUserId: 'wx', attributes: { tier: 'vip' } },
    });
    expect(parsed).toEqual({
      ok: true,
      data: {
        contact: Contact.parse({ id: 'c1', addresses: { wecomUserId: 'wx' }, attributes: { tier: 'vip' } }),
      },
    });
    const bad = parseWithAddresses({ addressRules: rules }, EnrollBody, {
      contact: { id: 'c1', addresses: { fax: '1' } },
    });
    expect(!bad.ok && bad.issues.map((i) => i.path)).toEqual(['contact.addresses.fax']);
  });
});
