import type { ContactErasure as ErasureAnswer } from '@sopflow/core/api';
import type { Database } from '../persistence';
import type { Principal } from '../persistence/accounts';
import type { RunSummary, TemporalGateway } from '../temporal/gateway';

/** Recorded in each terminated run's history: names no one. */
const TERMINATE_REASON = 'contact erased';

/**
 * Erasing a contact (PIPL / GDPR): its runs end and their histories are deleted from Temporal,
 * its data leaves every table (ErasureRepository.erase), and a tombstone refuses the id from then on.
 * The audit log keeps that it happened (who, when, the reference, counts), never the id.
 */
export class ContactErasure {
  constructor(
    private readonly store: Pick<Database, 'contacts' | 'erasures' | 'accounts'>,
    private readonly temporal: Pick<TemporalGateway, 'runs' | 'terminateRun' | 'deleteRun'>,
  ) {}

  /** Erases the contact (again, when it was erased before); undefined when there is no such contact nor erasure. */
  async erase(contactId: string, by: Principal | undefined): Promise<ErasureAnswer | undefined> {
    const { erasures } = this.store;
    // An id erased before is swept again: a send in flight at the first erasure may have written since.
    const known =
      (await this.store.contacts.get(contactId)) !== undefined ||
      (await erasures.erasedOf([contactId])).length > 0;
    if (!known) return undefined;
    // First, so that a webhook or import racing the erasure is refused rather than re-creating the contact.
    const reference = await erasures.markErased(contactId);

    // Visibility may not list a run started a moment ago: Postgres's enrollments name it too.
    const listed: RunSummary[] = [];
    for await (const run of this.temporal.runs({ contactId })) listed.push(run);
    const workflowIds = [
      ...new Set([...(await erasures.workflowsOf(contactId)), ...listed.map((r) => r.workflowId)]),
    ];

    // A contact has at most one running run per workflow id: its latest.
    let ended = 0;
    for (const workflowId of workflowIds)
      if (await this.temporal.terminateRun(workflowId, undefined, TERMINATE_REASON)) ended++;
    let deleted = 0;
    const unlisted = workflowIds.filter((id) => !listed.some((r) => r.workflowId === id));
    for (const run of [...listed, ...unlisted.map((workflowId) => ({ workflowId, runId: undefined }))])
      if (await this.temporal.deleteRun(run.workflowId, run.runId)) deleted++;

    const removed = await erasures.erase(contactId, workflowIds);
    const answer: ErasureAnswer = {
      erased: true,
      reference,
      runs: { ended, historiesDeleted: deleted },
      removed,
    };
    await this.store.accounts.audit({
      principal: by,
      action: 'DELETE /api/contacts/:id',
      target: `/api/contacts/erased:${reference}`,
      status: 200,
      details: { runs: answer.runs, removed },
    });
    return answer;
  }

  /** Lets an erased id be created again (an admin's deliberate act); false when it was not erased. */
  async lift(contactId: string, by: Principal | undefined): Promise<boolean> {
    const lifted = await this.store.erasures.lift(contactId);
    if (lifted)
      await this.store.accounts.audit({
        principal: by,
        action: 'DELETE /api/contacts/:id/erasure',
        target: `/api/contacts/erased:${this.store.erasures.refOf(contactId)}`,
        status: 200,
      });
    return lifted;
  }
}
