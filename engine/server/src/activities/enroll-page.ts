import { evaluateCondition } from '@sopflow/core';
import type { EnrollPageInput, EnrollPageResult } from '@sopflow/workflows';
import { ApplicationFailure } from '@temporalio/common';
import { EnrollError, type Enroller } from '../enroll';
import { type ContactRow, contactFromRow, type Store } from '../store';

/** Enrollments of one page in flight at once: enough to hide round trips, few enough not to crowd the server. */
const ENROLL_CONCURRENCY = 16;

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
  const contacts = rows.map(contactFromRow);
  const matching = input.audience.where
    ? contacts.filter((contact) => evaluateCondition(input.audience.where!, { contact }))
    : contacts;
  // Starts overlap: one after another, a page waits on Temporal's round trip once per contact.
  const results = await enroller
    .enrollStored(input.flowId, matching, { concurrency: ENROLL_CONCURRENCY })
    .catch((error) => {
      // A paused, stopped or archived flow enrolls nobody: the campaign ends here, visibly.
      if (error instanceof EnrollError)
        throw ApplicationFailure.nonRetryable(error.message, error.code, { after: input.after });
      throw error;
    });
  const enrolled = results.filter((r) => r.status === 'enrolled').length;
  const skipped = contacts.length - enrolled;
  return {
    last: rows.length < input.limit ? null : rows[rows.length - 1]!.id,
    scanned: rows.length,
    enrolled,
    skipped,
  };
}
