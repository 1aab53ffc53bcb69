import { z } from 'zod';
import { MessageStatus } from './message-statuses';
import { pageLimit } from './query';

/**
 * What an integrator can subscribe to. `message.status_changed` carries a message's lifecycle
 * status (today `sent` and `failed`; the lifecycle adds the others as providers report them).
 */
export const INTEGRATOR_EVENT_TYPES = [
  'journey.entered',
  'journey.exited',
  'journey.converted',
  'contact.unsubscribed',
  'contact.resubscribed',
  'campaign.finished',
  'message.status_changed',
] as const;

export const IntegratorEventType = z.enum(INTEGRATOR_EVENT_TYPES, {
  error: `An event type is one of ${INTEGRATOR_EVENT_TYPES.join(', ')}. / 事件类型只能是 ${INTEGRATOR_EVENT_TYPES.join('、')}。`,
});
export type IntegratorEventType = z.infer<typeof IntegratorEventType>;

/** Where a journey event happened: the contact's run of a flow. */
const JourneyRef = z.object({
  contactId: z.string(),
  flowId: z.string(),
  flowVersion: z.number().int(),
  workflowId: z.string(),
  runId: z.string(),
});

/** The `data` of each event type, as integrators receive it. */
export const IntegratorEventData = {
  'journey.entered': JourneyRef,
  'journey.exited': JourneyRef.extend({
    /** How the journey ended: `exited` (an exit step), `failed` or `cancelled`. */
    outcome: z.enum(['exited', 'failed', 'cancelled']),
    nodeId: z.string(),
    reason: z.string().optional(),
  }),
  'journey.converted': JourneyRef.extend({ nodeId: z.string(), event: z.string() }),
  'contact.unsubscribed': z.object({ contactId: z.string(), channel: z.string() }),
  'contact.resubscribed': z.object({ contactId: z.string(), channel: z.string() }),
  'campaign.finished': z.object({
    campaignId: z.string(),
    flowId: z.string(),
    counts: z.object({ scanned: z.number().int(), enrolled: z.number().int(), skipped: z.number().int() }),
  }),
  'message.status_changed': z.object({
    /** The delivery's idempotency key: one message, whatever its status. */
    messageId: z.string(),
    status: MessageStatus,
    /** The contact; null for a message to staff. */
    contactId: z.string().nullable(),
    channel: z.string(),
    connector: z.string(),
    flowId: z.string(),
    flowVersion: z.number().int(),
    nodeId: z.string(),
    workflowId: z.string(),
    providerMessageId: z.string().optional(),
    /** Why it failed, was rejected or suppressed. */
    reason: z.string().optional(),
  }),
} as const satisfies Record<IntegratorEventType, z.ZodType>;
export type IntegratorEventData = { [T in IntegratorEventType]: z.infer<(typeof IntegratorEventData)[T]> };

