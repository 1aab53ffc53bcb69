-- A webhook delivery's first answer per Idempotency-Key: a sender retrying after a timeout gets the
-- same answer again and enrolls nobody twice, even after the contact's run has finished.
create table webhook_deliveries (
  flow_id text not null,
  idempotency_key text not null,
  status int not null,
  response jsonb not null,
  created_at timestamptz not null default now(),
  primary key (flow_id, idempotency_key)
);
