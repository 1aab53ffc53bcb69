import { EventsAnswer, EventsBody } from '@sopflow/core/api';
import type { Hono } from 'hono';
import { doc } from '../docs';
import { type ApiContext, answerWith, checkBody, temporalUnavailable } from '../http';

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
      const parsed = await checkBody(c, EventsBody, 'The event is not valid.', 'invalid_event');
      if (!parsed.ok) return parsed.response;
      const list = 'events' in parsed.data ? parsed.data.events : [parsed.data];
      return answerWith(
        c,
        async () => {
          const results = [];
          for (const event of list) results.push(await ctx.options.events.post(event));
          return 'events' in parsed.data ? { results } : results[0];
        },
        temporalUnavailable('The workflow server is unreachable; post the events again.'),
        202,
      );
    },
  );
}
