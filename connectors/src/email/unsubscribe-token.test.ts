import { describe, expect, it } from 'vitest';
import { createUnsubscribeToken, verifyUnsubscribeToken } from './unsubscribe-token';

const secret = 'unsubscribe-secret-0123456789';

/** Flips one character of a base64url string to another valid one. */
function flip(s: string, at: number): string {
  const c = s[at]!;
  return s.slice(0, at) + (c === 'A' ? 'B' : 'A') + s.slice(at + 1);
}

describe('unsubscribe tokens', () => {
  it('round-trips the contact and channel, URL-safe', () => {
    const token = createUnsubscribeToken(secret, { contactId: 'c_42', channel: 'email' });
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(encodeURIComponent(token)).toBe(token);
    expect(verifyUnsubscribeToken(secret, token)).toEqual({ ok: true, contactId: 'c_42', channel: 'email' });
  });

  it('rejects a token signed with another secret', () => {
    const token = createUnsubscribeToken('another-secret-0123456789', {
      contactId: 'c_42',
      channel: 'email',
    });
    expect(verifyUnsubscribeToken(secret, token)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it('rejects a tampered payload or signature', () => {
    const token = createUnsubscribeToken(secret, { contactId: 'c_42', channel: 'email' });
    const [payload, signature] = token.split('.') as [string, string];

    // Another contact's payload under this token's signature.
    const other = createUnsubscribeToken(secret, { contactId: 'c_43', channel: 'email' }).split('.')[0];
    expect(verifyUnsubscribeToken(secret, `${other}.${signature}`)).toMatchObject({
      reason: 'bad-signature',
    });
    // Another channel, forged by hand.
    const forged = Buffer.from(JSON.stringify({ v: 1, c: 'c_42', ch: 'sms' })).toString('base64url');
    expect(verifyUnsubscribeToken(secret, `${forged}.${signature}`)).toMatchObject({
      reason: 'bad-signature',
    });
    expect(verifyUnsubscribeToken(secret, `${flip(payload, 3)}.${signature}`)).toMatchObject({
      reason: 'bad-signature',
    });
    expect(verifyUnsubscribeToken(secret, `${payload}.${flip(signature, 10)}`)).toMatchObject({
      reason: 'bad-signature',
    });
  });

  it('rejects malformed tokens', () => {
    for (const token of ['', 'abc', 'a.b.c', 'not base64!.x', `abc.${'A'.repeat(42)}`]) {
      expect(verifyUnsubscribeToken(secret, token)).toMatchObject({ ok: false, reason: 'malformed' });
    }
  });

  it('expires when asked to', () => {
    const now = Date.UTC(2026, 0, 1);
    const expiresAt = new Date(now + 60 * 86_400_000);
    const token = createUnsubscribeToken(secret, { contactId: 'c_42', channel: 'sms', expiresAt });
    expect(verifyUnsubscribeToken(secret, token, now)).toEqual({
      ok: true,
      contactId: 'c_42',
      channel: 'sms',
      expiresAt,
    });
    expect(verifyUnsubscribeToken(secret, token, expiresAt.getTime() - 1000)).toMatchObject({ ok: true });
    expect(verifyUnsubscribeToken(secret, token, expiresAt)).toMatchObject({ ok: false, reason: 'expired' });
    expect(verifyUnsubscribeToken(secret, token, new Date(now + 61 * 86_400_000))).toMatchObject({
      reason: 'expired',
    });
  });

  it('cannot be un-expired by editing the payload', () => {
    const token = createUnsubscribeToken(secret, { contactId: 'c_42', channel: 'email', expiresAt: 1000 });
    const signature = token.split('.')[1];
    const longer = Buffer.from(JSON.stringify({ v: 1, c: 'c_42', ch: 'email', e: 4_102_444_800 })).toString(
      'base64url',
    );
    expect(verifyUnsubscribeToken(secret, `${longer}.${signature}`)).toMatchObject({
      reason: 'bad-signature',
    });
  });

  it('accepts tokens made with an older secret during rotation', () => {
    const old = 'old-unsubscribe-secret-0123';
    const token = createUnsubscribeToken(old, { contactId: 'c_42', channel: 'email' });
    expect(verifyUnsubscribeToken([secret, old], token)).toMatchObject({ ok: true, contactId: 'c_42' });
    expect(verifyUnsubscribeToken([secret], token)).toMatchObject({ ok: false });
  });

  it('refuses a short secret', () => {
    expect(() => createUnsubscribeToken('short', { contactId: 'c', channel: 'email' })).toThrow(
      /16 characters/,
    );
    expect(() => verifyUnsubscribeToken('short', 'a.b')).toThrow(/16 characters/);
  });
});
