import { createHash } from 'node:crypto';
import { SendError } from '../connector';

/**
 * The WeCom (企业微信) server API: access tokens, the JSON envelope and what each errcode means
 * for a retry. Every WeCom answer is HTTP 200 with `errcode` (0 = ok) and `errmsg`; we branch on
 * `errcode` only, never on `errmsg`, whose text changes.
 */

export const DEFAULT_WECOM_BASE_URL = 'https://qyapi.weixin.qq.com';
export const DEFAULT_TIMEOUT_MS = 10_000;
/** How long before `expires_in` runs out a token is fetched again. */
export const DEFAULT_TOKEN_SAFETY_MARGIN_MS = 5 * 60_000;
/**
 * 45009 blocks for as long as the limit's window (a minute, an hour, a day...), and the answer does
 * not say which window it was: a minute is the common case, and Temporal's backoff grows from there.
 */
export const DEFAULT_RATE_LIMITED_RETRY_MS = 60_000;
/** 45033 is a concurrency limit (a few calls in flight at once): it lifts as soon as calls finish. */
const CONCURRENCY_RETRY_MS = 2_000;

export interface WeComEnvelope {
  errcode?: number;
  errmsg?: string;
}

export type WeComAnswer<T> = T & WeComEnvelope;

/** How a connector reaches WeCom; tests point `baseUrl` at a fake on loopback. */
export interface WeComHttpOptions {
  /** @default https://qyapi.weixin.qq.com */
  baseUrl?: string;
  /** One request, from sending to the last byte of the answer. @default 10000 */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** How long a 45009 answer blocks. @default 60000 */
  rateLimitedRetryMs?: number;
}

export interface WeComClientOptions extends WeComHttpOptions {
  corpId: string;
  /** The app's secret (or the customer-contact secret): each secret has its own token. */
  secret: string;
  /** @default 300000 */
  tokenSafetyMarginMs?: number;
  /** The clock used for token expiry. */
  now?: () => number;
}

const TOKEN_INVALID = new Set([40014, 42001]);
const RETRYABLE = new Map<number, string>([
  [-1, 'WeCom is busy'],
  [6000, 'WeCom reported a data version conflict'],
]);
/** Codes a retry cannot mend, with what to do about them. Unknown codes are permanent too. */
const PERMANENT = new Map<number, string>([
  [40001, 'WeCom rejected the secret: check the secret in the connector settings'],
  [40013, 'WeCom rejected the corp id: check the corp id in the connector settings'],
  [40091, 'WeCom rejected the secret: check the secret in the connector settings'],
  [40056, 'WeCom rejected the agent id: check the app agent id in the connector settings'],
  [41001, 'the access token is missing from the call'],
  [
    48002,
    'this app has no permission for this API: grant it in the WeCom admin console (or use the right secret)',
  ],
  [
    60020,
    "this server's IP is not in the app's trusted IPs: add the worker's egress IP in the WeCom admin console",
  ],
  [301002, 'the access token belongs to another app: use the secret of the app that owns this agent id'],
  [40003, 'the user id is invalid'],
  [40096, 'the external user id is invalid'],
  [41048, 'no customer can receive this message'],
  [81013, "the recipient is not a member, or is outside the app's visible range"],
  [45002, 'the content is too long'],
  [40068, 'the corp tag id is invalid (deleted, or not visible to this app): read the corp tag list again'],
  [40071, 'a corp tag of that name already exists in the group'],
  [84061, 'the customer is not (or no longer) a contact of this staff member'],
  [93000, 'the group robot webhook is invalid, or the robot was removed from the group'],
  [93004, 'the group robot is disabled'],
]);

/** Turns a non-zero errcode into the SendError the runtime maps to Temporal's retries. */
export function errcodeToSendError(
  api: string,
  errcode: number,
  errmsg: string | undefined,
  rateLimitedRetryMs = DEFAULT_RATE_LIMITED_RETRY_MS,
): SendError {
  const said = `${api}: ${errcode}${errmsg ? ` ${errmsg}` : ''}`;
  const details = { providerCode: errcode };
  const retryable = RETRYABLE.get(errcode);
  if (retryable) return new SendError('retryable', `WeCom ${said} (${retryable})`, details);
  if (errcode === 45009) {
    return new SendError('rate-limited', `WeCom ${said} (the API's call limit is reached)`, {
      ...details,
      retryAfterMs: rateLimitedRetryMs,
    });
  }
  if (errcode === 45033) {
    return new SendError('rate-limited', `WeCom ${said} (too many concurrent calls)`, {
      ...details,
      retryAfterMs: CONCURRENCY_RETRY_MS,
    });
  }
  if (TOKEN_INVALID.has(errcode)) {
    // Only reached when a freshly fetched token was refused too: odd, but a later try may pass.
    return new SendError('retryable', `WeCom ${said} (a freshly fetched access token was refused)`, details);
  }
  const meaning = PERMANENT.get(errcode);
  return new SendError(
    'permanent',
    meaning ? `WeCom ${said}: ${meaning}` : `WeCom ${said} (an error code sopflow does not retry)`,
    details,
  );
}

/**
 * One HTTP exchange with WeCom: times out, and turns transport faults into retryable SendErrors.
 * Callers branch on `errcode` of what it returns.
 */
