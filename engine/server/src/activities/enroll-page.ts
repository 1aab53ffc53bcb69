import type { EnrollPageInput, EnrollPageResult } from '@sopflow/workflows';
import { ApplicationFailure } from '@temporalio/common';
import type { Database } from '../persistence';
import { EnrollError, type Enroller } from '../services/enroll';

/** Enrollments of one page in flight at once: enough to hide round trips, few enough not to crowd the server. */
const ENROLL_CONCURRENCY = 16;

/**
 * One page of a campaign: the next contacts of its audience in id order, each enrolled. Postgres
 * finds them (the audience's condition is evaluated there). Enrolling is idempotent per contact,
 * so a retried page is safe; the page's numbers go to the campaign's record once.
 */
export async function enrollPage(
  store: Database,
  enroller: Enroller,
  input: EnrollPageInput,
  campaignId: string | undefined,
): Promise<EnrollPageResult> {
  const contacts = await store.contacts.page({
    after: input.after,
    audience: input.audience,
    limit: input.limit,
  });
  // Starts overlap: one after another, a page waits on Temporal's round trip once per contact.
  const results = await enroller
    .enrollStored(input.flowId, contacts, { concurrency: ENROLL_CONCURRENCY })
    .catch(async (error) => {
      // A paused, stopped or archived flow enrolls nobody: the campaign ends here, visibly.
      if (error instanceof EnrollError) {
        if (campaignId) await store.campaigns.markFailed(campaignId, error.message);
        throw ApplicationFailure.nonRetryable(error.message, error.code, { after: input.after });
      }
      throw error;
    });
  const enrolled = results.filter((r) => r.status === 'enrolled').length;
  const result = {
    last: contacts.length < input.limit ? null : contacts[contacts.length - 1]!.id,
    scanned: contacts.length,
    enrolled,
    skipped: contacts.length - enrolled,
  };
  if (campaignId) await store.campaigns.recordPage(campaignId, { after: input.after, ...result });
  return result;
}
