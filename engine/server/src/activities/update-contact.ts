import { applyContactUpdate, type Contact } from '@sopflow/core';
import type { UpdateContactInput } from '@sopflow/workflows';
import type { ContactRepository } from '../persistence';
import { permanentFailure } from './failures';

/**
 * Applies an update_contact step: the core's pure update on the locked contact, stored with its
 * ledger lines. The idempotency key makes a retried call a no-op.
 */
export async function updateContact(
  contacts: ContactRepository,
  input: UpdateContactInput,
): Promise<Contact> {
  const updated = await contacts.applyUpdate(
    input.contactId,
    input.idempotencyKey,
    { flowId: input.flowId, nodeId: input.nodeId, workflowId: input.workflowId },
    // The workflow's clock, not this machine's: check-in dates must match what a dry-run computes.
    (contact) =>
      applyContactUpdate(contact, input.update, { at: input.at, zone: input.zone, data: input.data }),
  );
  if (!updated) throw permanentFailure(`Contact "${input.contactId}" no longer exists.`);
  return updated;
}
