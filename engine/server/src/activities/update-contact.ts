import { applyContactUpdate, type Contact } from '@sopflow/core';
import type { UpdateContactInput } from '@sopflow/workflows';
import type { Sql } from 'postgres';
import { type ContactRow, contactFromRow } from '../store';
import { permanentFailure } from './failures';

/**
 * Applies an update_contact step in one transaction: lock the contact, run the engine's pure
 * update, store it with its ledger lines. The idempotency key makes a retried call a no-op.
 */
export async function updateContact(sql: Sql, input: UpdateContactInput): Promise<Contact> {
  return sql.begin(async (tx) => {
    const [row] = await tx<ContactRow[]>`select * from contacts where id = ${input.contactId} for update`;
    if (!row) throw permanentFailure(`Contact "${input.contactId}" no longer exists.`);
    const contact = contactFromRow(row);
    const fresh = await tx`
      insert into contact_updates (idempotency_key, contact_id) values (${input.idempotencyKey}, ${input.contactId})
      on conflict do nothing returning 1`;
    if (fresh.length === 0) return contact;

    // The workflow's clock, not this machine's: check-in dates must match what a dry-run computes.
    const result = applyContactUpdate(contact, input.update, {
      at: input.at,
      zone: input.zone,
      data: input.data,
    });
    const c = result.contact;
    await tx`
      update contacts set attributes = ${tx.json(c.attributes as never)}, tags = ${c.tags}, points = ${c.points},
        updated_at = now()
      where id = ${c.id}`;
    const origin = { flow_id: input.flowId, node_id: input.nodeId, workflow_id: input.workflowId };
    const lines = result.ledger.map((l) => ({
      contact_id: c.id,
      points: l.points,
      reason: l.reason,
      ...origin,
    }));
    if (result.referral) {
      const credited = await tx`
        update contacts set points = points + ${result.referral.points}, updated_at = now()
        where id = ${result.referral.contactId} returning id`;
      // A referrer sopflow has never seen earns nothing: there is nobody to credit yet.
      if (credited.length > 0 && result.referral.points !== 0) {
        lines.push({
          contact_id: result.referral.contactId,
          points: result.referral.points,
          reason: result.referral.reason,
          ...origin,
        });
      }
    }
    if (lines.length > 0) await tx`insert into points_ledger ${tx(lines)}`;
    return c;
  });
}
