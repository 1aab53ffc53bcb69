import { createHmac, timingSafeEqual } from 'node:crypto';

/** Twilio's webhook signatures (StatusCallback, inbound SMS): X-Twilio-Signature. */

export type TwilioParams = Record<string, string | readonly string[]>;

/**
 * `Base64(HMAC-SHA1(authToken, url + key1 + value1 + key2 + value2 ...))` with the POST parameters
 * sorted by name (a repeated name contributes each value, in sorted order). `url` is the full URL
 * Twilio requested, including its query string.
 */
export function computeTwilioSignature(authToken: string, url: string, params: TwilioParams = {}): string {
  let data = url;
  for (const key of Object.keys(params).sort()) {
    const value = params[key];
    const values = typeof value === 'string' ? [value] : [...(value ?? [])].sort();
    for (const v of values) data += key + v;
  }
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** The URL with its scheme's default port written out, and without it (Twilio may sign either). */
function portVariants(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [url];
  }
  const defaultPort = parsed.protocol === 'https:' ? '443' : parsed.protocol === 'http:' ? '80' : '';
  if (!defaultPort || (parsed.port && parsed.port !== defaultPort)) return [url];
  const authority = `${parsed.protocol}//${parsed.username ? `${parsed.username}${parsed.password ? `:${parsed.password}` : ''}@` : ''}`;
  const rest = `${parsed.pathname}${parsed.search}${parsed.hash}`;
  return [
    url,
    `${authority}${parsed.hostname}${rest}`,
    `${authority}${parsed.hostname}:${defaultPort}${rest}`,
  ];
}

/**
 * Checks `X-Twilio-Signature` on a form-encoded webhook (StatusCallback, inbound SMS). Pass every
 * received POST parameter (new ones appear without notice) and the URL exactly as configured in
 * Twilio (scheme, host, path, query), as seen from the outside, not the proxy's internal URL.
 */
export function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: TwilioParams,
  header: string | null | undefined,
): boolean {
  if (!header) return false;
  const given = Buffer.from(header, 'utf8');
  return portVariants(url).some((candidate) => {
    const expected = Buffer.from(computeTwilioSignature(authToken, candidate, params), 'utf8');
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}

/** The parameters of a form-encoded body, keeping repeated names as arrays. */
export function parseTwilioForm(body: string): TwilioParams {
  const params: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const existing = params[key];
    if (existing === undefined) params[key] = value;
    else params[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return params;
}
