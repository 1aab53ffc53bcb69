-- How long sopflow keeps deliveries, outbox messages, events and journeys, in days (null: for ever).
-- One row; the scheduled purge (the retentionPurge workflow) deletes what is older, in batches.
create table retention_settings (
  id boolean primary key default true check (id),
  deliveries_days int check (deliveries_days > 0),
  outbox_days int check (outbox_days > 0),
  events_days int check (events_days > 0),
  journeys_days int check (journeys_days > 0),
  updated_at timestamptz not null default now()
);
insert into retention_settings (deliveries_days, outbox_days, events_days, journeys_days)
values (400, 400, 400, 400);

-- What the purge reads by age.
create index outbox_created on outbox (created_at);
create index deliveries_created on deliveries (created_at);
create index events_received on events (received_at);
create index journey_steps_at on journey_steps (at);
create index enrollments_finished on enrollments (finished_at) where finished_at is not null;
create index journey_batches_recorded on journey_batches (recorded_at);
