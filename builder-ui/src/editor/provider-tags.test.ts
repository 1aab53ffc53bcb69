import { describe, expect, it } from 'vitest';
import { pickableGroups, toggleTag } from './provider-tags';

describe("the tag picker's WeCom tags", () => {
  it('adds a picked tag at the end, takes it out when picked again, and leaves none for an empty list', () => {
    expect(toggleTag(undefined, 'VIP')).toEqual(['VIP']);
    expect(toggleTag(['engaged'], 'VIP')).toEqual(['engaged', 'VIP']);
    expect(toggleTag(['engaged', 'VIP'], 'engaged')).toEqual(['VIP']);
    expect(toggleTag(['VIP'], 'VIP')).toBeUndefined();
  });

  it('offers groups that have tags, each name once', () => {
    const group = (id: string, names: string[]) => ({
      connector: 'wecom-mass',
      account: 'ww1',
      id,
      name: id,
      order: 0,
      tags: names.map((name, i) => ({ id: `${id}-${i}`, name, order: 0 })),
    });
    expect(
      pickableGroups([group('客户等级', ['VIP', 'VIP', '普通']), group('空', [])]).map((g) => [
        g.name,
        g.tags.map((t) => t.name),
      ]),
    ).toEqual([['客户等级', ['VIP', '普通']]]);
  });
});
