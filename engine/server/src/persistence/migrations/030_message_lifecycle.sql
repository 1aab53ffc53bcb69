-- What became of each message after it left: its lifecycle, apart from `status` (which is the send
-- gate: whether a retry may call the provider again). `lifecycle` is where the message stands now,
-- with its time and the provider's code (a bounce's SMTP reply, an SMS report's err_code, the
-- reason a send was suppressed); `message_statuses` keeps every status once, with its time, so a
-- provider's retried callback changes nothing and the contact's timeline shows each step.
alter table deliveries add column lifecycle text not null default 'queued'
  check (lifecycle in ('queued', 'sent', 'delivered', 'read', 'clicked', 'failed', 'bounced', 'rejected', 'suppressed'));
alter table deliveries add column lifecycle_at timestamptz;
alter table deliveries add column lifecycle_code text;

create table message_statuses (
  delivery_key text not null references deliveries (idempotency_key) on delete cascade,
  status text not null
    check (status in ('queued', 'sent', 'delivered', 'read', 'clicked', 'failed', 'bounced', 'rejected', 'suppressed')),
  at timestamptz not null,
  provider_code text,
  detail text,
  recorded_at timestamptz not null default now(),
  primary key (delivery_key, status)
);

-- Provider callbacks name a message by the id the provider gave it.
create index deliveries_provider_message on deliveries (provider_message_id) where provider_message_id is not null;
create index deliveries_flow_lifecycle on deliveries (flow_id, flow_version, node_id, lifecycle);

-- Deliveries from before: queued when recorded, sent when the provider took it, delivered when a
-- follow-up confirmed it (WeCom mass sends), failed as recorded.
insert into message_statuses (delivery_key, status, at)
  select idempotency_key, 'queued', created_at from deliveries;
insert into message_statuses (delivery_key, status, at)
  select idempotency_key, 'sent', coalesce(sent_at, created_at) from deliveries where sent_at is not null;
insert into message_statuses (delivery_key, status, at)
  select idempotency_key, 'delivered', confirmed_at from deliveries where confirmed_at is not null;
insert into message_statuses (delivery_key, status, at, detail)
  select idempotency_key, 'failed', coalesce(sent_at, created_at), error from deliveries where status = 'failed';
update deliveries set
  lifecycle = case
    when status = 'failed' then 'failed'
    when confirmed_at is not null then 'delivered'
    when sent_at is not null then 'sent'
    else 'queued' end,
  lifecycle_at = case
    when status = 'failed' then coalesce(sent_at, created_at)
    else coalesce(confirmed_at, sent_at, created_at) end;
