import { z } from 'zod';
import { pageLimit } from './query';

/** `GET /api/outbox`. */
export const OutboxQuery = z.object({
  flowId: z.string().optional(),
  contactId: z.string().optional(),
  limit: pageLimit(5000)
    .optional()
    .meta({ description: 'At most this many messages (1-5000, 500 by default).' }),
});
export type OutboxQuery = z.infer<typeof OutboxQuery>;

/** A message the outbox connector recorded instead of sending it. */
export const OutboxMessage = z.object({
  id: z.string(),
  idempotencyKey: z.string(),
  workflowId: z.string(),
  flowId: z.string(),
  flowVersion: z.number(),
  nodeId: z.string(),
  contactId: z.string(),
  channel: z.string(),
  body: z.string(),
  createdAt: z.string(),
});
export type OutboxMessage = z.infer<typeof OutboxMessage>;

export const OutboxList = z.object({ messages: z.array(OutboxMessage) });
export type OutboxList = z.infer<typeof OutboxList>;
