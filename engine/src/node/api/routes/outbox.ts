import type { Hono } from 'hono';
import type { ApiContext } from '../http';

/** What the outbox connector recorded, for operators and tests. */
export function registerOutboxRoutes(app: Hono, ctx: ApiContext): void {
  app.get('/api/outbox', async (c) => {
    const rows = await ctx.options.store.listOutbox({
      flowId: c.req.query('flowId'),
      contactId: c.req.query('contactId'),
      limit: Number(c.req.query('limit') ?? 500) || 500,
    });
    return c.json({ messages: rows });
  });
}
