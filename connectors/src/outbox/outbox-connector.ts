import { z } from 'zod';
import { defineConnector } from '../connector';

/**
 * Writes every message to the `outbox` table instead of a provider, so flows run with no
 * credentials at all (local use, demos, tests). The unique idempotency key makes a retried
 * send after a crash a no-op.
 */
export const outboxConnector = defineConnector({
  name: 'outbox',
  description: 'Records messages in Postgres instead of sending them.',
  channels: ['wechat', 'wechat_group', 'wechat_oa', 'email', 'sms'],
  configSchema: z.object({}).strict(),
  create: (_config, { sql }) => ({
    // The unique idempotency key drops every repeat, however late.
    dedupWindowMs: Number.POSITIVE_INFINITY,
    async send(message) {
      const rows = await sql<{ id: string }[]>`
        insert into outbox (idempotency_key, workflow_id, flow_id, flow_version, node_id, contact_id, channel, body)
        values (${message.idempotencyKey}, ${message.origin.workflowId}, ${message.origin.flowId},
                ${message.origin.flowVersion}, ${message.origin.nodeId}, ${message.to.id}, ${message.channel},
                ${message.subject ? `${message.subject}\n\n${message.text}` : message.text})
        on conflict (idempotency_key) do nothing
        returning id`;
      const row = rows[0];
      return row ? { status: 'sent', providerMessageId: `outbox:${row.id}` } : { status: 'duplicate' };
    },
  }),
});
