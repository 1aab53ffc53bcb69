-- Every event posted for a contact (reply, click, order paid, member joined...). The optional
-- client-given id makes a retried delivery count once.
create table events (
  id bigserial primary key,
  event_id text unique,
  contact_id text not null,
  name text not null,
  payload jsonb not null default '{}',
  received_at timestamptz not null default now(),
  -- Set once delivered to running flows and used to start flows: a retry of an event recorded
  -- while Temporal was down is processed again, not dropped as a duplicate.
  processed_at timestamptz
);
create index events_contact on events (contact_id, received_at);

-- The workflow's own clock when a send was decided: with time skipping it differs from the wall
-- clock, and it is what a dry-run's timeline is compared with.
alter table deliveries add column workflow_time timestamptz;
