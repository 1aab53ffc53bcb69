import { OutboxList, OutboxQuery } from '@sopflow/core/api';
import type { Hono } from 'hono';
import { doc } from '../docs';
import { type ApiContext, auditBulkRead, checkQuery } from '../http';

/** What the outbox connector recorded, for operators and tests. */
export function registerOutboxRoutes(app: Hono, ctx: ApiContext): void {
  app.get(
    '/api/outbox',
    doc({
      summary: 'Messages the outbox connector recorded',
      tags: ['outbox'],
      access: 'viewer',
      // The messages as rendered hold contacts' data: who read how many is audited.
      audit: true,
      query: OutboxQuery,
      responses: { 200: { description: 'The messages.', schema: OutboxList }, 422: 'Bad query.' },
    }),
    async (c) => {
      const query = checkQuery(c, OutboxQuery);
      if (!query.ok) return query.response;
      const rows = await ctx.options.store.deliveries.listOutbox({
        ...query.data,
        limit: query.data.limit ?? 500,
      });
      auditBulkRead(c, { messages: rows.length });
      return c.json({ messages: rows });
    },
  );
}
