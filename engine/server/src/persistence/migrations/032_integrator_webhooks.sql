-- Outbound webhooks for integrators. An event is written to `integrator_events` in the same
-- transaction as what it reports (a journey's start or end, an opt-out, a campaign's last page, a
-- send's outcome), and fanned out there to one `integrator_deliveries` row per subscription that
-- wants its type: nothing is lost between the fact and its delivery. Workers drain the deliveries,
-- in `seq` order per (subscription, ordering key), with retries on `next_attempt_at`.
create table integrator_subscriptions (
  id text primary key,
  url text not null,
  secret text not null,
  event_types text[] not null,
  description text not null default '',
  enabled boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table integrator_events (
  seq bigserial primary key,
  id text not null unique,
  type text not null,
  -- Deliveries to one subscription keep this key's order: the contact, or the campaign.
  ordering_key text not null,
  contact_id text,
  data jsonb not null,
  created_at timestamptz not null default now()
);

create table integrator_deliveries (
  subscription_id text not null references integrator_subscriptions (id) on delete cascade,
  event_seq bigint not null references integrator_events (seq) on delete cascade,
  ordering_key text not null,
  -- pending | delivered | failed
  status text not null default 'pending',
  attempts int not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_attempt_at timestamptz,
  last_error text,
  response_code int,
  delivered_at timestamptz,
  primary key (subscription_id, event_seq)
);
-- The drain's question: the oldest pending delivery of each key of a subscription.
create index integrator_deliveries_pending on integrator_deliveries (subscription_id, ordering_key, event_seq)
  where status = 'pending';
create index integrator_deliveries_log on integrator_deliveries (subscription_id, event_seq desc);
