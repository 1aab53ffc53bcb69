import { getConnInfo } from '@hono/node-server/conninfo';
import {
  AuditPage,
  AuditQuery,
  LoggedOut,
  LoginAnswer,
  LoginBody,
  Me,
  NewToken,
  NewUser,
  PasswordBody,
  PasswordChanged,
  TokenCreated,
  TokenList,
  TokenView,
  UserChange,
  UserDeleted,
  UserList,
  UserView,
} from '@sopflow/core/api';
import type { Context, Hono } from 'hono';
import { AccountError } from '../../persistence/accounts';
import { CSRF_HEADER, clearSessionCookie, setSessionCookie } from '../auth';
import { doc } from '../docs';
import { type ApiContext, answerWith, apiError, checkBody, checkQuery, codedError } from '../http';
import { RateLimiter } from '../rate-limit';

const accountStatus = {
  email_taken: 409,
  user_not_found: 404,
  last_admin: 409,
  token_not_found: 404,
} as const;

/** Logging in, the caller's own account, and (for admins) users, API tokens and the audit log. */
export function registerAuthRoutes(app: Hono, ctx: ApiContext): void {
  const { accounts } = ctx.options;
  const ttl = ctx.options.sessionTtlMs ?? 12 * 60 * 60 * 1000;
  const secure = ctx.options.publicUrl.startsWith('https:');
  // Password guessing: ten tries a minute per address and account.
  const logins = new RateLimiter({ perMinute: 10, burst: 10 });
  const remote = (c: Context) => {
    try {
      return getConnInfo(c).remote.address ?? 'unknown';
    } catch {
      return 'unknown';
    }
  };
  const accountError = codedError(AccountError, accountStatus);

  app.post(
    '/api/auth/login',
    doc({
      summary: 'Log in with email and password',
      description: `Sets the httpOnly session cookie and answers the CSRF token to send as ${CSRF_HEADER} on writes.`,
      tags: ['auth'],
      access: 'public',
      body: LoginBody,
      responses: {
        200: { description: 'Logged in.', schema: LoginAnswer },
        401: 'Wrong email or password.',
        429: 'Too many attempts.',
      },
    }),
    async (c) => {
      const parsed = await checkBody(c, LoginBody, 'Send an email and a password.');
      if (!parsed.ok) return parsed.response;
      const { email, password } = parsed.data;
      const wait = logins.take(`${remote(c)}:${email.toLowerCase()}`);
      if (wait > 0) {
        c.header('retry-after', String(wait));
        return apiError(c, 429, 'rate_limited', `Too many login attempts; retry in ${wait} s.`);
      }
      const session = await accounts.login(email, password, ttl);
      if (!session) {
        await accounts.audit({
          actorName: email,
          action: 'POST /api/auth/login',
          target: '/api/auth/login',
          status: 401,
        });
        return apiError(c, 401, 'invalid_credentials', 'The email or the password is wrong.');
      }
      const { user } = session;
      await accounts.audit({
        principal: {
          kind: 'user',
          id: user.id,
          name: user.email,
          role: user.role,
          sessionId: '',
          csrfToken: '',
        },
        action: 'POST /api/auth/login',
        target: '/api/auth/login',
        status: 200,
      });
      setSessionCookie(c, session.cookie, session.expiresAt, secure);
      return c.json({
        user: { id: user.id, email: user.email, role: user.role },
        csrfToken: session.csrfToken,
        expiresAt: session.expiresAt.toISOString(),
      });
    },
  );

  app.get(
    '/api/auth/me',
    doc({
      summary: 'Who is calling',
      description: 'For a session, also its CSRF token (the builder reads it after a reload).',
      tags: ['auth'],
      access: 'viewer',
      responses: {
        200: { description: 'The user or token, its role, and the CSRF token of a session.', schema: Me },
      },
    }),
    (c) => {
      const p = c.get('principal')!;
      return c.json({
        kind: p.kind,
        id: p.id,
        name: p.name,
        role: p.role,
        ...(p.kind === 'user' ? { email: p.name, csrfToken: p.csrfToken } : {}),
      });
    },
  );

  app.post(
    '/api/auth/logout',
    doc({
      summary: 'Log out (ends the session)',
      tags: ['auth'],
      access: 'viewer',
      responses: { 200: { description: 'Logged out.', schema: LoggedOut } },
    }),
    async (c) => {
      const p = c.get('principal')!;
      if (p.kind === 'user') await accounts.logout(p.sessionId);
      clearSessionCookie(c);
      return c.json({ loggedOut: true });
    },
  );

  app.post(
    '/api/auth/password',
    doc({
      summary: 'Change your own password',
      tags: ['auth'],
      access: 'viewer',
      body: PasswordBody,
      responses: {
        200: { description: 'Changed.', schema: PasswordChanged },
        401: 'The current password is wrong.',
        409: 'Not a user session.',
      },
    }),
    async (c) => {
      const p = c.get('principal')!;
      if (p.kind !== 'user') return apiError(c, 409, 'not_a_user', 'API tokens have no password.');
      const parsed = await checkBody(c, PasswordBody, 'Send the current and the new password.');
      if (!parsed.ok) return parsed.response;
      if (!(await accounts.changePassword(p.id, parsed.data.current, parsed.data.password)))
        return apiError(c, 401, 'invalid_credentials', 'The current password is wrong.');
      return c.json({ changed: true });
    },
  );

  // --- users (admin) --------------------------------------------------------------------------

  app.get(
    '/api/users',
    doc({
      summary: 'List operator accounts',
      tags: ['users'],
      access: 'admin',
      responses: { 200: { description: 'The users.', schema: UserList } },
    }),
    async (c) => c.json({ users: await accounts.listUsers() }),
  );

  app.post(
    '/api/users',
    doc({
      summary: 'Create an operator account',
      tags: ['users'],
      access: 'admin',
      body: NewUser,
      responses: {
        201: { description: 'Created.', schema: UserView },
        409: 'The email is taken.',
        422: 'Invalid.',
      },
    }),
    async (c) => {
      const parsed = await checkBody(c, NewUser, 'The user is not valid.', 'invalid_user');
      if (!parsed.ok) return parsed.response;
      return answerWith(c, () => accounts.createUser(parsed.data), accountError, 201);
    },
  );

  app.patch(
    '/api/users/:id',
    doc({
      summary: "Change a user's role or password, or disable the account",
      description: 'A new password or disabling ends the sessions of the user.',
      tags: ['users'],
      access: 'admin',
      body: UserChange,
      responses: {
        200: { description: 'Changed.', schema: UserView },
        404: 'No such user.',
        409: 'The last admin.',
      },
    }),
    async (c) => {
      const parsed = await checkBody(c, UserChange, 'The change is not valid.');
      if (!parsed.ok) return parsed.response;
      return answerWith(c, () => accounts.updateUser(c.req.param('id'), parsed.data), accountError);
    },
  );

  app.delete(
    '/api/users/:id',
    doc({
      summary: 'Delete a user',
      tags: ['users'],
      access: 'admin',
      responses: {
        200: { description: 'Deleted.', schema: UserDeleted },
        404: 'No such user.',
        409: 'The last admin.',
      },
    }),
    (c) =>
      answerWith(
        c,
        async () => {
          await accounts.deleteUser(c.req.param('id'));
          return { id: c.req.param('id'), deleted: true };
        },
        accountError,
      ),
  );

  // --- API tokens (admin) ---------------------------------------------------------------------

  app.get(
    '/api/tokens',
    doc({
      summary: 'List API tokens (never their values)',
      tags: ['tokens'],
      access: 'admin',
      responses: { 200: { description: 'The tokens.', schema: TokenList } },
    }),
    async (c) => c.json({ tokens: await accounts.listTokens() }),
  );

  app.post(
    '/api/tokens',
    doc({
      summary: 'Create an API token',
      description: 'The token value is in this answer only: store it now.',
      tags: ['tokens'],
      access: 'admin',
      body: NewToken,
      responses: {
        201: { description: 'The token and its record.', schema: TokenCreated },
        422: 'Invalid.',
      },
    }),
    async (c) => {
      const parsed = await checkBody(c, NewToken, 'The token request is not valid.', 'invalid_token_request');
      if (!parsed.ok) return parsed.response;
      const { name, role, expiresInDays } = parsed.data;
      const created = await accounts.createToken({
        name,
        role,
        createdBy: c.get('principal')?.name,
        ...(expiresInDays ? { expiresAt: new Date(Date.now() + expiresInDays * 86_400_000) } : {}),
      });
      return c.json({ token: created.token, ...created.record }, 201);
    },
  );

  app.delete(
    '/api/tokens/:id',
    doc({
      summary: 'Revoke an API token',
      tags: ['tokens'],
      access: 'admin',
      responses: { 200: { description: 'Revoked.', schema: TokenView }, 404: 'No such token.' },
    }),
    (c) => answerWith(c, () => accounts.revokeToken(c.req.param('id')), accountError),
  );

  app.get(
    '/api/audit',
    doc({
      summary: 'The audit log: every write, newest first',
      tags: ['audit'],
      access: 'admin',
      query: AuditQuery,
      responses: {
        200: { description: 'Entries: who, what, when, on what, and the answer status.', schema: AuditPage },
        422: 'Bad query.',
      },
    }),
    async (c) => {
      const parsed = checkQuery(c, AuditQuery);
      if (!parsed.ok) return parsed.response;
      const entries = await accounts.listAudit(parsed.data);
      return c.json({ entries, next: entries.length > 0 ? entries[entries.length - 1]!.id : null });
    },
  );
}
