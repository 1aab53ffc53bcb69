import { createHash } from 'node:crypto';
import { ProviderSendError } from './provider-errors';

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * One HTTP call with a deadline. A timeout or a network failure is `retryable`: the provider may or
 * may not have acted, and none of these providers' send APIs is idempotent, so the caller's retry can
 * (rarely) deliver twice; that is the documented trade-off of at-least-once delivery.
 */
export async function request(
  fetchImpl: typeof fetch,
  url: string,
  init: RequestInit,
  timeoutMs: number,
  provider: string,
): Promise<HttpAnswer> {
  let response: Response;
  try {
    response = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, headers: response.headers, text: await response.text() };
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new ProviderSendError('retryable', `${provider}: no answer within ${timeoutMs} ms.`);
    }
    const reason =
      error instanceof Error
        ? error.cause instanceof Error
          ? error.cause.message
          : error.message
        : String(error);
    throw new ProviderSendError('retryable', `${provider}: request failed (${reason}).`);
  }
}

/** One provider's calls: `request` with the connector's fetch (the global one by default), deadline and the provider's name in messages. */
export function providerRequests(fetchImpl: typeof fetch | undefined, timeoutMs: number, provider: string) {
  const call = (url: string, init: RequestInit) =>
    request(fetchImpl ?? fetch, url, init, timeoutMs, provider);
  return {
    get: (url: string) => call(url, { method: 'GET' }),
    post: (url: string, headers: Record<string, string>, body: string) =>
      call(url, { method: 'POST', headers, body }),
  };
}

/** Parses a JSON answer; a body that is not JSON is a passing fault (a proxy page, a cut-off body). */
export function parseJson<T>(answer: HttpAnswer, provider: string): T {
  try {
    return JSON.parse(answer.text) as T;
  } catch {
    throw new ProviderSendError(
      'retryable',
      `${provider}: HTTP ${answer.status} with a body that is not JSON.`,
      { providerCode: answer.status },
    );
  }
}

/**
 * The JSON answer of a provider's API. An HTTP 5xx is a passing fault (retryable, its status as the
 * provider code), unless `codesIn5xx` and the body is JSON: that provider names its own error
 * code there, for the caller to classify.
 */
export function jsonAnswer<T>(
  answer: HttpAnswer,
  provider: string,
  options: { codesIn5xx?: boolean } = {},
): T {
  if (answer.status >= 500 && !(options.codesIn5xx && answer.text.trim().startsWith('{')))
    throw new ProviderSendError('retryable', `${provider}: HTTP ${answer.status}.`, {
      providerCode: answer.status,
    });
  return parseJson<T>(answer, provider);
}

/** Logs a failed send (the provider's code and the kind of failure, never the message or address) and throws it. */
export function failSend(
  log: ((message: string, fields?: Record<string, unknown>) => void) | undefined,
  connector: string,
  error: ProviderSendError,
  fields: Record<string, unknown> = {},
): never {
  log?.(`${connector} send failed`, { code: error.details.providerCode, kind: error.kind, ...fields });
  throw error;
}

/** `Retry-After` in milliseconds (delta-seconds or an HTTP date), or undefined. */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const value = headers.get('retry-after');
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Digits and a leading `+` only: tolerates spaces, dashes and parentheses in stored numbers. */
export function normalizePhone(phone: string): string {
  return phone.replace(/[\s\-().]/g, '');
}

/** A short stable correlation id for a delivery (OutId, SessionContext, client_msg_id): 32 hex chars of SHA-256. */
export function correlationId(idempotencyKey: string): string {
  return createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32);
}
