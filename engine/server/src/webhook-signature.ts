import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Webhook requests are signed like Stripe's: `X-Sopflow-Signature: t=<unix seconds>,v1=<hex>`
 * where v1 = HMAC-SHA256(secret, "<t>.<raw body>"). The timestamp bounds replays.
 */
export const SIGNATURE_HEADER = 'x-sopflow-signature';

/** How old a signed request may be. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64url')}`;
}

function hmac(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The header value for a body, as a sender computes it. */
export function signWebhook(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return `t=${timestamp},v1=${hmac(secret, timestamp, body)}`;
}

/** A valid signature gives its `v1`: a delivery seen before carries the same one (see replays). */
export type SignatureCheck = { ok: true; signature: string } | { ok: false; reason: string };

export function verifyWebhookSignature(
  secret: string,
  body: string,
  header: string | undefined,
  now = Math.floor(Date.now() / 1000),
): SignatureCheck {
  if (!header) return { ok: false, reason: `The ${SIGNATURE_HEADER} header is missing.` };
  const parts = new Map(
    header.split(',').map((part) => {
      const at = part.indexOf('=');
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
    }),
  );
  const timestamp = Number(parts.get('t'));
  const given = parts.get('v1') ?? '';
  if (!Number.isInteger(timestamp) || !/^[0-9a-f]{64}$/.test(given)) {
    return { ok: false, reason: `The ${SIGNATURE_HEADER} header is not of the form t=<seconds>,v1=<hex>.` };
  }
  if (Math.abs(now - timestamp) > SIGNATURE_TOLERANCE_SECONDS) {
    return { ok: false, reason: 'The signature timestamp is too old or in the future.' };
  }
  const expected = Buffer.from(hmac(secret, timestamp, body), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(given, 'hex')))
    return { ok: false, reason: 'The signature does not match.' };
  return { ok: true, signature: given };
}
