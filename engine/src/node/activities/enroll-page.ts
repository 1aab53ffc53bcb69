import type { EnrollPageInput, EnrollPageResult } from '@sopflow/workflows';
import { ApplicationFailure } from '@temporalio/common';
import { evaluateCondition } from '../../index';
import { EnrollError, type Enroller } from '../enroll';
import { type ContactRow, contactFromRow, type Store } from '../store';

/**
 * One page of a campaign: the next contacts in id order (or of the given list), each enrolled
 * when it matches the audience. Enrolling is idempotent per contact, so a retried page is safe.
 */
export async function enrollPage(
  store: Store,
  enroller: Enroller,
  input: EnrollPageInput,
): Promise<EnrollPageResult> {
  const { sql } = store;
  const ids = input.audience.contactIds;
  const rows = await sql<ContactRow[]>`
    select * from contacts
    where true
    ${input.after === null ? sql`` : sql`and id > ${input.after}`}
    ${ids ? sql`and id = any(${ids})` : sql``}
    order by id limit ${input.limit}`;
  let enrolled = 0;
  let skipped = 0;
  for (const row of rows) {
    const contact = contactFromRow(row);
    if (input.audience.where && !evaluateCondition(input.audience.where, { contact })) {
      skipped++;
      continue;
    }
    const result = await enroller.enroll(input.flowId, { id: contact.id }, {}).catch((error) => {
      // A paused, stopped or archived flow enrolls nobody: the campaign ends here, visibly.
      if (error instanceof EnrollError)
        throw ApplicationFailure.nonRetryable(error.message, error.code, { after: input.after });
      throw error;
    });
    if (result.status === 'enrolled') enrolled++;
    else skipped++;
  }
  return {
    last: rows.length < input.limit ? null : rows[rows.length - 1]!.id,
    scanned: rows.length,
    enrolled,
    skipped,
  };
}
