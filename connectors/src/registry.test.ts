import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAddressKind } from './address-kind';
import { type Connector, configField, defineConnector } from './connector';
import { ConnectorRegistry, defaultRegistry } from './registry';
import { phoneAddress } from './sms/phone-address';
import { WECOM_MASS_SEND_LIMIT } from './wecom';

describe('the connectors that ship with sopflow', () => {
  it('each declare the kind of address they send to (the outbox takes anyone)', () => {
    const registry = defaultRegistry();
    for (const connector of registry.list()) {
      if (connector.name === 'outbox') expect(connector.address).toBeUndefined();
      else expect(registry.addressKinds(), connector.name).toContain(connector.address);
    }
  });

  it('declare one list of address kinds, each with zh and en labels', () => {
    const kinds = defaultRegistry().addressKinds();
    expect(kinds.map((k) => [k.name, k.of ?? 'contact'])).toEqual([
      ['email', 'contact'],
      ['groupId', 'group'],
      ['openId', 'contact'],
      ['phone', 'contact'],
      ['wecomExternalUserId', 'contact'],
      ['wecomUserId', 'contact'],
    ]);
    for (const kind of kinds) expect(kind.label.en && kind.label.zh, kind.name).toBeTruthy();
  });

  it('reach each channel through the contact address kinds of the connectors delivering it', () => {
    expect(defaultRegistry().reach()).toEqual({
      email: ['email'],
      sms: ['phone'],
      wechat: ['wecomUserId', 'wecomExternalUserId'],
      wechat_oa: ['openId'],
    });
  });

  it('mount their inbound handlers at distinct paths', () => {
    const paths = defaultRegistry()
      .list()
      .flatMap((c) => (c.inbound ?? []).map((h) => h.path));
    expect(paths.length).toBeGreaterThan(0);
    expect(new Set(paths).size).toBe(paths.length);
  });
});

/** Names the providers' consoles write the same way in Chinese (no CJK character needed). */
const SAME_IN_CHINESE = new Set([
  'AccessKey ID',
  'AccessKey Secret',
  'Account SID',
  'API Key SID',
  'API Key Secret',
  'AppID',
  'Auth Token',
  'EncodingAESKey',
  'Messaging Service SID',
  'Reply-To',
  'Secret',
  'SecretId',
  'SecretKey',
  'SmsSdkAppId',
  'Token',
  'Webhook key',
]);

const CJK = /\p{Script=Han}/u;

interface FieldSchema {
  properties?: Record<string, FieldSchema>;
  additionalProperties?: boolean | FieldSchema;
  label?: { en?: string; zh?: string };
  help?: { en?: string; zh?: string };
}

/**
 * What is missing from the words of each field of a config (nested ones too), as the API serves its
 * JSON Schema. A map's values (the robots' webhook keys) are typed in rows the form labels itself.
 */
function fieldsWithoutWords(connector: Connector): string[] {
  const schema = z.toJSONSchema(connector.configSchema, {
    io: 'input',
    unrepresentable: 'any',
  }) as FieldSchema;
  const problems: string[] = [];
  const walk = (object: FieldSchema, prefix: string) => {
    for (const [name, field] of Object.entries(object.properties ?? {})) {
      const path = prefix ? `${prefix}.${name}` : name;
      for (const part of ['label', 'help'] as const)
        for (const locale of ['en', 'zh'] as const)
          if (!field[part]?.[locale]?.trim()) problems.push(`${path}: no ${part}.${locale}`);
      const zh = field.label?.zh;
      if (zh && !CJK.test(zh) && !SAME_IN_CHINESE.has(zh))
        problems.push(`${path}: label.zh "${zh}" is not Chinese`);
      walk(field, path);
    }
  };
  walk(schema, '');
  return problems;
}