/** The body of every delivery (`x-sopflow-event-id` repeats `id`: deduplicate on it). */
export const IntegratorEvent = z.object({
  id: z.string(),
  type: IntegratorEventType,
  /** When it happened, ISO-8601. */
  createdAt: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type IntegratorEvent = z.infer<typeof IntegratorEvent>;

const URL_PROBLEM =
  'url is an http:// or https:// address such as https://example.com/hooks/sopflow. / url 须为 http:// 或 https:// 地址，例如 https://example.com/hooks/sopflow。';

const SubscriptionUrl = z
  .string({ error: URL_PROBLEM })
  .max(2000, { error: 'url is at most 2000 characters. / url 最多 2000 个字符。' })
  .refine(
    (url) => {
      try {
        return ['http:', 'https:'].includes(new URL(url).protocol);
      } catch {
        return false;
      }
    },
    { error: URL_PROBLEM },
  );

const EventTypes = z
  .array(IntegratorEventType, {
    error: 'eventTypes lists the event types to deliver. / eventTypes 须列出要推送的事件类型。',
  })
  .min(1, { error: 'Choose at least one event type. / 至少选择一种事件类型。' })
  .refine((types) => new Set(types).size === types.length, {
    error: 'An event type is listed twice. / 事件类型重复。',
  });

const Description = z
  .string()
  .max(200, { error: 'description is at most 200 characters. / 说明最多 200 个字符。' });

const Secret = z
  .string()
  .min(16, { error: 'secret is at least 16 characters. / secret 至少 16 个字符。' })
  .max(200, { error: 'secret is at most 200 characters. / secret 最多 200 个字符。' });

/** `POST /api/webhook-subscriptions`: the secret is generated when not given. */
export const SubscriptionCreate = z.object({
  url: SubscriptionUrl,
  eventTypes: EventTypes,
  description: Description.optional(),
  secret: Secret.optional(),
  enabled: z.boolean().optional(),
});
export type SubscriptionCreate = z.infer<typeof SubscriptionCreate>;

/** `PUT /api/webhook-subscriptions/{id}`: the fields to change; `rotateSecret` makes a new secret. */
export const SubscriptionUpdate = z.object({
  url: SubscriptionUrl.optional(),
  eventTypes: EventTypes.optional(),
  description: Description.optional(),
  enabled: z.boolean().optional(),
  rotateSecret: z.literal(true).optional(),
});
export type SubscriptionUpdate = z.infer<typeof SubscriptionUpdate>;

/** A subscription as admins see it: with its secret, which signs every delivery. */
export const Subscription = z.object({
  id: z.string(),
  url: z.string(),
  eventTypes: z.array(IntegratorEventType),
  description: z.string(),
  enabled: z.boolean(),
  secret: z.string(),
  /** The header each delivery is signed in (`t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`). */
  signatureHeader: z.string(),
  /** Deliveries waiting (to be tried, or to be retried) and given up on. */
  pending: z.number().int(),
  failed: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Subscription = z.infer<typeof Subscription>;

export const SubscriptionList = z.object({ subscriptions: z.array(Subscription) });
export type SubscriptionList = z.infer<typeof SubscriptionList>;

export const SubscriptionRemoved = z.object({ id: z.string(), removed: z.literal(true) });
export type SubscriptionRemoved = z.infer<typeof SubscriptionRemoved>;

/** `pending`: to be tried (again); `delivered`: the endpoint answered 2xx; `failed`: given up after the last attempt. */
export const IntegratorDeliveryStatus = z.enum(['pending', 'delivered', 'failed']);
export type IntegratorDeliveryStatus = z.infer<typeof IntegratorDeliveryStatus>;

/** One event's delivery to one subscription: the delivery log. */
export const IntegratorDelivery = z.object({
  eventId: z.string(),
  eventType: IntegratorEventType,
  contactId: z.string().nullable(),
  status: IntegratorDeliveryStatus,
  attempts: z.number().int(),
  /** The endpoint's last HTTP status; null when it did not answer (timeout, refused). */
  responseCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  createdAt: z.string(),
  event: IntegratorEvent,
});
export type IntegratorDelivery = z.infer<typeof IntegratorDelivery>;

/** `GET /api/webhook-subscriptions/{id}/deliveries`: newest first. */
export const IntegratorDeliveryQuery = z.object({
  status: IntegratorDeliveryStatus.optional(),
  limit: pageLimit(500).optional(),
});
export type IntegratorDeliveryQuery = z.infer<typeof IntegratorDeliveryQuery>;

export const IntegratorDeliveryList = z.object({ deliveries: z.array(IntegratorDelivery) });
export type IntegratorDeliveryList = z.infer<typeof IntegratorDeliveryList>;

/** `POST /api/webhook-subscriptions/{id}/deliveries/{eventId}/replay`: queued to be sent again. */
export const IntegratorReplayed = z.object({ eventId: z.string(), status: z.literal('pending') });
export type IntegratorReplayed = z.infer<typeof IntegratorReplayed>;
