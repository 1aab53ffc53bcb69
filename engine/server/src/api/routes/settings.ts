import { RetentionSettings } from '@sopflow/core/api';
import type { Hono } from 'hono';
import { doc } from '../docs';
import { type ApiContext, checkValue, readJson } from '../http';

/** Server-wide settings an admin keeps in Postgres: how long records are kept. */
export function registerSettingsRoutes(app: Hono, ctx: ApiContext): void {
  const { retention } = ctx.options;

  app.get(
    '/api/settings/retention',
    doc({
      summary: 'How long deliveries, outbox messages, events and journeys are kept',
      tags: ['settings'],
      access: 'admin',
      responses: {
        200: { description: 'Days per kind of record; null keeps it for ever.', schema: RetentionSettings },
      },
    }),
    async (c) => c.json(await retention.settings()),
  );

  app.put(
    '/api/settings/retention',
    doc({
      summary: 'Set how long records are kept',
      description:
        'Days per kind of record, 0 or null to keep it for ever. A daily purge (the retentionPurge workflow, ' +
        'started by the Temporal Schedule sopflow-retention-purge at 03:17 UTC) deletes what is older, in batches; ' +
        'journeys still running are kept.',
      tags: ['settings'],
      access: 'admin',
      body: RetentionSettings,
      responses: {
        200: { description: 'The settings as stored (0 is stored as null).', schema: RetentionSettings },
        422: 'A field is not a whole number of days from 0 to 36,500, or is missing.',
      },
    }),
    async (c) => {
      const body = await readJson(c);
      if (!body.ok) return body.response;
      const checked = checkValue(
        c,
        RetentionSettings,
        body.value,
        'invalid_retention',
        'The retention settings are not valid. / 保留期限设置无效。',
      );
      if (!checked.ok) return checked.response;
      return c.json(await retention.save(checked.data));
    },
  );
}
