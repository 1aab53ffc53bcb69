import { z } from 'zod';
import { defineConnector } from '../connector';

/**
 * Records every message in the outbox instead of sending it through a provider, so flows run with no
 * credentials at all (local use, demos, tests). The unique idempotency key makes a retried
 * send after a crash a no-op.
 */
export const outboxConnector = defineConnector({
  name: 'outbox',
  description: {
    en: 'Records messages in Postgres instead of sending them.',
    zh: '将消息记录在 Postgres 中，不实际发送。',
  },
  channels: ['wechat', 'wechat_group', 'wechat_oa', 'email', 'sms'],
  configSchema: z.object({}).strict(),
  create: (_config, { storage }) => ({
    // The unique idempotency key drops every repeat, however late.
    dedupWindowMs: Number.POSITIVE_INFINITY,
    async send(message) {
      const row = await storage.recordOutbox(message);
      return row ? { status: 'sent', providerMessageId: `outbox:${row.id}` } : { status: 'duplicate' };
    },
  }),
});
