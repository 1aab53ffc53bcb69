import { SendError } from '../connector';

/**
 * Maps a nodemailer failure to what the runtime should do with it. nodemailer errors carry
 * `code` (ECONNECTION, ETIMEDOUT, EAUTH, EENVELOPE, ...), and when the server answered,
 * `response` (the reply line), `responseCode` (its number) and `command` (what we had sent).
 *
 * The rules, in order:
 * 1. Authentication refused (EAUTH/ENOAUTH, 530/534/535/538): permanent, a configuration error
 *    that no retry mends; a 454 "temporary authentication failure" is retryable.
 * 2. Replies that ask us to slow down (421 "too many ...", any 4xx with enhanced status 4.7.x such
 *    as greylisting, 450 4.2.1 "receiving mail at a rate...", or a 5xx naming a sending quota):
 *    rate-limited, waiting as long as the reply says, or a default for its kind.
 * 3. Mailbox full (x.2.2 / 452 / 552 "exceeded storage allocation"): retryable. The recipient may
 *    make room, and RFC 5321 4.5.3.1.10 says a 552 to RCPT is to be read as 452. A 552 for a
 *    message that is too big (5.3.4) stays permanent.
 * 4. Other 4xx, and 503 (bad sequence, fixed by a new session): retryable. Other 5xx: permanent.
 * 5. No reply at all (connection refused or dropped, timeouts, DNS, TLS hiccups): retryable,
 *    except certificate errors, which are configuration.
 */

/** The fields nodemailer puts on its errors. */
interface SmtpErrorShape {
  message?: string;
  code?: string;
  originalCode?: string;
  response?: string;
  responseCode?: number;
  command?: string;
}

/** How long to wait when a rate-limit reply names no time. */
export const RATE_LIMIT_DEFAULTS_MS = {
  /** 421 too many connections / concurrent sessions: a connection frees up soon. */
  connections: 30_000,
  /** Too many messages or recipients per time window. */
  messages: 60_000,
  /** Greylisting: most greylisters accept a retry after 1 to 5 minutes. */
  greylisting: 300_000,
  /** A sending quota (daily or hourly) of the account. */
  quota: 3_600_000,
} as const;

const MAX_RETRY_AFTER_MS = 6 * 3_600_000;

function enhancedStatus(response: string): string | undefined {
  return /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(response)?.[1];
}

/** Reads "try again in 5 minutes", "retry after 120 seconds", "wait 30s" out of a reply. */
export function retryAfterFromReply(response: string): number | undefined {
  const match =
    /\b(?:in|after|wait(?:ing)?|for)\s+(\d{1,6})\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?)\b/i.exec(
      response,
    );
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = match[2]!.toLowerCase();
  const ms = unit.startsWith('h') ? 3_600_000 : unit.startsWith('m') ? 60_000 : 1000;
  return Math.min(Math.max(amount * ms, 1000), MAX_RETRY_AFTER_MS);
}

const TOO_MANY = /too many|\brate\b|throttl|slow down|limit exceeded|exceeded .*limit/i;
/** The sending account's own quota, as opposed to the recipient's mailbox quota. */
const QUOTA =
  /sending quota|sending limit|daily (?:user )?sending|(?:daily|hourly) (?:message )?(?:quota|limit)/i;
const MAILBOX_FULL =
  /mailbox (?:is )?full|over ?quota|mailbox.*quota|storage|insufficient (?:system )?space/i;
const CERTIFICATE = /cert|self[- ]signed|unable to verify|altname|hostname\/ip does not match/i;

function rateLimitWait(code: number, status: string | undefined, response: string): number | undefined {
  const stated = retryAfterFromReply(response);
  if (code >= 500) {
    // A 5xx is final for this message, except the account's own sending quota, which resets.
    if (QUOTA.test(response) && !MAILBOX_FULL.test(response) && status !== '5.2.2')
      return stated ?? RATE_LIMIT_DEFAULTS_MS.quota;
    return undefined;
  }
  if (/greylist/i.test(response)) return stated ?? RATE_LIMIT_DEFAULTS_MS.greylisting;
  if (code === 421 && /too many (?:connections|concurrent|sessions)|concurren/i.test(response))
    return stated ?? RATE_LIMIT_DEFAULTS_MS.connections;
  if (status === '4.2.2' || (MAILBOX_FULL.test(response) && !TOO_MANY.test(response))) return undefined;
  if (QUOTA.test(response)) return stated ?? RATE_LIMIT_DEFAULTS_MS.quota;
  if (status?.startsWith('4.7.') || status === '4.2.1' || TOO_MANY.test(response))
    return stated ?? RATE_LIMIT_DEFAULTS_MS.messages;
  return undefined;
}

