import { describe, expect, it } from 'vitest';
import { SendError } from '../connector';
import { classifySmtpError, RATE_LIMIT_DEFAULTS_MS, retryAfterFromReply } from './smtp-errors';

/** An error shaped like nodemailer's for a server reply. */
function reply(response: string, command = 'RCPT TO', code = 'EENVELOPE') {
  const responseCode = Number(response.slice(0, 3));
  return Object.assign(new Error(`Can't send mail: ${response}`), { code, response, responseCode, command });
}

function kind(error: unknown) {
  const e = classifySmtpError(error);
  return { kind: e.kind, retryAfterMs: e.details.retryAfterMs };
}

describe('classifySmtpError', () => {
  it.each([
    ['421 4.4.2 Service not available, closing channel', 'retryable'],
    ['450 Mailbox busy', 'retryable'],
    ['451 4.3.0 Local error in processing', 'retryable'],
    ['451 4.3.0 Local error, try again later', 'retryable'],
    ['503 5.5.1 Bad sequence of commands', 'retryable'],
    ['550 5.1.1 User unknown', 'permanent'],
    ['553 5.1.3 Mailbox name not allowed', 'permanent'],
    ['554 5.7.1 Message rejected as spam', 'permanent'],
  ])('%s → %s', (response, expected) => {
    expect(kind(reply(response)).kind).toBe(expected);
  });

  it('marks a 5xx refusal of the recipient or the message as a bounce, and nothing retryable', () => {
    expect(classifySmtpError(reply('550 5.1.1 User unknown', 'RCPT TO')).details.bounced).toBe(true);
    expect(classifySmtpError(reply('554 5.7.1 Message rejected as spam', 'DATA')).details.bounced).toBe(true);
    expect(classifySmtpError(reply('451 4.3.0 Local error in processing')).details.bounced).toBeUndefined();
  });

  it('keeps a message that is too big permanent, whenever the server says so', () => {
    expect(kind(reply('552 5.3.4 Message size exceeds fixed limit', 'DATA', 'EMESSAGE')).kind).toBe(
      'permanent',
    );
    expect(kind(reply('552 5.3.4 Message size exceeds fixed limit')).kind).toBe('permanent');
  });

  it('reads storage replies as temporary: 452 always, 552 for a full mailbox or to RCPT (RFC 5321 4.5.3.1.10)', () => {
    expect(kind(reply('452 4.3.1 Insufficient system storage')).kind).toBe('retryable');
    expect(kind(reply('452 4.2.2 Mailbox full')).kind).toBe('retryable');
    expect(kind(reply('552 5.2.2 Quota exceeded', 'DATA', 'EMESSAGE')).kind).toBe('retryable');
    expect(kind(reply('552 Too many recipients')).kind).toBe('retryable');
  });

  it('reads slow-down replies as rate-limited with a sensible wait', () => {
    expect(kind(reply('421 4.7.0 Too many concurrent SMTP connections', 'CONN', 'ECONNECTION'))).toEqual({
      kind: 'rate-limited',
      retryAfterMs: RATE_LIMIT_DEFAULTS_MS.connections,
    });
    expect(kind(reply('450 4.7.1 Too many messages, slow down'))).toEqual({
      kind: 'rate-limited',
      retryAfterMs: RATE_LIMIT_DEFAULTS_MS.messages,
    });
    expect(
      kind(reply('450 4.2.1 The user you are trying to contact is receiving mail at a rate that prevents')),
    ).toEqual({ kind: 'rate-limited', retryAfterMs: RATE_LIMIT_DEFAULTS_MS.messages });
    expect(kind(reply('451 4.7.1 Greylisted, please try again later'))).toEqual({
      kind: 'rate-limited',
      retryAfterMs: RATE_LIMIT_DEFAULTS_MS.greylisting,
    });
    expect(kind(reply('451 4.7.1 Greylisted, retry in 90 seconds'))).toEqual({
      kind: 'rate-limited',
      retryAfterMs: 90_000,
    });
    // A sending quota of our account is a 5xx to SMTP but resets; it must not fail every contact for good.
    expect(kind(reply('550 5.4.5 Daily user sending quota exceeded', 'MAIL FROM'))).toEqual({
      kind: 'rate-limited',
      retryAfterMs: RATE_LIMIT_DEFAULTS_MS.quota,
    });
  });

  it('reads a refused login as a permanent configuration error, a temporary one as retryable', () => {
    const refused = classifySmtpError(
      reply('535 5.7.8 Authentication credentials invalid', 'AUTH PLAIN', 'EAUTH'),
    );
    expect(refused.kind).toBe('permanent');
    expect(refused.message).toMatch(/user and password/);
    // A refused login is ours to mend, not the recipient's side refusing the message.
    expect(refused.details.bounced).toBeUndefined();
    expect(kind(reply('454 4.7.0 Temporary authentication failure', 'AUTH PLAIN', 'EAUTH')).kind).toBe(
      'retryable',
    );
    expect(kind(Object.assign(new Error('Missing credentials for "PLAIN"'), { code: 'ENOAUTH' })).kind).toBe(
      'permanent',
    );
  });

  it('reads failures without a reply as retryable, except certificate and configuration errors', () => {
    const network = (code: string, message = code) => Object.assign(new Error(message), { code });
    expect(kind(network('ECONNECTION')).kind).toBe('retryable');
    expect(kind(network('ESOCKET', 'connect ECONNREFUSED 127.0.0.1:25')).kind).toBe('retryable');
    expect(kind(network('ETIMEDOUT')).kind).toBe('retryable');
    expect(kind(network('EDNS', 'getaddrinfo EAI_AGAIN smtp.example.com')).kind).toBe('retryable');
    expect(
      kind(network('ETLS', 'Client network socket disconnected before secure TLS connection')).kind,
    ).toBe('retryable');
    expect(kind(network('ETLS', 'self-signed certificate in certificate chain')).kind).toBe('permanent');
    expect(kind(network('EENVELOPE', 'No recipients defined')).kind).toBe('permanent');
    expect(kind(new Error('something odd')).kind).toBe('retryable');
  });

  it('passes a SendError through', () => {
    const error = new SendError('permanent', 'no');
    expect(classifySmtpError(error)).toBe(error);
  });
});

describe('retryAfterFromReply', () => {
  it.each([
    ['421 Try again in 5 minutes', 300_000],
    ['450 please retry after 120 seconds', 120_000],
    ['450 wait 30s', 30_000],
    ['421 try again in 2 hours', 7_200_000],
    ['421 too many connections', undefined],
  ])('%s → %s', (response, expected) => {
    expect(retryAfterFromReply(response)).toBe(expected);
  });
});
