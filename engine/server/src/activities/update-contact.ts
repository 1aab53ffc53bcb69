import { applyContactUpdate } from '@sopflow/core';
import type { UpdateContactInput, UpdatedContact } from '@sopflow/workflows';
import type { ContactRepository } from '../persistence';
import type { ConnectorJobs } from '../services/connector-jobs';
import type { ContactChanges } from '../services/contact-changes';
import { permanentFailure } from './failures';

/**
 * Applies an update_contact step: the core's pure update on the locked contact, stored with its
 * ledger lines, then pushed to the contact's other running flows (the step's own run gets it as
 * the answer, with its revision). The idempotency key makes a retried call a no-op.
 */
export async function updateContact(
  contacts: ContactRepository,
  changes: ContactChanges,
  input: UpdateContactInput,
  connectorJobs?: Pick<ConnectorJobs, 'startForTagChanges'>,
): Promise<UpdatedContact> {
  const updated = await contacts.applyUpdate(
    input.contactId,
    input.idempotencyKey,
    { flowId: input.flowId, nodeId: input.nodeId, workflowId: input.workflowId },
    // The workflow's clock, not this machine's: check-in dates must match what a dry-run computes.
    (contact) =>
      applyContactUpdate(contact, input.update, { at: input.at, zone: input.zone, data: input.data }),
  );
  if (!updated) throw permanentFailure(`Contact "${input.contactId}" no longer exists.`);
  // Pushed before answering: a push that fails retries the activity, whose update is then a no-op.
  if (updated.changed) await changes.push([updated], input.workflowId);
  // The tag changes are noted in the update's transaction; this only hands them over sooner.
  if (updated.tagsNoted) await connectorJobs?.startForTagChanges([input.contactId]);
  return { ...updated.contact, revision: updated.revision };
}
