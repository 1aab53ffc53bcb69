import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { type Accounts, type Principal, type Role, roleAllows, sameSecret } from '../persistence/accounts';
import { routeOf } from './docs';
import { apiError, storableText } from './http';
import type { RateLimiter } from './rate-limit';

/**
 * Who may do what. A request carries an API token (`Authorization: Bearer sft_...`) or the
 * builder's session cookie; a write made with the cookie must also carry the session's CSRF token
 * in the `x-csrf-token` header (the cookie is SameSite=Strict and httpOnly as well). Each route's
 * `doc` names the least role it needs: viewer (read), operator (edit, publish, run), admin
 * (connectors and channels, secrets, users, tokens, the audit log). Every write is audited.
 */

export const SESSION_COOKIE = 'sopflow_session';

/** The header a session's CSRF token goes in: the contract's, which the builder sends. */
import { CSRF_HEADER } from '@sopflow/core/api';

export { CSRF_HEADER };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface AuthOptions {
  accounts: Accounts;
  limiter: RateLimiter;
}

function unauthorized(c: Context, code: string, message: string) {
  c.header('www-authenticate', 'Bearer realm="sopflow"');
  return apiError(c, 401, code, message);
}

/** The caller's principal from a bearer token or session cookie, or the 401 to answer. */
async function identify(c: Context, accounts: Accounts): Promise<Principal | Response> {
  const authorization = c.req.header('authorization');
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    const principal = match ? await accounts.tokenPrincipal(match[1]!) : undefined;
    return principal ?? unauthorized(c, 'invalid_token', 'The API token is unknown, revoked or expired.');
  }
  const cookie = getCookie(c, SESSION_COOKIE);
  if (cookie) {
    const session = await accounts.session(cookie);
    if (session === 'expired' || session === undefined) {
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return session === 'expired'
        ? unauthorized(c, 'session_expired', 'The session has expired; log in again.')
        : unauthorized(c, 'invalid_session', 'The session is not valid; log in again.');
    }
    return session;
  }
  return unauthorized(
    c,
    'unauthenticated',
    'Log in, or send an API token as "Authorization: Bearer <token>".',
  );
}

/** The path with each erased contact id a refused request named (ContactErasedError) as `erased`. */
function withoutErased(target: string, c: Context): string {
  const erased = c.get('erasedContactIds') ?? [];
  return erased.reduce(
    (path, id) =>
      path
        .split(`/${encodeURIComponent(id)}`)
        .join('/erased')
        .split(`/${id}`)
        .join('/erased'),
    target,
  );
}

/** Authenticates, rate-limits, authorises and audits every `/api/*` request but public ones. */
export function authMiddleware({ accounts, limiter }: AuthOptions): MiddlewareHandler {
  return async (c, next) => {
    const route = routeOf(c);
    const apiRoute = route?.path.startsWith('/api/') ? route : undefined;
    if (apiRoute?.meta?.access === 'public') return next();

    const principal = await identify(c, accounts);
    if (principal instanceof Response) return principal;

    const wait = limiter.take(`${principal.kind}:${principal.id}`);
    if (wait > 0) {
      c.header('retry-after', String(wait));
      return apiError(c, 429, 'rate_limited', `Too many requests; retry in ${wait} s.`);
    }

    const write = !SAFE_METHODS.has(c.req.method) && !apiRoute?.meta?.sideEffectFree;
    const audited = apiRoute?.meta?.audit ?? write;
    // A path may hold what Postgres cannot store (%00): the entry is written all the same.
    const target = storableText(c.req.path);
    const action = `${c.req.method} ${apiRoute?.path ?? target}`;
    const audit = (status: number) =>
      accounts
        .audit({ principal, action, target: withoutErased(target, c), status, details: c.get('bulkRead') })
        .catch((error) => {
          console.error('audit log:', error);
        });

    if (principal.kind === 'user' && write) {
      const sent = c.req.header(CSRF_HEADER) ?? '';
      if (!sameSecret(sent, principal.csrfToken)) {
        if (audited) await audit(403);
        return apiError(
          c,
          403,
          'csrf_failed',
          `A write with the session cookie needs the session's CSRF token in the ${CSRF_HEADER} header.`,
        );
      }
    }

    // Routes without a declaration are for admins; paths that match no route go on to the 404.
    const required: Role = apiRoute ? ((apiRoute.meta?.access as Role | undefined) ?? 'admin') : 'viewer';
    if (!roleAllows(principal.role, required)) {
      if (audited) await audit(403);
      return apiError(c, 403, 'forbidden', `This needs the ${required} role; you are ${principal.role}.`);
    }

    c.set('principal', principal);
    await next();
    if (audited) await audit(c.res.status);
  };
}

/** Sets the session cookie: httpOnly, SameSite=Strict, Secure when served over https. */
export function setSessionCookie(c: Context, value: string, expiresAt: Date, secure: boolean) {
  setCookie(c, SESSION_COOKIE, value, {
    path: '/',
    httpOnly: true,
    sameSite: 'Strict',
    secure,
    expires: expiresAt,
  });
}

export function clearSessionCookie(c: Context) {
  deleteCookie(c, SESSION_COOKIE, { path: '/' });
}
