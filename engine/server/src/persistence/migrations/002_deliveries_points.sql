-- Channels a contact unsubscribed from: never sent on, whatever flow asks.
alter table contacts add column unsubscribed text[] not null default '{}';

-- Every send, recorded before it goes out ("record first, send once"): the idempotency key is
-- stable across activity retries and worker crashes. Frequency caps count these rows.
create table deliveries (
  idempotency_key text primary key,
  contact_id text,
  recipient text not null,
  channel text not null,
  connector text not null,
  workflow_id text not null,
  flow_id text not null,
  flow_version int not null,
  node_id text not null,
  status text not null check (status in ('pending', 'sent', 'failed')),
  provider_message_id text,
  error text,
  created_at timestamptz not null default now(),
  sent_at timestamptz
);
create index deliveries_contact_recent on deliveries (contact_id, created_at) where status <> 'failed';
create index deliveries_flow on deliveries (flow_id, node_id);

-- Points (积分): every change with its reason and the flow step that made it.
create table points_ledger (
  id bigserial primary key,
  contact_id text not null,
  points int not null,
  reason text not null,
  flow_id text,
  node_id text,
  workflow_id text,
  created_at timestamptz not null default now()
);
create index points_ledger_contact on points_ledger (contact_id, created_at);

-- Contact updates already applied, so a retried activity never adds points twice.
create table contact_updates (
  idempotency_key text primary key,
  contact_id text not null,
  applied_at timestamptz not null default now()
);
