import { createHash } from 'node:crypto';
import { MessageRequest, MessageSent } from '@sopflow/core/api';
import type { Context, Hono } from 'hono';
import { stringify } from 'safe-stable-stringify';
import type { MessageRefusal } from '../../services/messages';
import { doc } from '../docs';
import { type ApiContext, apiError, checkBody } from '../http';

/** Where kept answers of `POST /api/messages` live beside webhook deliveries' (one Idempotency-Key table). */
const ANSWER_SCOPE = 'api:messages';

/** The answer to a refused message: its status, a stable code, and the reason in English and Chinese. */
function refusalAnswer(c: Context, refusal: MessageRefusal, request: MessageRequest) {
  const at = (ms: number) => new Date(ms).toISOString();
  switch (refusal.code) {
    case 'contact_not_found': {
      const message = `There is no contact "${request.contactId}". / 没有联系人 "${request.contactId}"。`;
      return apiError(c, 422, refusal.code, message, [{ path: 'contactId', message }]);
    }
    case 'unknown_channel': {
      const message = `No connector delivers the channel "${request.channel}". / 没有连接器能发送渠道 "${request.channel}"。`;
      return apiError(c, 422, refusal.code, message, [{ path: 'channel', message }]);
    }
    case 'no_address': {
      const message =
        `The contact has no address the channel "${request.channel}" reaches (${refusal.kinds.join(', ')}). / ` +
        `该联系人没有渠道 "${request.channel}" 可用的地址（${refusal.kinds.join('、')}）。`;
      return apiError(c, 422, refusal.code, message, [{ path: 'channel', message }]);
    }
    case 'opted_out':
      return apiError(
        c,
        409,
        refusal.code,
        `The contact unsubscribed from ${request.channel}; no message is sent, transactional or not. / ` +
          `该联系人已退订 ${request.channel}，不发送任何消息（包括事务消息）。`,
      );
    case 'quiet_hours':
      return apiError(
        c,
        409,
        refusal.code,
        `It is within the contact's quiet hours until ${at(refusal.until)}; send then, or mark a message the contact needs now as transactional. / ` +
          `现在是该联系人的免打扰时段，至 ${at(refusal.until)} 结束；请届时再发，或将必须立即送达的消息标记为 transactional。`,
        { until: at(refusal.until) },
      );
    case 'capped':
      return apiError(
        c,
        409,
        refusal.code,
        `The contact reached the frequency cap until ${at(refusal.until)}. / 该联系人已达到发送频率上限，至 ${at(refusal.until)} 解除。`,
        { until: at(refusal.until) },
      );
    case 'send_failed':
      return apiError(
        c,
        422,
        refusal.code,
        `The message was not sent: ${refusal.message} / 消息未发送：${refusal.message}`,
      );
  }
}

/**
 * Transactional sends: one message to one contact. With an `Idempotency-Key`, the first final
 * answer is kept: the same key and body answer it again without sending, another body is a 422.
 */
export function registerMessageRoutes(app: Hono, ctx: ApiContext): void {
  app.post(
    '/api/messages',
    doc({
      summary: 'Send one message to one contact on a channel',
      description:
        "Through the channel's connector, with the opt-outs, frequency cap and quiet hours of API messages " +
        '(`transactional: true` skips the cap and quiet hours, never an opt-out). Send an `Idempotency-Key` header ' +
        'to retry safely: the same key and body answer the first answer again, with `idempotent-replayed: true`.',
      tags: ['messages'],
      access: 'operator',
      body: MessageRequest,
      responses: {
        200: { description: 'Sent (or sent before under the key).', schema: MessageSent },
        400: 'An Idempotency-Key longer than 200 characters.',
        409: 'Opted out, in quiet hours or capped (with `until`).',
        422: 'Invalid, an unknown contact or channel (named in `details`), or the key reused with another body.',
      },
    }),
    async (c) => {
      const key = c.req.header('idempotency-key')?.trim();
      if (key !== undefined && (key.length === 0 || key.length > 200))
        return apiError(
          c,
          400,
          'invalid_idempotency_key',
          'An Idempotency-Key is 1 to 200 characters. / Idempotency-Key 须为 1 到 200 个字符。',
        );
      const parsed = await checkBody(
        c,
        MessageRequest,
        'The message is not valid. / 消息无效。',
        'invalid_message',
      );
      if (!parsed.ok) return parsed.response;
      const { webhookAnswers } = ctx.options.store;
      const bodyHash = createHash('sha256')
        .update(stringify(parsed.data) ?? '')
        .digest('hex');
      if (key) {
        const seen = await webhookAnswers.find(ANSWER_SCOPE, key);
        if (seen && seen.bodyHash !== bodyHash)
          return apiError(
            c,
            422,
            'idempotency_key_reused',
            `The Idempotency-Key "${key}" was used before for another message; use a new key for a new message. / ` +
              `Idempotency-Key "${key}" 已用于另一条消息；新消息请使用新的 key。`,
          );
        if (seen) {
          c.header('idempotent-replayed', 'true');
          return c.json(seen.response as object, seen.status as 200);
        }
      }
      const outcome = await ctx.options.messages.send(parsed.data, key);
      const answer = outcome.ok ? c.json(outcome.sent, 200) : refusalAnswer(c, outcome.refusal, parsed.data);
      // Only answers that stay true are kept: sent, or a contact or channel that does not exist
      // now may exist on a retry, and quiet hours and caps end.
      if (key && outcome.ok)
        await webhookAnswers.keep(ANSWER_SCOPE, key, { status: 200, response: outcome.sent, bodyHash });
      return answer;
    },
  );
}
