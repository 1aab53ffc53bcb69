import type { Database } from '../persistence';
import type { ContactRevision } from '../persistence/contacts';
import type { TemporalGateway } from '../temporal/gateway';

const PUSHES_IN_FLIGHT = 8;

/**
 * Tells running flows that their contact changed, so each step reads the contact as it is when
 * it runs. Pushed rather than read per step: a change costs each running run of the contact one
 * signal, and a run that waits for months with a contact nobody touches costs nothing.
 */
export class ContactChanges {
  constructor(
    private readonly store: Pick<Database, 'enrollments'>,
    private readonly temporal: Pick<TemporalGateway, 'pushContact'>,
  ) {}

  /**
   * Signals each running run of each changed contact, except `exceptWorkflowId` (the run whose
   * own step made the change: its step's answer carries the contact). Returns how many runs took
   * it; a run that had ended meanwhile is skipped.
   */
  async push(changed: readonly ContactRevision[], exceptWorkflowId?: string): Promise<number> {
    if (changed.length === 0) return 0;
    const byId = new Map(changed.map((c) => [c.contact.id, c]));
    const runs = (await this.store.enrollments.unfinishedOfContacts([...byId.keys()])).filter(
      (run) => run.workflowId !== exceptWorkflowId,
    );
    let pushed = 0;
    let next = 0;
    // An import changes contacts by the hundred: a few signals in flight at a time.
    const lane = async () => {
      while (next < runs.length) {
        const { contactId, workflowId } = runs[next++]!;
        const { contact, revision } = byId.get(contactId)!;
        if (await this.temporal.pushContact(workflowId, { contact, revision })) pushed++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(PUSHES_IN_FLIGHT, runs.length) }, lane));
    return pushed;
  }
}
