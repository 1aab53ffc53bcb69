import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { ROLES, type Role } from '@sopflow/core/api';
import type { Sql } from 'postgres';
import { z } from 'zod';

/**
 * Who may use the API: operator accounts (password login, for the builder) and API tokens (for
 * scripts and other systems), each with a role; sessions; and the audit log of every write.
 * Secrets (passwords, session cookies, tokens) are never stored: only Argon2id or SHA-256 of them.
 */

// Roles and the rules for emails and passwords are the API contract's.
export { Email, Password, ROLES, Role } from '@sopflow/core/api';

/** True when `role` may do what `required` may. */
export const roleAllows = (role: Role, required: Role) => ROLES.indexOf(role) >= ROLES.indexOf(required);

export interface User {
  id: string;
  email: string;
  role: Role;
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface ApiToken {
  id: string;
  name: string;
  role: Role;
  /** The first characters of the token, to recognise it in lists. */
  prefix: string;
  createdBy: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** Who is calling: a logged-in user (session cookie) or an API token. */
export type Principal =
  | { kind: 'user'; id: string; name: string; role: Role; sessionId: string; csrfToken: string }
  | { kind: 'token'; id: string; name: string; role: Role };

export interface AuditEntry {
  id: string;
  at: Date;
  actorKind: 'user' | 'token' | 'anonymous';
  actorId: string | null;
  actorName: string | null;
  role: string | null;
  action: string;
  target: string;
  status: number;
  details: unknown;
}

export class AccountError extends Error {
  override readonly name = 'AccountError';
  constructor(
    readonly code: 'email_taken' | 'user_not_found' | 'last_admin' | 'token_not_found',
    message: string,
  ) {
    super(message);
  }
}

/** API tokens start with this, so secret scanners and people recognise them. */
export const TOKEN_PREFIX = 'sft_';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const secret = () => randomBytes(32).toString('base64url');

// Verified against when the email is unknown, so a wrong email takes as long as a wrong password.
let dummyHash: Promise<string> | undefined;

interface UserRow {
  id: string;
  email: string;
  role: Role;
  disabled: boolean;
  created_at: Date;
  updated_at: Date;
}
const toUser = (r: UserRow): User => ({
  id: r.id,
  email: r.email,
  role: r.role,
  disabled: r.disabled,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

interface TokenRow {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  created_by: string | null;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
}
const toToken = (r: TokenRow): ApiToken => ({
  id: r.id,
  name: r.name,
  role: r.role,
  prefix: r.prefix,
  createdBy: r.created_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

// Arbitrary but fixed: processes starting together create the first admin once.
const BOOTSTRAP_LOCK_KEY = 7_261_044_914;

export class Accounts {
  constructor(readonly sql: Sql) {}

  // --- users ---------------------------------------------------------------------------------

  async createUser(input: { email: string; password: string; role: Role }): Promise<User> {
    const passwordHash = await hash(input.password);
    const [row] = await this.sql<UserRow[]>`
      insert into users (email, password_hash, role) values (${input.email}, ${passwordHash}, ${input.role})
      on conflict do nothing returning *`;
    if (!row) throw new AccountError('email_taken', `There is a user with the email ${input.email} already.`);
    return toUser(row);
  }

  async listUsers(): Promise<User[]> {
    return (await this.sql<UserRow[]>`select * from users order by created_at`).map(toUser);
  }

  async getUser(id: string): Promise<User | undefined> {
    if (!z.uuid().safeParse(id).success) return undefined;
    const [row] = await this.sql<UserRow[]>`select * from users where id = ${id}`;
    return row ? toUser(row) : undefined;
  }

  /** Changes a user; a changed password or a disabled account ends the user's sessions. */
  async updateUser(
    id: string,
    change: { role?: Role; password?: string; disabled?: boolean },
  ): Promise<User> {
    const user = await this.getUser(id);
    if (!user) throw new AccountError('user_not_found', `There is no user ${id}.`);
    const passwordHash = change.password === undefined ? null : await hash(change.password);
    return this.sql.begin(async (tx) => {
      // Serialises admin changes so two requests cannot demote the last two admins at once.
      await tx`select pg_advisory_xact_lock(${BOOTSTRAP_LOCK_KEY})`;
      const losesAdmin =
        user.role === 'admin' &&
        ((change.role !== undefined && change.role !== 'admin') || change.disabled === true);
      if (losesAdmin) await this.assertAnotherAdmin(tx as unknown as Sql, id);
      const [row] = await tx<UserRow[]>`
        update users set
          role = coalesce(${change.role ?? null}, role),
          password_hash = coalesce(${passwordHash}, password_hash),
          disabled = coalesce(${change.disabled ?? null}, disabled),
          updated_at = now()
        where id = ${id} returning *`;
      if (passwordHash !== null || change.disabled) await tx`delete from sessions where user_id = ${id}`;
      return toUser(row!);
    });
  }

  async deleteUser(id: string): Promise<void> {
    const user = await this.getUser(id);
    if (!user) throw new AccountError('user_not_found', `There is no user ${id}.`);
    await this.sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(${BOOTSTRAP_LOCK_KEY})`;
      if (user.role === 'admin') await this.assertAnotherAdmin(tx as unknown as Sql, id);
      await tx`delete from users where id = ${id}`;
    });
  }

  private async assertAnotherAdmin(sql: Sql, exceptId: string) {
    const [{ n }] = (await sql`
      select count(*)::int as n from users where role = 'admin' and not disabled and id <> ${exceptId}`) as unknown as [
      { n: number },
    ];
    if (n === 0) throw new AccountError('last_admin', 'This is the last admin: make another admin first.');
  }

  /**
   * Creates the first admin when there is no user at all: with the given password, or a generated
   * one that is returned so it can be shown once. Undefined when users exist already.
   */
  async bootstrapAdmin(input: {
    email?: string;
    password?: string;
  }): Promise<{ email: string; password?: string; generated: boolean } | undefined> {
    const email = input.email ?? 'admin@sopflow.local';
    const generated = input.password === undefined;
    const password = input.password ?? randomBytes(15).toString('base64url');
    const passwordHash = await hash(password);
    return this.sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(${BOOTSTRAP_LOCK_KEY})`;
      const [any] = await tx`select 1 from users limit 1`;
      if (any) return undefined;
      await tx`insert into users (email, password_hash, role) values (${email}, ${passwordHash}, 'admin')`;
      return { email, generated, ...(generated ? { password } : {}) };
    });
  }

  // --- sessions ------------------------------------------------------------------------------

  /** Checks a password; a session (cookie value and CSRF token) when it is right. */
  async login(
    email: string,
    password: string,
    ttlMs: number,
  ): Promise<{ user: User; cookie: string; csrfToken: string; expiresAt: Date } | undefined> {
    const [row] = await this.sql<(UserRow & { password_hash: string })[]>`
      select * from users where lower(email) = lower(${email})`;
    if (!row) {
      dummyHash ??= hash(secret());
      await verify(await dummyHash, password).catch(() => false);
      return undefined;
    }
    const ok = await verify(row.password_hash, password).catch(() => false);
    if (!ok || row.disabled) return undefined;
    const cookie = secret();
    const csrfToken = secret();
    const expiresAt = new Date(Date.now() + ttlMs);
    await this.sql`
      insert into sessions (id, user_id, csrf_token, expires_at)
      values (${sha256(cookie)}, ${row.id}, ${csrfToken}, ${expiresAt})`;
    // Expired sessions go when someone logs in: the table stays small without a sweeper.
    await this.sql`delete from sessions where expires_at < now() - interval '1 day'`;
    return { user: toUser(row), cookie, csrfToken, expiresAt };
  }

  /** The session a cookie belongs to: the principal, `expired`, or undefined when unknown. */
  async session(cookie: string): Promise<Principal | 'expired' | undefined> {
    const [row] = await this.sql<
      { id: string; user_id: string; email: string; role: Role; csrf_token: string; expired: boolean }[]
    >`
      select s.id, s.user_id, u.email, u.role, s.csrf_token, s.expires_at <= now() as expired
      from sessions s join users u on u.id = s.user_id
      where s.id = ${sha256(cookie)} and not u.disabled`;
    if (!row) return undefined;
    if (row.expired) return 'expired';
    return {
      kind: 'user',
      id: row.user_id,
      name: row.email,
      role: row.role,
      sessionId: row.id,
      csrfToken: row.csrf_token,
    };
  }

  /** True when the account exists, is enabled, and the password is its password. */
  async checkPassword(email: string, password: string): Promise<boolean> {
    const [row] = await this.sql<{ password_hash: string }[]>`
      select password_hash from users where lower(email) = lower(${email}) and not disabled`;
    return row ? verify(row.password_hash, password).catch(() => false) : false;
  }

  async logout(sessionId: string): Promise<void> {
    await this.sql`delete from sessions where id = ${sessionId}`;
  }

  async changePassword(userId: string, current: string, next: string): Promise<boolean> {
    const [row] = await this.sql<
      { password_hash: string }[]
    >`select password_hash from users where id = ${userId}`;
    if (!row || !(await verify(row.password_hash, current).catch(() => false))) return false;
    await this
      .sql`update users set password_hash = ${await hash(next)}, updated_at = now() where id = ${userId}`;
    return true;
  }

  // --- tokens --------------------------------------------------------------------------------

  /** Creates a token; its secret value is returned once and never stored. */
  async createToken(input: {
    name: string;
    role: Role;
    expiresAt?: Date;
    createdBy?: string;
  }): Promise<{ token: string; record: ApiToken }> {
    const token = `${TOKEN_PREFIX}${secret()}`;
    const [row] = await this.sql<TokenRow[]>`
      insert into api_tokens (name, role, token_hash, prefix, created_by, expires_at)
      values (${input.name}, ${input.role}, ${sha256(token)}, ${token.slice(0, TOKEN_PREFIX.length + 6)},
              ${input.createdBy ?? null}, ${input.expiresAt ?? null})
      returning *`;
    return { token, record: toToken(row!) };
  }

  async listTokens(): Promise<ApiToken[]> {
    return (await this.sql<TokenRow[]>`select * from api_tokens order by created_at desc`).map(toToken);
  }

  async revokeToken(id: string): Promise<ApiToken> {
    const [row] = z.uuid().safeParse(id).success
      ? await this.sql<TokenRow[]>`
          update api_tokens set revoked_at = coalesce(revoked_at, now()) where id = ${id} returning *`
      : [];
    if (!row) throw new AccountError('token_not_found', `There is no token ${id}.`);
    return toToken(row);
  }

  /** The principal a bearer token stands for; undefined when unknown, revoked or expired. */
  async tokenPrincipal(token: string): Promise<Principal | undefined> {
    const [row] = await this.sql<(TokenRow & { stale: boolean })[]>`
      select *, last_used_at is null or last_used_at < now() - interval '1 minute' as stale from api_tokens
      where token_hash = ${sha256(token)} and revoked_at is null and (expires_at is null or expires_at > now())`;
    if (!row) return undefined;
    // Once a minute at most: a busy token does not write (and lock its row) on every request.
    if (row.stale)
      await this.sql`update api_tokens set last_used_at = now() where id = ${row.id}`.catch(() => undefined);
    return { kind: 'token', id: row.id, name: row.name, role: row.role };
  }

  // --- audit ---------------------------------------------------------------------------------

  async audit(entry: {
    principal?: Principal;
    actorName?: string;
    action: string;
    target: string;
    status: number;
    details?: unknown;
  }): Promise<void> {
    const p = entry.principal;
    await this.sql`
      insert into audit_log (actor_kind, actor_id, actor_name, role, action, target, status, details)
      values (${p?.kind ?? 'anonymous'}, ${p?.id ?? null}, ${p?.name ?? entry.actorName ?? null},
              ${p?.role ?? null}, ${entry.action}, ${entry.target}, ${entry.status},
              ${entry.details === undefined ? null : this.sql.json(entry.details as never)})`;
  }

  async listAudit(
    filter: { limit?: number; before?: string; actor?: string; action?: string; target?: string } = {},
  ): Promise<AuditEntry[]> {
    const { sql } = this;
    const rows = await sql<
      {
        id: string;
        at: Date;
        actor_kind: AuditEntry['actorKind'];
        actor_id: string | null;
        actor_name: string | null;
        role: string | null;
        action: string;
        target: string;
        status: number;
        details: unknown;
      }[]
    >`
      select * from audit_log where true
      ${filter.before ? sql`and id < ${filter.before}` : sql``}
      ${filter.actor ? sql`and (actor_name = ${filter.actor} or actor_id = ${filter.actor})` : sql``}
      ${filter.action ? sql`and action like ${`%${filter.action}%`}` : sql``}
      ${filter.target ? sql`and target like ${`%${filter.target}%`}` : sql``}
      order by id desc limit ${Math.min(filter.limit ?? 100, 1000)}`;
    return rows.map((r) => ({
      id: String(r.id),
      at: r.at,
      actorKind: r.actor_kind,
      actorId: r.actor_id,
      actorName: r.actor_name,
      role: r.role,
      action: r.action,
      target: r.target,
      status: r.status,
      details: r.details,
    }));
  }
}

/** Compares secrets in constant time. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
