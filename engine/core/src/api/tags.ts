import { z } from 'zod';

/** A tag of a provider's own catalog (a WeCom corp tag): its name is the sopflow tag. */
export const ProviderTagItem = z.object({
  id: z.string(),
  name: z.string(),
  /** The provider's order value (a larger one first); the list is in this order already. */
  order: z.number(),
});
export type ProviderTagItem = z.infer<typeof ProviderTagItem>;

/** A provider's tag group with its tags, and where it comes from. */
export const ProviderTagGroupItem = z.object({
  /** The connector that keeps it (e.g. `wecom-mass`). */
  connector: z.string(),
  /** The provider account (WeCom: the corp id). */
  account: z.string(),
  id: z.string(),
  name: z.string(),
  order: z.number(),
  tags: z.array(ProviderTagItem),
});
export type ProviderTagGroupItem = z.infer<typeof ProviderTagGroupItem>;

/**
 * `GET /api/tags`: the tags providers keep (WeCom's corp tag list, as last read), by group and in
 * the provider's order, deleted ones left out; what the builder's tag pickers offer.
 */
export const ProviderTagList = z.object({ groups: z.array(ProviderTagGroupItem) });
export type ProviderTagList = z.infer<typeof ProviderTagList>;
