import type { ProviderTagGroupItem } from '@sopflow/core/api';

/** The list with the tag picked: added at the end, or taken out when it was in; none when empty. */
export function toggleTag(chosen: readonly string[] | undefined, name: string): string[] | undefined {
  const list = chosen ?? [];
  const next = list.includes(name) ? list.filter((tag) => tag !== name) : [...list, name];
  return next.length > 0 ? next : undefined;
}

/** The groups worth offering: those with tags, each tag name once per group. */
export function pickableGroups(groups: readonly ProviderTagGroupItem[]): ProviderTagGroupItem[] {
  return groups
    .filter((g) => g.tags.length > 0)
    .map((g) => ({ ...g, tags: g.tags.filter((t, i) => g.tags.findIndex((o) => o.name === t.name) === i) }));
}
