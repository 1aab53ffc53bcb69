import type {
  IntegratorDelivery,
  Subscription,
  SubscriptionCreate,
  SubscriptionUpdate,
} from '@sopflow/core/api';
import { answer, api } from './client';

/** Integrators' webhook subscriptions: engine/server/src/api/routes/integrator-webhooks.ts. */

export type {
  IntegratorDelivery,
  Subscription,
  SubscriptionCreate,
  SubscriptionUpdate,
} from '@sopflow/core/api';

export async function listSubscriptions(signal?: AbortSignal): Promise<Subscription[]> {
  return (await answer(api.GET('/api/webhook-subscriptions', { signal }))).subscriptions;
}

export async function createSubscription(body: SubscriptionCreate): Promise<Subscription> {
  return answer(api.POST('/api/webhook-subscriptions', { body }));
}

export async function updateSubscription(id: string, body: SubscriptionUpdate): Promise<Subscription> {
  return answer(api.PUT('/api/webhook-subscriptions/{id}', { params: { path: { id } }, body }));
}

export async function deleteSubscription(id: string): Promise<void> {
  await answer(api.DELETE('/api/webhook-subscriptions/{id}', { params: { path: { id } } }));
}

/** The newest deliveries first. */
export async function listDeliveries(id: string, signal?: AbortSignal): Promise<IntegratorDelivery[]> {
  return (
    await answer(
      api.GET('/api/webhook-subscriptions/{id}/deliveries', {
        params: { path: { id }, query: { limit: 100 } },
        signal,
      }),
    )
  ).deliveries;
}

export async function replayDelivery(id: string, eventId: string): Promise<void> {
  await answer(
    api.POST('/api/webhook-subscriptions/{id}/deliveries/{eventId}/replay', {
      params: { path: { id, eventId } },
      body: {},
    }),
  );
}
