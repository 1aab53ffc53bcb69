import {
  type Contact,
  CUSTOMER_ADDED_EVENT,
  customerAddedMatches,
  evaluateCondition,
  flowContactView,
  type Plan,
  payloadProblems,
  triggerPayload,
} from '@sopflow/core';
import type { EventOutcome, EventUse, PostedEvent } from '@sopflow/core/api';
import type { Database } from '../persistence';
import type { TemporalGateway } from '../temporal/gateway';
import type { Enroller, EnrollResult } from './enroll';

export type { EventOutcome } from '@sopflow/core/api';
export { PostedEvent } from '@sopflow/core/api';

/**
 * Takes an event for a contact: records it, delivers it as a signal to every flow the contact
 * is in (a flow waiting for it moves on; a goal converts), and starts flows whose trigger it is.
 */
export class EventRouter {
  constructor(
    private readonly store: Database,
    private readonly temporal: TemporalGateway,
    private readonly enroller: Enroller,
  ) {}

  /** The live flows an event starts for the contact: its name is their trigger, their filter matches. */
  private async triggered(event: PostedEvent, contact: Partial<Contact>): Promise<Plan[]> {
    return (await this.store.flows.livePlans()).filter((plan) => {
      const node = plan.nodes[plan.entry];
      if (node?.type !== 'trigger') return false;
      const { trigger } = node;
      if (trigger.kind === 'customer_added')
        return event.name === CUSTOMER_ADDED_EVENT && customerAddedMatches(trigger, event.payload);
      return (
        trigger.kind === 'event' &&
        trigger.event === event.name &&
        (!trigger.filter || evaluateCondition(trigger.filter, { payload: event.payload, contact }))
      );
    });
  }

  async post(event: PostedEvent): Promise<EventOutcome> {
    const { id, duplicate } = await this.store.events.record({
      eventId: event.id,
      contactId: event.contactId,
      name: event.name,
      payload: event.payload,
    });
    if (duplicate)
      return { status: 'duplicate', use: 'ignored', delivered: 0, runs: [], started: [], notStarted: [] };
    // Filters read the contact as flows do: its addresses as contact.<kind> too.
    // Only makes sure the contact exists: it changes nothing a running flow reads.
    const stored = await this.store.contacts.ensure(event.contactId);
    const contact = flowContactView(stored.contact);

    // All of the contact's runs at once: a run that cannot answer costs the answer's deadline
    // once, not once per run.
    const workflowIds = await this.store.enrollments.workflowsOfContact(event.contactId);
    const uses = await Promise.all(
      workflowIds.map((workflowId) =>
        // The record's id: a post retried after a crash before it was marked processed counts once.
        this.temporal.deliverEvent(workflowId, {
          name: event.name,
          payload: event.payload,
          id: `event-${id}`,
        }),
      ),
    );
    // A finished run takes no events (no answer); that is the usual case, not an error.
    const runs: EventOutcome['runs'] = workflowIds.flatMap((workflowId, i) => {
      const use = uses[i];
      return use ? [{ workflowId, use }] : [];
    });

    const started: EnrollResult[] = [];
    const notStarted: EventOutcome['notStarted'] = [];
    for (const plan of await this.triggered(event, contact)) {
      // The webhook checks the same: a flow starts only with the payload fields its trigger requires.
      // The event itself is still taken (running flows may wait for it); only this start is refused.
      const trigger = plan.nodes[plan.entry];
      const problems =
        trigger?.type === 'trigger'
          ? payloadProblems(triggerPayload(trigger.trigger), event.payload, 'payload')
          : [];
      if (problems.length > 0) notStarted.push({ flowId: plan.flowId, problems });
      else started.push(await this.enroller.enrollInLive(plan, stored, event.payload));
    }
    await this.store.events.markProcessed(id);
    const answered = new Set<EventUse>(runs.map((r) => r.use));
    if (started.length > 0) answered.add('used');
    return {
      status: 'recorded',
      use: EVENT_USES_STRONGEST_FIRST.find((use) => answered.has(use)) ?? 'ignored',
      delivered: runs.length,
      runs,
      started,
      notStarted,
    };
  }
}

const EVENT_USES_STRONGEST_FIRST: readonly EventUse[] = ['used', 'kept', 'pending', 'ignored'];
