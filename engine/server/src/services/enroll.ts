import { type Contact, type ContactInput, type Plan, parseDuration } from '@sopflow/core';
import { type ContactFlowInput, contactFlowWorkflowId } from '@sopflow/workflows';
import type { Database } from '../persistence';
import type { ContactRevision } from '../persistence/contacts';
import type { TemporalGateway } from '../temporal/gateway';
import { ContactChanges } from './contact-changes';

export type EnrollResult =
  | { status: 'enrolled'; workflowId: string; runId: string; version: number }
  | { status: 'already-enrolled'; workflowId: string }
  | { status: 'not-eligible'; workflowId: string; reason: string };

export class EnrollError extends Error {
  override readonly name = 'EnrollError';
  constructor(
    readonly code: 'flow_not_found' | 'flow_not_live',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Starts one contact's run of a flow's latest published version. The workflow id is derived
 * from flow and contact, so a duplicate trigger while the contact is in the flow enrolls nobody;
 * the flow's re-entry rule decides whether a contact who finished may come in again.
 * Resolves only once Temporal has durably recorded the start.
 */
export class Enroller {
  constructor(
    private readonly store: Database,
    private readonly temporal: TemporalGateway,
    /** Where a contact the enrollment changed is pushed to its running flows. */
    private readonly contactChanges = new ContactChanges(store, temporal),
  ) {}

  async enroll(
    flowId: string,
    contactInput: ContactInput,
    event: Record<string, unknown>,
  ): Promise<EnrollResult> {
    const published = await this.liveVersion(flowId);
    const written = await this.store.contacts.upsert(contactInput);
    // The contact's other flows (and this one, when it is in it already) read it as it is now.
    if (written.changed) await this.contactChanges.push([written]);
    return this.start(flowId, published, written.contact, event, written.revision);
  }

  /**
   * Enrolls a stored contact (as read with its revision) into a plan read live just now: an event
   * that starts flows has read both, and nothing about the contact changes here.
   */
  enrollInLive(plan: Plan, stored: ContactRevision, event: Record<string, unknown>): Promise<EnrollResult> {
    return this.start(plan.flowId, { version: plan.version, plan }, stored.contact, event, stored.revision);
  }

  /**
   * Enrolls contacts already stored (a campaign's page) with the flow read once, `concurrency`
   * starts in flight at a time; a flow paused meanwhile stops enrolling at the next page. Results
   * come in the contacts' order.
   */
  async enrollStored(
    flowId: string,
    contacts: readonly Contact[],
    options: { concurrency: number },
  ): Promise<EnrollResult[]> {
    const published = await this.liveVersion(flowId);
    const results: EnrollResult[] = new Array(contacts.length);
    let next = 0;
    let failed = false;
    const lane = async () => {
      // After one start fails the page fails (and is retried whole): the other lanes stop too.
      while (next < contacts.length && !failed) {
        const i = next++;
        try {
          results[i] = await this.start(flowId, published, contacts[i]!, {});
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(options.concurrency, contacts.length)) }, lane),
    );
    return results;
  }

  /** The published version a flow enrolls into now, or why it enrolls nobody. */
  private async liveVersion(flowId: string) {
    const flow = await this.store.flows.get(flowId);
    if (!flow || flow.status === 'archived')
      throw new EnrollError('flow_not_found', `There is no flow "${flowId}".`);
    if (flow.status !== 'live') {
      throw new EnrollError('flow_not_live', `Flow "${flowId}" is ${flow.status}: it enrolls nobody now.`);
    }
    const published = await this.store.flows.getVersion(flowId);
    if (!published) throw new EnrollError('flow_not_live', `Flow "${flowId}" has no published version.`);
    return published;
  }

  private async start(
    flowId: string,
    published: { version: number; plan: Plan },
    contact: Contact,
    event: Record<string, unknown>,
    /** The contact's stored revision, when read with it. */
    revision?: number,
  ): Promise<EnrollResult> {
    const workflowId = contactFlowWorkflowId(flowId, contact.id);
    const reentry = published.plan.settings.reentry;
    if (reentry.mode !== 'always') {
      const last = await this.store.enrollments.lastRunEnded(flowId, contact.id);
      const cooldown = reentry.mode === 'after' && reentry.after ? parseDuration(reentry.after) : undefined;
      const waitMs = cooldown?.ok ? cooldown.ms : Number.POSITIVE_INFINITY;
      if (last && Date.now() - last.getTime() < waitMs) {
        const reason =
          reentry.mode === 'never'
            ? 'The contact has been in this flow before, and it allows no re-entry.'
            : `The contact left this flow less than ${reentry.after} ago.`;
        return { status: 'not-eligible', workflowId, reason };
      }
    }

    const input: ContactFlowInput = {
      plan: published.plan,
      contact,
      ...(revision === undefined ? {} : { contactRevision: revision }),
      event,
    };
    const run = await this.temporal.startContactFlow(workflowId, input, {
      version: published.version,
      summary: `${published.plan.flowName} v${published.version} for ${contact.name ?? contact.id}`,
    });
    if (!run.started) return { status: 'already-enrolled', workflowId };
    await this.store.enrollments.record({
      workflowId,
      runId: run.runId,
      flowId,
      version: published.version,
      contactId: contact.id,
      // A channel code's state in the trigger's payload: stats count the run for that code.
      ...(typeof event.state === 'string' && event.state !== '' ? { channelState: event.state } : {}),
    });
    return { status: 'enrolled', workflowId, runId: run.runId, version: published.version };
  }
}
