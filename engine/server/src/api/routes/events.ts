import { EventsAnswer, EventsBody } from '@sopflow/core/api';
import type { Hono } from 'hono';
import { doc } from '../docs';
import { type ApiContext, apiError, issuesOf, isUnavailable, readJson } from '../http';

/** Events for contacts: recorded, signalled to running flows, starting flows they trigger. */
export function registerEventRoutes(app: Hono, ctx: ApiContext): void {
  app.post(
    '/api/events',
    doc({
      summary: 'Post events for contacts (one, or { events: [...] })',
      tags: ['events'],
      access: 'operator',
      body: EventsBody,
      responses: {
        202: { description: 'Recorded and delivered.', schema: EventsAnswer },
        422: 'Invalid.',
        503: 'Temporal unreachable.',
      },
    }),
    async (c) => {
      const body = await readJson(c);
      if (!body.ok) return body.response;
      const parsed = EventsBody.safeParse(body.value);
      if (!parsed.success)
        return apiError(c, 422, 'invalid_event', 'The event is not valid.', issuesOf(parsed.error));
      const list = 'events' in parsed.data ? parsed.data.events : [parsed.data];
      try {
        const results = [];
        for (const event of list) results.push(await ctx.options.events.post(event));
        return c.json('events' in parsed.data ? { results } : results[0], 202);
      } catch (error) {
        if (isUnavailable(error)) {
          return apiError(
            c,
            503,
            'temporal_unavailable',
            'The workflow server is unreachable; post the events again.',
          );
        }
        throw error;
      }
    },
  );
}
