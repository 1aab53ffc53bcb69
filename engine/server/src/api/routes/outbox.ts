import { OutboxList, OutboxQuery } from '@sopflow/core/api';
import type { Hono } from 'hono';
import { doc } from '../docs';
import type { ApiContext } from '../http';

/** What the outbox connector recorded, for operators and tests. */
export function registerOutboxRoutes(app: Hono, ctx: ApiContext): void {
  app.get(
    '/api/outbox',
    doc({
      summary: 'Messages the outbox connector recorded',
      tags: ['outbox'],
      access: 'viewer',
      query: OutboxQuery,
      responses: { 200: { description: 'The messages.', schema: OutboxList } },
    }),
    async (c) => {
      const rows = await ctx.options.store.deliveries.listOutbox({
        flowId: c.req.query('flowId'),
        contactId: c.req.query('contactId'),
        limit: Number(c.req.query('limit') ?? 500) || 500,
      });
      return c.json({ messages: rows });
    },
  );
}
