import { z } from 'zod';
import { MessageContent } from '../flow/fields';

/**
 * `POST /api/messages`: one message to one contact on a channel, through the same connectors and
 * the same delivery record as a flow's send step. An `Idempotency-Key` header makes a retry safe.
 */
export const MessageRequest = z.object({
  contactId: z
    .string({ error: 'contactId names the contact to send to. / contactId 须为收件联系人的 ID。' })
    .min(1, { error: 'contactId names the contact to send to. / contactId 须为收件联系人的 ID。' })
    .max(200, { error: 'contactId is at most 200 characters. / contactId 最多 200 个字符。' }),
  channel: z
    .string({
      error: 'channel names the channel to send on, such as sms. / channel 须为发送渠道，例如 sms。',
    })
    .min(1, {
      error: 'channel names the channel to send on, such as sms. / channel 须为发送渠道，例如 sms。',
    })
    .max(100, { error: 'channel is at most 100 characters. / channel 最多 100 个字符。' }),
  /** The message as a send step writes it; `{{ contact.* }}` and `{{ data.* }}` are filled in. */
  message: MessageContent,
  /** Template data, read as `{{ data.* }}` (and, as in a flow started by an event, `{{ event.* }}`). */
  data: z.record(z.string(), z.unknown()).optional(),
  /**
   * A message the contact asked for or needs (a login code, a receipt): it skips the frequency
   * cap and quiet hours, never an opt-out. @default false
   */
  transactional: z
    .boolean({ error: 'transactional is true or false. / transactional 只能是 true 或 false。' })
    .optional(),
});
export type MessageRequest = z.infer<typeof MessageRequest>;

/** The message went out (`sent`), or had before under the same key (`duplicate`). */
export const MessageSent = z.object({
  /** The delivery's id (its idempotency key), as `message.status_changed` webhooks name it. */
  messageId: z.string(),
  status: z.enum(['sent', 'duplicate', 'unconfirmed']),
  contactId: z.string(),
  channel: z.string(),
  transactional: z.boolean(),
  providerMessageId: z.string().optional(),
});
export type MessageSent = z.infer<typeof MessageSent>;
