import { EventBatch, EventsAnswer, EventsBody, PostedEvent } from '@sopflow/core/api';
import type { Hono } from 'hono';
import { doc } from '../docs';
import { type ApiContext, answerWith, checkValue, readJson, temporalUnavailable } from '../http';

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
        202: {
          description:
            'Recorded and delivered: use says what came of it (used, kept for a step that looks back, pending, ignored), runs what each running flow did; flows it would start but whose trigger requires payload fields it lacks are in notStarted.',
          schema: EventsAnswer,
        },
        422: 'Invalid (details name each field).',
        503: 'Temporal unreachable.',
      },
    }),
    async (c) => {
      const body = await readJson(c);
      if (!body.ok) return body.response;
      // A body with `events` is a batch, any other one event: so a missing field is named as such.
      const batch = typeof body.value === 'object' && body.value !== null && 'events' in body.value;
      const parsed = checkValue(
        c,
        batch ? EventBatch : PostedEvent,
        body.value,
        'invalid_event',
        'The event is not valid.',
      );
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
