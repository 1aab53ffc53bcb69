import { describe, expect, it } from 'vitest';
import { ADDRESS_KINDS } from './connector';
import { defaultRegistry } from './registry';

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
