import { ProviderTagList } from '@sopflow/core/api';
import type { Hono } from 'hono';
import { doc } from '../docs';
import type { ApiContext } from '../http';

/** The tags providers keep (WeCom corp tags), for the builder's tag pickers. */
export function registerTagRoutes(app: Hono, ctx: ApiContext): void {
  app.get(
    '/api/tags',
    doc({
      summary: "Providers' tags (WeCom corp tags) by group, as last read",
      tags: ['contacts'],
      access: 'viewer',
      responses: { 200: { description: 'The tag groups and their tags.', schema: ProviderTagList } },
    }),
    async (c) => {
      const catalogs = await ctx.options.store.providerTags.catalogs();
      const answer: ProviderTagList = {
        groups: catalogs.flatMap(({ connector, account, groups }) =>
          groups.map((g) => ({
            connector,
            account,
            id: g.id,
            name: g.name,
            order: g.order,
            tags: g.tags.map((t) => ({ id: t.id, name: t.name, order: t.order })),
          })),
        ),
      };
      return c.json(answer);
    },
  );
}
