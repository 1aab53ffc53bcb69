import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Unsubscribe links carry a signed token instead of a database id, so the `/u/:token` endpoint needs
 * no session and no lookup table: `<payload>.<signature>`, both base64url, where the payload is a
 * small JSON object and the signature is HMAC-SHA256 over a fixed label and the payload. The label
 * keeps a token from ever matching another HMAC made with the same secret (webhook signatures).
 *
 * Tokens do not expire unless asked to: a link in an old email must keep working (CAN-SPAM wants an
 * opt-out to work for at least 30 days after sending; RFC 8058 receivers may POST to it much later).
 */

export interface UnsubscribeClaims {
  contactId: string;
  /** The sopflow channel to unsubscribe from (`email`, `sms`, ...). */
  channel: string;
  /** After this instant the token no longer verifies. @default never */
  expiresAt?: Date | number;
}

export type UnsubscribeTokenCheck =
  | { ok: true; contactId: string; channel: string; expiresAt?: Date }
  | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired'; message: string };

const LABEL = 'sopflow/unsubscribe/v1\n';

const Payload = z.object({
  v: z.literal(1),
  c: z.string().min(1),
  ch: z.string().min(1),
  /** Expiry in unix seconds. */
  e: z.number().int().optional(),
});

function sign(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret)
    .update(LABEL + payload)
    .digest();
}

function checkSecret(secret: string): void {
  if (secret.length < 16)
    throw new Error('The unsubscribe token secret must be at least 16 characters long.');
}

/** Makes the token for an unsubscribe link (`https://host/u/<token>`). */
export function createUnsubscribeToken(secret: string, claims: UnsubscribeClaims): string {
  checkSecret(secret);
  const payload: z.infer<typeof Payload> = { v: 1, c: claims.contactId, ch: claims.channel };
  if (claims.expiresAt !== undefined) {
    const ms = claims.expiresAt instanceof Date ? claims.expiresAt.getTime() : claims.expiresAt;
    if (!Number.isFinite(ms)) throw new Error('expiresAt is not a valid time.');
    payload.e = Math.ceil(ms / 1000);
  }
  const encoded = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  return `${encoded}.${sign(secret, encoded).toString('base64url')}`;
}

/**
 * Checks a token's signature and expiry and returns what it names. Pass several secrets to rotate:
 * sign with the first, keep accepting the old ones until the links made with them no longer matter.
 */
export function verifyUnsubscribeToken(
  secret: string | readonly string[],
  token: string,
  now: Date | number = Date.now(),
): UnsubscribeTokenCheck {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (secrets.length === 0) throw new Error('verifyUnsubscribeToken needs at least one secret.');
  for (const s of secrets) checkSecret(s);

  const malformed = {
    ok: false,
    reason: 'malformed',
    message: 'The unsubscribe link is malformed.',
  } as const;
  const parts = token.split('.');
  if (parts.length !== 2) return malformed;
  const [encoded, signature] = parts as [string, string];
  if (!/^[A-Za-z0-9_-]+$/.test(encoded) || !/^[A-Za-z0-9_-]{43}$/.test(signature)) return malformed;

  // Check the signature before reading the payload, so nothing unsigned is ever parsed.
  const given = Buffer.from(signature, 'base64url');
  const valid = secrets.some((s) => {
    const expected = sign(s, encoded);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!valid) return { ok: false, reason: 'bad-signature', message: 'The unsubscribe link is not valid.' };

  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    return malformed;
  }
  const parsed = Payload.safeParse(json);
  if (!parsed.success) return malformed;
  const { c: contactId, ch: channel, e } = parsed.data;
  if (e !== undefined) {
    const nowMs = now instanceof Date ? now.getTime() : now;
    if (nowMs >= e * 1000)
      return { ok: false, reason: 'expired', message: 'The unsubscribe link has expired.' };
    return { ok: true, contactId, channel, expiresAt: new Date(e * 1000) };
  }
  return { ok: true, contactId, channel };
}
