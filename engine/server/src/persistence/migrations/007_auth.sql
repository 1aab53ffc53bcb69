-- Operators who log in to the builder (password hashed with Argon2id) and the role each has:
-- admin (connectors, secrets, users, tokens, audit), operator (edit, publish, run), viewer (read).
create table users (
  id uuid primary key default gen_random_uuid(),
  email text not null,
  password_hash text not null,
  role text not null check (role in ('admin', 'operator', 'viewer')),
  disabled boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index users_email on users (lower(email));

-- Builder sessions: the cookie holds a random value, the table only its SHA-256. Writes made with
-- the cookie must also carry the session's CSRF token in a header.
create table sessions (
  id text primary key,
  user_id uuid not null references users (id) on delete cascade,
  csrf_token text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index sessions_user on sessions (user_id);

-- API tokens for scripts and other systems (Authorization: Bearer ...): only the SHA-256 is kept.
create table api_tokens (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  role text not null check (role in ('admin', 'operator', 'viewer')),
  token_hash text not null unique,
  prefix text not null,
  created_by text,
  created_at timestamptz not null default now(),
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz
);

-- Every write through the API: who, what (method and route), when, on what (the path), and how it ended.
create table audit_log (
  id bigserial primary key,
  at timestamptz not null default now(),
  actor_kind text not null check (actor_kind in ('user', 'token', 'anonymous')),
  actor_id text,
  actor_name text,
  role text,
  action text not null,
  target text not null,
  status int not null,
  details jsonb
);
create index audit_log_at on audit_log (at desc);
