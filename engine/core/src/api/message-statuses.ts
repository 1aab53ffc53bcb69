import { z } from 'zod';

/**
 * What became of a message after its step sent it (the lifecycle of a delivery):
 * - `queued`: recorded, about to go to the provider;
 * - `sent`: the provider accepted it;
 * - `delivered`: the provider says it reached the person (an SMS delivery report, a WeCom mass
 *   message a staff member confirmed, an Official Account template the follower got);
 * - `read`: opened, where the channel reports it; `clicked`: a tracked link in it was followed;
 * - `failed`: it could not be handed over (a provider's failure report, or a failure after retries);
 * - `bounced`: the receiving side refused it for good (an email bounce, SMTP 5xx);
 * - `rejected`: the provider refused it when asked to send (a bad number, an unapproved template);
 * - `suppressed`: not sent, for the reason in `code` (`opted-out`: the provider says the person refused the channel).
 *
 * A message only moves forward: queued → sent → delivered → read → clicked, and a late report of
 * an earlier status does not move it back. A failure (failed, bounced, rejected, suppressed) ends
 * it, keeping the provider's code; one reported after it was read or clicked is kept in its history only.
 */
export const MessageStatus = z.enum([
  'queued',
  'sent',
  'delivered',
  'read',
  'clicked',
  'failed',
  'bounced',
  'rejected',
  'suppressed',
]);
export type MessageStatus = z.infer<typeof MessageStatus>;

/** One status of a message, with its time and what the provider said. */
export const MessageStatusEntry = z.object({
  status: MessageStatus,
  /** When it happened, as the provider reports it where it does (ISO-8601). */
  at: z.string(),
  /** The provider's code (`DELIVRD`, Twilio's `30003`, an SMTP reply `550 5.1.1`), or a suppression's reason. */
  code: z.string().nullable(),
  /** The provider's words for it. */
  detail: z.string().nullable(),
});
export type MessageStatusEntry = z.infer<typeof MessageStatusEntry>;

/** Messages counted by where each stands now (a status with none is left out). */
export const MessageStatusCounts = z.partialRecord(MessageStatus, z.number());
export type MessageStatusCounts = z.infer<typeof MessageStatusCounts>;
