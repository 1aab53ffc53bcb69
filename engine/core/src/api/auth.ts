import { z } from 'zod';
import { SerialIdText, wholeNumber } from './numbers';
import { pageLimit } from './query';

/** The header a session sends its CSRF token in, on every write. */
export const CSRF_HEADER = 'x-csrf-token';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
/** What a user or an API token may do: each role may do what the ones before it may. */
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const Email = z.email().max(320);
export const Password = z
  .string()
  .min(10, { error: 'A password has at least 10 characters. / 密码至少 10 个字符。' })
  .max(200);

/** `POST /api/auth/login`. */
export const LoginBody = z.object({
  email: z.string().min(1).max(320),
  password: z.string().min(1).max(200),
});
export type LoginBody = z.infer<typeof LoginBody>;

export const LoginAnswer = z.object({
  user: z.object({ id: z.string(), email: z.string(), role: Role }),
  csrfToken: z.string().meta({ description: `Send it as ${CSRF_HEADER} on every write.` }),
  expiresAt: z.string(),
});
export type LoginAnswer = z.infer<typeof LoginAnswer>;

/** `GET /api/auth/me`: a logged-in user (with the session's CSRF token) or an API token. */
export const Me = z.object({
  kind: z.enum(['user', 'token']),
  id: z.string(),
  name: z.string(),
  role: Role,
  email: z.string().optional(),
  csrfToken: z.string().optional(),
});
export type Me = z.infer<typeof Me>;

export const LoggedOut = z.object({ loggedOut: z.literal(true) });
export type LoggedOut = z.infer<typeof LoggedOut>;

/** `POST /api/auth/password`. */
export const PasswordBody = z.object({ current: z.string().min(1).max(200), password: Password });
export type PasswordBody = z.infer<typeof PasswordBody>;

export const PasswordChanged = z.object({ changed: z.literal(true) });
export type PasswordChanged = z.infer<typeof PasswordChanged>;

/** `POST /api/users`. */
export const NewUser = z.object({ email: Email, password: Password, role: Role });
export type NewUser = z.infer<typeof NewUser>;

/** `PATCH /api/users/{id}`. */
export const UserChange = z
  .object({ role: Role.optional(), password: Password.optional(), disabled: z.boolean().optional() })
  .refine((c) => Object.keys(c).length > 0, {
    error: 'Change the role, the password or disabled. / 请修改角色、密码或停用状态中的至少一项。',
  });
export type UserChange = z.infer<typeof UserChange>;

export const UserView = z.object({
  id: z.string(),
  email: z.string(),
  role: Role,
  disabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type UserView = z.infer<typeof UserView>;

export const UserList = z.object({ users: z.array(UserView) });
export type UserList = z.infer<typeof UserList>;

export const UserDeleted = z.object({ id: z.string(), deleted: z.literal(true) });
export type UserDeleted = z.infer<typeof UserDeleted>;

/** `POST /api/tokens`. */
export const NewToken = z.object({
  name: z.string().min(1).max(100),
  role: Role,
  expiresInDays: wholeNumber(1, 3650).optional(),
});
export type NewToken = z.infer<typeof NewToken>;

/** An API token's record: never its value. */
export const TokenView = z.object({
  id: z.string(),
  name: z.string(),
  role: Role,
  /** The first characters of the token, to recognise it in lists. */
  prefix: z.string(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type TokenView = z.infer<typeof TokenView>;

export const TokenList = z.object({ tokens: z.array(TokenView) });
export type TokenList = z.infer<typeof TokenList>;

/** The token's value is in this answer only. */
export const TokenCreated = TokenView.extend({ token: z.string() });
export type TokenCreated = z.infer<typeof TokenCreated>;

/** `GET /api/audit`. */
export const AuditQuery = z.object({
  limit: pageLimit(1000).optional(),
  before: SerialIdText.optional().meta({ description: 'Entries older than this id.' }),
  actor: z.string().optional().meta({ description: 'A user email, token name or id.' }),
  action: z.string().optional().meta({ description: 'Part of the action, e.g. "/publish".' }),
  target: z.string().optional().meta({ description: 'Part of the path acted on.' }),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditEntry = z.object({
  id: z.string(),
  at: z.string(),
  actorKind: z.enum(['user', 'token', 'anonymous']),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  role: z.string().nullable(),
  action: z.string(),
  target: z.string(),
  status: z.number(),
  details: z.unknown(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditPage = z.object({
  entries: z.array(AuditEntry),
  /** The `before` of the next page; null when there are no entries. */
  next: z.string().nullable(),
});
export type AuditPage = z.infer<typeof AuditPage>;
