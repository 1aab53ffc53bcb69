import { z } from 'zod';
import { EventName } from '../flow/schema';
import { EnrollResult } from './flows';

/** An event for a contact, as other systems post it. */
export const PostedEvent = z.object({
  /** A client-given id: the same id posted again counts once. */
  id: z.string().min(1).max(200).optional(),
  contactId: z.string().min(1).max(200),
  name: EventName,
  payload: z.record(z.string(), z.unknown()).default({}),
});
export type PostedEvent = z.infer<typeof PostedEvent>;

/** `POST /api/events`: one event, or up to 500 as `{ events: [...] }`. */
export const EventBatch = z.object({ events: z.array(PostedEvent).min(1).max(500) });
export const EventsBody = z.union([PostedEvent, EventBatch]);
export type EventsBody = z.input<typeof EventsBody>;

/**
 * What one running flow did with an event: `used` it now (a step waiting for it, or its goal),
 * `kept` it for a step ahead that looks back, `ignored` it, or `pending`: the run is busy with a
 * step (a send, a request) and takes it when that is done, or its worker did not answer in time.
 */
export const EventUse = z.enum(['used', 'kept', 'pending', 'ignored']);
export type EventUse = z.infer<typeof EventUse>;

export const EventOutcome = z.object({
  status: z.enum(['recorded', 'duplicate']),
  /**
   * What came of the event, the strongest of: `used` (a running flow took it now, or it started a
   * flow), `kept` (a running flow keeps it for a step that looks back), `pending` (a running flow
   * has it but has not answered yet), `ignored` (nothing wanted it; a duplicate too).
   */
  use: EventUse,
  /** Running flows of the contact the event was delivered to. */
  delivered: z.number(),
  /** Each of those runs and what it did with the event. */
  runs: z.array(z.object({ workflowId: z.string(), use: EventUse })),
  /** Flows the event started for the contact. */
  started: z.array(EnrollResult),
  /**
   * Flows the event would start but whose trigger requires payload fields it lacks (the webhook
   * refuses such a delivery with 422); the event was still recorded and delivered.
   */
  notStarted: z.array(
    z.object({
      flowId: z.string(),
      problems: z.array(z.object({ path: z.string(), message: z.string() })),
    }),
  ),
});
export type EventOutcome = z.infer<typeof EventOutcome>;

/** One outcome for one event; `{ results }` in order for a list. */
export const EventsAnswer = z.union([EventOutcome, z.object({ results: z.array(EventOutcome) })]);
export type EventsAnswer = z.infer<typeof EventsAnswer>;