describe('the config forms of the connectors that ship with sopflow', () => {
  it.each(
    defaultRegistry()
      .list()
      .map((c) => [c.name, c] as const),
  )(
    '%s: a description and every field a label and a help in en and zh, the zh label in Chinese',
    (_, connector) => {
      expect(connector.description.en.trim()).not.toBe('');
      expect(connector.description.zh).toMatch(CJK);
      expect(fieldsWithoutWords(connector)).toEqual([]);
    },
  );

  it('finds a field without words, a nested one too, and an English zh label', () => {
    const words = configField(['Name', '名称'], ['Help', '帮助']);
    const connector = defineConnector({
      name: 'new',
      description: { en: 'new', zh: '新' },
      channels: ['sms'],
      configSchema: z.object({
        named: z.string().meta(words),
        bare: z.string(),
        group: z.object({ inner: z.number().default(1) }).meta(words),
        english: z.string().meta(configField(['Sign name', 'Sign name'], ['Help', '帮助'])),
      }),
      create: () => ({ send: async () => ({ status: 'sent' }) }),
    });
    expect(fieldsWithoutWords(connector)).toEqual([
      'bare: no label.en',
      'bare: no label.zh',
      'bare: no help.en',
      'bare: no help.zh',
      'group.inner: no label.en',
      'group.inner: no label.zh',
      'group.inner: no help.en',
      'group.inner: no help.zh',
      'english: label.zh "Sign name" is not Chinese',
    ]);
  });
});

describe('ConnectorRegistry address kinds', () => {
  const connector = (name: string, address: ReturnType<typeof defineAddressKind>) =>
    defineConnector({
      name,
      description: { en: name, zh: name },
      channels: ['sms'],
      address,
      configSchema: phoneAddress.schema,
      create: () => ({ send: async () => ({ status: 'sent' }) }),
    });

  it('refuses two different declarations of one kind', () => {
    const other = defineAddressKind({ ...phoneAddress, matchKey: (v) => v });
    const registry = new ConnectorRegistry([connector('a', phoneAddress) as never]);
    expect(() => registry.register(connector('b', other) as never)).toThrow(/declares differently/);
    expect(() => registry.register(connector('c', phoneAddress) as never)).not.toThrow();
  });

  it('compares addresses by the declaring kind’s match key', () => {
    const registry = defaultRegistry();
    expect(registry.matchKey('phone', '+86 138-0000-0000')).toBe('8613800000000');
    expect(registry.matchKey('email', 'Vera@Example.com')).toBe('vera@example.com');
    expect(registry.matchKey('nobody-declares', 'X')).toBe('X');
  });
});

describe('defineAddressKind', () => {
  it('refuses a name that could not be a key of addresses', () => {
    const base = { label: { en: 'x', zh: 'x' }, schema: phoneAddress.schema };
    expect(() => defineAddressKind({ ...base, name: 'fax-number' })).toThrow(/letter/);
    expect(defineAddressKind({ ...base, name: 'fax' }).name).toBe('fax');
  });

  it('phone, email: validate and normalise as declared', () => {
    expect(phoneAddress.schema.safeParse(' +86 138 0000 0000 ')).toEqual({
      success: true,
      data: '+86 138 0000 0000',
    });
    expect(phoneAddress.schema.safeParse('call me').success).toBe(false);
  });
});

describe('limits declared by connectors', () => {
  it("give WeCom's mass-send quota once, on the channels it counts", () => {
    const limits = defaultRegistry().limits();
    expect(limits.map((l) => l.id)).toEqual(['wecom-mass-send']);
    expect(limits[0]).toMatchObject({
      channels: ['wechat', 'wechat_group'],
      perRecipient: { max: 'daysInMonth', per: 'month', zone: 'Asia/Shanghai' },
    });
  });

  it("give the Official Account's 48-hour window for free-form messages, on wechat_oa", () => {
    expect(defaultRegistry().freeFormWindows()).toEqual([
      expect.objectContaining({ id: 'wechat-oa-48h', channels: ['wechat_oa'], hours: 48 }),
    ]);
  });

  it('refuse two different limits under one id', () => {
    const connector = defaultRegistry().get('wecom-app')!;
    const registry = new ConnectorRegistry([defaultRegistry().get('wecom-mass')! as never]);
    const tighter = {
      ...WECOM_MASS_SEND_LIMIT,
      perRecipient: { ...WECOM_MASS_SEND_LIMIT.perRecipient, max: 4 },
    };
    expect(() => registry.register({ ...connector, name: 'other', limits: [tighter] } as never)).toThrow(
      /limit "wecom-mass-send"/,
    );
  });
});
