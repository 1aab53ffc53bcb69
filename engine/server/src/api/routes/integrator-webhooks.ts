import { randomUUID } from 'node:crypto';
import {
  IntegratorDeliveryList,
  IntegratorDeliveryQuery,
  IntegratorReplayed,
  Subscription,
  SubscriptionCreate,
  SubscriptionList,
  SubscriptionRemoved,
  SubscriptionUpdate,
} from '@sopflow/core/api';
import type { Context, Hono } from 'hono';
import type { SubscriptionRow } from '../../persistence';
import { newWebhookSecret, SIGNATURE_HEADER } from '../../webhook-signature';
import { doc } from '../docs';
import { type ApiContext, apiError, checkBody, checkQuery } from '../http';

const TAGS = ['webhook subscriptions'];

function view(row: SubscriptionRow): Subscription {
  return {
    id: row.id,
    url: row.url,
    eventTypes: row.eventTypes,
    description: row.description,
    enabled: row.enabled,
    secret: row.secret,
    signatureHeader: SIGNATURE_HEADER,
    pending: row.pending,
    failed: row.failed,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const notFound = (c: Context, id: string) =>
  apiError(
    c,
    404,
    'subscription_not_found',
    `There is no webhook subscription "${id}". / 没有 webhook 订阅 "${id}"。`,
  );

/** Integrators' webhook subscriptions (admins only: a subscription receives contacts' data). */
export function registerIntegratorWebhookRoutes(app: Hono, ctx: ApiContext): void {
  const store = ctx.options.store.integratorWebhooks;

  app.get(
    '/api/webhook-subscriptions',
    doc({
      summary: "Integrators' webhook subscriptions",
      tags: TAGS,
      access: 'admin',
      responses: { 200: { description: 'The subscriptions.', schema: SubscriptionList } },
    }),
    async (c) => c.json({ subscriptions: (await store.list()).map(view) }),
  );

  app.post(
    '/api/webhook-subscriptions',
    doc({
      summary: 'Subscribe an endpoint to events',
      description:
        'Each delivery is signed with the secret (generated unless given), as inbound webhooks are.',
      tags: TAGS,
      access: 'admin',
      body: SubscriptionCreate,
      responses: { 201: { description: 'Created.', schema: Subscription }, 422: 'Invalid.' },
    }),
    async (c) => {
      const parsed = await checkBody(
        c,
        SubscriptionCreate,
        'The subscription is not valid. / 订阅无效。',
        'invalid_subscription',
      );
      if (!parsed.ok) return parsed.response;
      const id = `whs_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
      await store.create({
        id,
        url: parsed.data.url,
        secret: parsed.data.secret ?? newWebhookSecret(),
        eventTypes: parsed.data.eventTypes,
        description: parsed.data.description ?? '',
        enabled: parsed.data.enabled ?? true,
      });
      return c.json(view((await store.get(id))!), 201);
    },
  );

  app.get(
    '/api/webhook-subscriptions/:id',
    doc({
      summary: 'A webhook subscription, with its secret',
      tags: TAGS,
      access: 'admin',
      responses: {
        200: { description: 'The subscription.', schema: Subscription },
        404: 'No such subscription.',
      },
    }),
    async (c) => {
      const row = await store.get(c.req.param('id'));
      return row ? c.json(view(row)) : notFound(c, c.req.param('id'));
    },
  );

  app.put(
    '/api/webhook-subscriptions/:id',
    doc({
      summary: 'Change a webhook subscription (URL, event types, description, on/off, a new secret)',
      tags: TAGS,
      access: 'admin',
      body: SubscriptionUpdate,
      responses: {
        200: { description: 'Changed.', schema: Subscription },
        404: 'No such subscription.',
        422: 'Invalid.',
      },
    }),
    async (c) => {
      const parsed = await checkBody(
        c,
        SubscriptionUpdate,
        'The change is not valid. / 修改无效。',
        'invalid_subscription',
      );
      if (!parsed.ok) return parsed.response;
      const { rotateSecret, ...change } = parsed.data;
      const id = c.req.param('id');
      const found = await store.update(id, {
        ...change,
        ...(rotateSecret ? { secret: newWebhookSecret() } : {}),
      });
      return found ? c.json(view((await store.get(id))!)) : notFound(c, id);
    },
  );

  app.delete(
    '/api/webhook-subscriptions/:id',
    doc({
      summary: 'Remove a webhook subscription and its delivery log',
      tags: TAGS,
      access: 'admin',
      responses: {
        200: { description: 'Removed.', schema: SubscriptionRemoved },
        404: 'No such subscription.',
      },
    }),
    async (c) => {
      const id = c.req.param('id');
      return (await store.remove(id)) ? c.json({ id, removed: true as const }) : notFound(c, id);
    },
  );

  app.get(
    '/api/webhook-subscriptions/:id/deliveries',
    doc({
      summary: "A subscription's delivery log, newest first",
      tags: TAGS,
      access: 'admin',
      query: IntegratorDeliveryQuery,
      responses: {
        200: { description: 'Deliveries.', schema: IntegratorDeliveryList },
        404: 'No such subscription.',
        422: 'Invalid query.',
      },
    }),
    async (c) => {
      const query = checkQuery(c, IntegratorDeliveryQuery);
      if (!query.ok) return query.response;
      const id = c.req.param('id');
      if (!(await store.get(id))) return notFound(c, id);
      return c.json({ deliveries: await store.log(id, query.data) });
    },
  );

  app.post(
    '/api/webhook-subscriptions/:id/deliveries/:eventId/replay',
    doc({
      summary: 'Send a logged event to the subscription again',
      description: 'Queued at once; pending events of the same contact that came after it wait for it.',
      tags: TAGS,
      access: 'admin',
      responses: {
        202: { description: 'Queued.', schema: IntegratorReplayed },
        404: 'No such subscription or delivery.',
      },
    }),
    async (c) => {
      const { id, eventId } = c.req.param();
      if (!(await store.replay(id, eventId)))
        return apiError(
          c,
          404,
          'delivery_not_found',
          `Subscription "${id}" has no delivery of event "${eventId}". / 订阅 "${id}" 没有事件 "${eventId}" 的推送记录。`,
        );
      return c.json({ eventId, status: 'pending' as const }, 202);
    },
  );
}
