-- WeCom mass sends (群发) become tasks staff confirm; WeCom has no client key, so each attempt is
-- recorded here and a retry after an ambiguous failure looks for the task it may have created.
create table if not exists wecom_mass_send_attempts (
  idempotency_key text primary key,
  first_attempt_at timestamptz not null,
  last_attempt_at timestamptz not null,
  attempts integer not null default 1,
  msgid text
);
