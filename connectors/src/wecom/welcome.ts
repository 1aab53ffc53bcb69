import { type ConnectorRecords, type OutboundMessage, SendError } from '../connector';
import type { WeComClient } from './wecom-client';

/**
 * The new-friend welcome (好友欢迎语, `externalcontact/send_welcome_msg`, WeCom doc 92137/92599):
 * the add_external_contact callback carries a `WelcomeCode` (none when the admin console has a
 * welcome of its own for the staff member); the code may be used within 20 s of the callback and
 * once. When the welcome went out, a later call answers 41051; when another app is sending its
 * welcome at that moment, 41096 (it may still fail, so a retry is allowed).
 *
 * Once per code: a record per code on the connector's records notes an attempt before the call
 * and its outcome after, so a retry never sends twice. A retry after an attempt that got no answer
 * calls again: WeCom answers 41051 if the first one went out, which then counts as ours.
 */

/** How long WeCom takes a welcome code, from the add. */
export const WELCOME_CODE_LIFETIME_MS = 20_000;
/** Not called this close to the end: the call itself takes time, and clocks differ a little. */
const WELCOME_CALL_MARGIN_MS = 1_000;
const MAX_TEXT_BYTES = 4000;
const MAX_ATTACHMENTS = 9;
/** The welcome went out (to the first caller): later calls get this. */
export const WELCOME_ALREADY_SENT = 41051;
/** Another app is sending its welcome now; it may still fail, so WeCom says a retry is allowed. */
export const WELCOME_BEING_SENT = 41096;

export interface LinkAttachment {
  msgtype: 'link';
  link: { title: string; picurl?: string; desc?: string; url: string };
}

/** A message's link cards as WeCom attachments (mass messages and welcomes take the same shape). */
export function linkAttachments(message: OutboundMessage): LinkAttachment[] {
  const articles = message.articles ?? [];
  if (articles.length > MAX_ATTACHMENTS) {
    throw new SendError(
      'permanent',
      `A WeCom message carries at most ${MAX_ATTACHMENTS} attachments; this one has ${articles.length}.`,
    );
  }
  return articles.map((a) => ({
    msgtype: 'link',
    link: { title: a.title, picurl: a.picUrl, desc: a.description, url: a.url },
  }));
}

/** The body of `send_welcome_msg`. */
export function welcomeBody(code: string, message: OutboundMessage): Record<string, unknown> {
  const attachments = linkAttachments(message);
  if (!message.text && attachments.length === 0)
    throw new SendError('permanent', 'A WeCom welcome needs a text or an article.');
  const bytes = Buffer.byteLength(message.text, 'utf8');
  if (bytes > MAX_TEXT_BYTES) {
    throw new SendError(
      'permanent',
      `The text is ${bytes} bytes; a WeCom welcome takes at most ${MAX_TEXT_BYTES}.`,
      { providerCode: 45002 },
    );
  }
  return {
    welcome_code: code,
    ...(message.text ? { text: { content: message.text } } : {}),
    ...(attachments.length ? { attachments } : {}),
  };
}

interface WelcomeRecord {
  /** `calling`: an attempt is under way or got no answer; `free`: WeCom answered and did nothing. */
  state: 'calling' | 'free' | 'sent' | 'unusable';
  /** Why the code could not be used (`unusable`). */
  reason?: string;
}

/** What came of a welcome: sent (now, or by an earlier attempt), or why the code cannot be used. */
export type WelcomeOutcome = { sent: true; duplicate: boolean } | { sent: false; reason: string };

/**
 * Sends the welcome through the message's welcome code, once per code; throws a SendError when a
 * retry may still help (WeCom busy, rate-limited, another app sending), and answers `sent: false`
 * with the reason when the code cannot be used (none, expired, taken).
 */
export async function sendWelcome(
  client: WeComClient,
  records: ConnectorRecords,
  message: OutboundMessage,
  now: () => number,
): Promise<WelcomeOutcome> {
  const { code, addedAt } = message.welcome ?? {};
  if (!code) {
    return {
      sent: false,
      reason:
        'The add came without a welcome code: the WeCom admin console has a welcome of its own for this staff member.',
    };
  }
  const key = `welcome:${code}`;
  const record = await records.get<WelcomeRecord>(key);
  if (record?.value.state === 'sent') return { sent: true, duplicate: true };
  if (record?.value.state === 'unusable') return { sent: false, reason: record.value.reason ?? 'unusable' };
  const tried = record?.value.state === 'calling';
  const age = addedAt === undefined ? 0 : now() - addedAt;
  if (age > WELCOME_CODE_LIFETIME_MS - WELCOME_CALL_MARGIN_MS) {
    const reason = `The welcome code expired: the customer added the staff member ${(age / 1000).toFixed(1)} s ago, and WeCom takes it only within ${WELCOME_CODE_LIFETIME_MS / 1000} s.`;
    // An earlier attempt that got no answer may have sent it: not knowing, we send nothing more.
    if (tried) throw new SendError('permanent', `${reason} An earlier attempt got no answer.`);
    return unusable(records, key, record, reason);
  }
  if (!(await records.put(key, { state: 'calling' } satisfies WelcomeRecord, record?.version)))
    throw new SendError('retryable', 'Another attempt to send this WeCom welcome is under way.');
  const calling = { version: (record?.version ?? 0) + 1 };
  try {
    await client.post('/cgi-bin/externalcontact/send_welcome_msg', welcomeBody(code, message));
  } catch (error) {
    if (!(error instanceof SendError)) throw error;
    const errcode = error.details.providerCode;
    if (errcode === WELCOME_ALREADY_SENT && tried) {
      // Our earlier attempt went out; its answer was lost.
      await records.put(key, { state: 'sent' } satisfies WelcomeRecord, calling.version);
      return { sent: true, duplicate: true };
    }
    if (errcode === WELCOME_BEING_SENT) {
      throw new SendError(
        'retryable',
        `${error.message} (another app is sending its welcome)`,
        error.details,
      );
    }
    if (error.kind === 'rate-limited') {
      // WeCom answered without doing anything: a retry is a first attempt again.
      await records.put(key, { state: 'free' } satisfies WelcomeRecord, calling.version);
      throw error;
    }
    if (error.kind === 'permanent') {
      const reason =
        errcode === WELCOME_ALREADY_SENT
          ? `${error.message}: another app sent its welcome to this customer first.`
          : error.message;
      return unusable(records, key, calling, reason);
    }
    throw error;
  }
  await records.put(key, { state: 'sent' } satisfies WelcomeRecord, calling.version);
  return { sent: true, duplicate: false };
}

async function unusable(
  records: ConnectorRecords,
  key: string,
  record: { version: number } | undefined,
  reason: string,
): Promise<WelcomeOutcome> {
  await records.put(key, { state: 'unusable', reason } satisfies WelcomeRecord, record?.version);
  return { sent: false, reason };
}