function isSmtpErrorShape(error: unknown): error is SmtpErrorShape {
  return typeof error === 'object' && error !== null;
}

/** Turns whatever nodemailer threw into a classified SendError. */
export function classifySmtpError(error: unknown): SendError {
  if (error instanceof SendError) return error;
  const e: SmtpErrorShape = isSmtpErrorShape(error) ? error : { message: String(error) };
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const response = (e.response ?? '').trim();
  const detail = response || e.message || String(error);
  const providerCode = code ?? e.code;
  const details = providerCode === undefined ? {} : { providerCode };

  // 1. Authentication: a wrong user or password stays wrong.
  if (e.code === 'ENOAUTH')
    return new SendError(
      'permanent',
      'The SMTP server wants a login but the connector has no user and password configured. ' +
        'SMTP 服务器要求登录，但连接器未配置用户名和密码。',
      details,
    );
  if (e.code === 'EAUTH' || code === 530 || code === 534 || code === 535 || code === 538) {
    if (code !== undefined && code >= 400 && code < 500)
      return new SendError(
        'retryable',
        `The SMTP server could not check the login just now: ${detail}`,
        details,
      );
    return new SendError(
      'permanent',
      `SMTP authentication failed (${detail}): check the connector's user and password, and that the ` +
        `account may send through this server. SMTP 登录失败：请检查连接器的用户名和密码。`,
      details,
    );
  }

  if (code !== undefined && code >= 400 && code < 600) {
    const status = enhancedStatus(response);
    const where = e.command ? ` (after ${e.command.split(' ')[0]})` : '';

    // 2. Slow down.
    const wait = rateLimitWait(code, status, response);
    if (wait !== undefined)
      return new SendError('rate-limited', `The SMTP server asked us to slow down${where}: ${detail}`, {
        ...details,
        retryAfterMs: wait,
      });

    // 3. Mailbox full or storage: temporary, whatever the first digit says.
    const storage = status === '4.2.2' || status === '5.2.2' || MAILBOX_FULL.test(response);
    const tooBig = status === '5.3.4' || /\bsize\b|too (?:big|large)/i.test(response);
    const toRcpt = /^RCPT\b/i.test(e.command ?? '') || /too many recipients/i.test(response);
    if (code === 452 || (code === 552 && !tooBig && (storage || toRcpt)))
      return new SendError(
        'retryable',
        `The recipient's mailbox or the server is out of space${where}: ${detail}`,
        details,
      );

    // 4. Everything else by its first digit; 503 only says the session was in a bad state.
    if (code < 500 || code === 503)
      return new SendError('retryable', `The SMTP server deferred the message${where}: ${detail}`, details);
    return new SendError('permanent', `The SMTP server refused the message${where}: ${detail}`, {
      ...details,
      bounced: true,
    });
  }

  // 5. No usable reply.
  switch (e.code) {
    case 'ETLS':
      if (CERTIFICATE.test(`${e.message ?? ''} ${e.originalCode ?? ''}`))
        return new SendError(
          'permanent',
          `The SMTP server's TLS certificate was not accepted (${detail}): check the host name and the secure setting.`,
          details,
        );
      return new SendError('retryable', `The TLS handshake with the SMTP server failed: ${detail}`, details);
    case 'EENVELOPE':
      // Without a reply code this is our side refusing the envelope (no or a malformed address).
      return new SendError('permanent', `The message has no valid recipient: ${detail}`, details);
    case 'ECONFIG':
    case 'EREQUIRETLS':
      return new SendError('permanent', `The SMTP connector is misconfigured: ${detail}`, details);
    case 'EMESSAGE':
    case 'ESTREAM':
    case 'EFILEACCESS':
    case 'EURLACCESS':
      return new SendError('permanent', `The message could not be built: ${detail}`, details);
    case 'ETIMEDOUT':
    case 'EABORT':
      // The message may or may not have reached the server; the retry carries the same Message-ID.
      return new SendError('retryable', `The SMTP server did not answer in time: ${detail}`, details);
    default:
      // ECONNECTION, ESOCKET, EDNS, EPROTOCOL, EMAXLIMIT and anything unknown: a retry, on a new
      // connection, may well get through; the runtime's retry policy bounds the attempts.
      return new SendError('retryable', `Could not reach the SMTP server: ${detail}`, details);
  }
}
