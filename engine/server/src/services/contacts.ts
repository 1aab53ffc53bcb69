import type { Contact } from '@sopflow/core';
import type { ContactPatch } from '@sopflow/core/api';
import type { ContactQuery, ContactRepository, SaveOptions, SaveResult } from '../persistence/contacts';
import type { FlowRepository } from '../persistence/flows';
import type { TemporalGateway } from '../temporal/gateway';
import type { ConnectorJobs } from './connector-jobs';
import type { ContactChanges } from './contact-changes';

/**
 * Contacts as other systems and operators manage them: upserted by their external id (the
 * contact id), listed and searched, imported in bulk, and read back with their whole history.
 */

/** A change to a contact: the API contract's (`@sopflow/core/api`). */
export { ContactPatch } from '@sopflow/core/api';

export type { ContactQuery, SaveOptions, SaveResult } from '../persistence/contacts';

export class Contacts {
  constructor(
    private readonly contacts: ContactRepository,
    /** Where a run is seen in the Temporal UI. */
    private readonly runUrl: (workflowId: string, runId?: string) => string = () => '',
    /** For where running journeys wait now (Temporal visibility). */
    private readonly temporal?: TemporalGateway,
    /** Where changed contacts are pushed to their running flows. */
    private readonly changes?: ContactChanges,
    /** Hands contacts' tag changes to the providers that mark tags (WeCom), in the background. */
    private readonly connectorJobs?: Pick<ConnectorJobs, 'startForTagChanges'>,
    /** Names the flows and steps a history mentions. */
    private readonly flows?: Pick<FlowRepository, 'stepNames'>,
  ) {}

  /** Workflow id → the step each running journey of the contact waits at; empty when unknown. */
  private async waitingAt(contactId: string): Promise<Map<string, string>> {
    const at = new Map<string, string>();
    if (!this.temporal) return at;
    try {
      for await (const run of this.temporal.runs({ contactId, running: true }, 100)) {
        if (run.node) at.set(run.workflowId, run.node);
      }
    } catch {
      // Temporal unreachable: the history is still worth answering.
    }
    return at;
  }

  /**
   * Applies patches in one transaction: contacts that do not exist are created. Patches must
   * have distinct ids. Point changes are written to the ledger with `reason`. Contacts that
   * changed are pushed to their running flows once stored.
   */
  async save(
    patches: ContactPatch[],
    reason = 'set by the API',
    options: SaveOptions = {},
  ): Promise<SaveResult> {
    const saved = await this.contacts.save(patches, reason, options);
    await this.changes?.push(saved.changed);
    await this.connectorJobs?.startForTagChanges(saved.tagsNoted);
    return saved;
  }

  /** Opts the contact out of a channel, and tells its running flows. */
  async optOut(contactId: string, channel: string): Promise<void> {
    const changed = await this.contacts.unsubscribe(contactId, channel);
    if (changed) await this.changes?.push([changed]);
  }

  /** Opts the contact back in to a channel, and tells its running flows. */
  async optIn(contactId: string, channel: string): Promise<void> {
    const changed = await this.contacts.resubscribe(contactId, channel);
    if (changed) await this.changes?.push([changed]);
  }

  list(query: ContactQuery): Promise<{ contacts: Contact[]; next: string | null }> {
    return this.contacts.list(query);
  }

  /** The contact and its journey: enrollments (with where running ones wait now), steps, deliveries, events and points. */
  async history(id: string, limit = 200) {
    const [records, waiting] = await Promise.all([this.contacts.history(id, limit), this.waitingAt(id)]);
    if (!records) return undefined;
    const versions = new Map<string, { flowId: string; version: number }>();
    for (const { flowId, version } of [...records.enrollments, ...records.journey, ...records.deliveries])
      versions.set(`${version}:${flowId}`, { flowId, version });
    for (const { flowId, finalVersion } of records.enrollments)
      if (finalVersion !== null) versions.set(`${finalVersion}:${flowId}`, { flowId, version: finalVersion });
    return {
      ...records,
      flows: (await this.flows?.stepNames([...versions.values()])) ?? {},
      enrollments: records.enrollments.map((e) => ({
        ...e,
        status: e.finishedAt ? 'finished' : 'running',
        ...(e.finishedAt ? {} : { waitingAt: waiting.get(e.workflowId) ?? null }),
        temporalUrl: this.runUrl(e.workflowId, e.runId),
      })),
    };
  }
}
