import type { Hono } from 'hono';
import { z } from 'zod';
import { doc } from '../docs';
import type { ApiContext } from '../http';

const OutboxQuery = z.object({
  flowId: z.string().optional(),
  contactId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(5000).optional(),
});

/** What the outbox connector recorded, for operators and tests. */
export function registerOutboxRoutes(app: Hono, ctx: ApiContext): void {
  app.get(
    '/api/outbox',
    doc({
      summary: 'Messages the outbox connector recorded',
      tags: ['outbox'],
      access: 'viewer',
      query: OutboxQuery,
      responses: { 200: 'The messages.' },
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