export async function requestWeCom<T>(
  api: string,
  url: URL,
  init: { method: 'GET' | 'POST'; body?: unknown },
  options: WeComHttpOptions = {},
): Promise<WeComAnswer<T>> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  let text: string;
  try {
    response = await doFetch(url, {
      method: init.method,
      headers: init.body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    // A timeout after the request went out is ambiguous: WeCom may have acted on it.
    throw new SendError(
      'retryable',
      timedOut
        ? `WeCom ${api} did not answer within ${timeoutMs} ms`
        : `WeCom ${api} could not be reached: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (response.status === 429) {
    throw new SendError('rate-limited', `WeCom ${api} answered HTTP 429`, {
      providerCode: 429,
      retryAfterMs: options.rateLimitedRetryMs ?? DEFAULT_RATE_LIMITED_RETRY_MS,
    });
  }
  if (response.status >= 500 || response.status === 408) {
    throw new SendError('retryable', `WeCom ${api} answered HTTP ${response.status}`, {
      providerCode: response.status,
    });
  }
  if (response.status >= 400) {
    throw new SendError(
      'permanent',
      `WeCom ${api} answered HTTP ${response.status}: check the connector's base URL`,
      { providerCode: response.status },
    );
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object') return parsed as WeComAnswer<T>;
  } catch {
    // fall through
  }
  throw new SendError('retryable', `WeCom ${api} answered with something that is not a JSON object`);
}

interface TokenEntry {
  token?: string;
  expiresAt: number;
  refreshing?: Promise<string>;
}

/**
 * Tokens by (base URL, corp id, secret), shared by every client, and so by every send, of this
 * process. WeCom returns the same token while it is valid and rate-limits gettoken, so one fetch
 * serves all. The secret enters the key only as a hash.
 */
const tokens = new Map<string, TokenEntry>();

/** Forgets every cached token (tests). */
export function resetWeComTokenCache(): void {
  tokens.clear();
}

/**
 * Calls the WeCom server API for one app: fetches and caches the access token, refreshes it before
 * it expires and when WeCom says it is no longer valid (40014/42001: refresh, then retry once), and
 * classifies every errcode as a SendError.
 */
export class WeComClient {
  readonly baseUrl: string;
  private readonly key: string;
  private readonly now: () => number;

  constructor(private readonly options: WeComClientOptions) {
    this.baseUrl = (options.baseUrl ?? DEFAULT_WECOM_BASE_URL).replace(/\/+$/, '');
    this.now = options.now ?? Date.now;
    const secretHash = createHash('sha256').update(options.secret).digest('hex');
    this.key = `${this.baseUrl}\n${options.corpId}\n${secretHash}`;
  }

  /** The current token: the cached one, or one fetched now (concurrent callers share one fetch). */
  async accessToken(): Promise<string> {
    let entry = tokens.get(this.key);
    if (!entry) {
      entry = { expiresAt: 0 };
      tokens.set(this.key, entry);
    }
    if (entry.token && this.now() < entry.expiresAt) return entry.token;
    if (entry.refreshing) return entry.refreshing;
    const current = entry;
    current.refreshing = this.fetchToken()
      .then(({ token, expiresInMs }) => {
        const margin = Math.min(
          this.options.tokenSafetyMarginMs ?? DEFAULT_TOKEN_SAFETY_MARGIN_MS,
          expiresInMs / 2,
        );
        current.token = token;
        current.expiresAt = this.now() + expiresInMs - margin;
        return token;
      })
      .finally(() => {
        current.refreshing = undefined;
      });
    return current.refreshing;
  }

  /** Drops `stale` from the cache, unless another caller has already replaced it. */
  invalidateToken(stale: string): void {
    const entry = tokens.get(this.key);
    if (entry?.token === stale) {
      entry.token = undefined;
      entry.expiresAt = 0;
    }
  }

  /** POSTs JSON to an API that takes `?access_token=`, and returns the answer when errcode is 0. */
  post<T>(path: string, body: unknown, query: Record<string, string> = {}): Promise<WeComAnswer<T>> {
    return this.call<T>('POST', path, query, body);
  }

  get<T>(path: string, query: Record<string, string> = {}): Promise<WeComAnswer<T>> {
    return this.call<T>('GET', path, query, undefined);
  }

  private async call<T>(
    method: 'GET' | 'POST',
    path: string,
    query: Record<string, string>,
    body: unknown,
  ): Promise<WeComAnswer<T>> {
    const api = path.replace(/^\/cgi-bin\//, '');
    const once = (token: string) => {
      const url = new URL(`${this.baseUrl}${path}`);
      url.searchParams.set('access_token', token);
      for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
      return requestWeCom<T>(api, url, { method, body }, this.options);
    };
    const token = await this.accessToken();
    let answer = await once(token);
    if (answer.errcode !== undefined && TOKEN_INVALID.has(answer.errcode)) {
      // WeCom rejected the call before acting on it, so sending it again is safe.
      this.invalidateToken(token);
      answer = await once(await this.accessToken());
    }
    if (answer.errcode) {
      throw errcodeToSendError(api, answer.errcode, answer.errmsg, this.options.rateLimitedRetryMs);
    }
    return answer;
  }

  private async fetchToken(): Promise<{ token: string; expiresInMs: number }> {
    const url = new URL(`${this.baseUrl}/cgi-bin/gettoken`);
    url.searchParams.set('corpid', this.options.corpId);
    url.searchParams.set('corpsecret', this.options.secret);
    const answer = await requestWeCom<{ access_token?: string; expires_in?: number }>(
      'gettoken',
      url,
      { method: 'GET' },
      this.options,
    );
    if (answer.errcode) {
      throw errcodeToSendError('gettoken', answer.errcode, answer.errmsg, this.options.rateLimitedRetryMs);
    }
    if (!answer.access_token) {
      throw new SendError('retryable', 'WeCom gettoken answered without an access_token');
    }
    const expiresIn =
      typeof answer.expires_in === 'number' && answer.expires_in > 0 ? answer.expires_in : 7200;
    return { token: answer.access_token, expiresInMs: expiresIn * 1000 };
  }
}
