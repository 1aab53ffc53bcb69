import { describe, expect, it } from 'vitest';
import { ADDRESS_KINDS } from './connector';
import { ConnectorRegistry, defaultRegistry } from './registry';
import { WECOM_MASS_SEND_LIMIT } from './wecom';

describe('the connectors that ship with sopflow', () => {
  it('each declare the kind of address they send to (the outbox takes anyone)', () => {
    for (const connector of defaultRegistry().list()) {
      if (connector.name === 'outbox') expect(connector.address).toBeUndefined();
      else expect(ADDRESS_KINDS, connector.name).toContain(connector.address);
    }
  });

  it('mount their inbound handlers at distinct paths', () => {
    const paths = defaultRegistry()
      .list()
      .flatMap((c) => (c.inbound ?? []).map((h) => h.path));
    expect(paths.length).toBeGreaterThan(0);
    expect(new Set(paths).size).toBe(paths.length);
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
