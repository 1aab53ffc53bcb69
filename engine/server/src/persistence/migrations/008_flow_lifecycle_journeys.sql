-- A stopped flow enrolls nobody and its running contacts were cancelled; resume makes it live again.
alter table flows drop constraint flows_status_check;
alter table flows add constraint flows_status_check
  check (status in ('draft', 'live', 'paused', 'stopped', 'archived'));

-- How each run ended, recorded by the workflow's last activity (the version it ended on may be
-- newer than the one it started on, after a live migration).
alter table enrollments add column finished_at timestamptz;
alter table enrollments add column outcome text;
alter table enrollments add column outcome_node text;
alter table enrollments add column outcome_detail jsonb;
alter table enrollments add column final_version int;
create index enrollments_flow on enrollments (flow_id, flow_version, started_at);
create index enrollments_contact on enrollments (contact_id, started_at);

-- The journey: every step a run entered and left (by which exit), at the workflow's time. Runs
-- hand their trail over in batches (at the end, before continuing as new, and every few hundred
-- steps); a batch recorded twice (an activity retry) counts once.
create table journey_batches (
  workflow_id text not null,
  run_id text not null,
  batch int not null,
  recorded_at timestamptz not null default now(),
  primary key (workflow_id, run_id, batch)
);
create table journey_steps (
  id bigserial primary key,
  workflow_id text not null,
  run_id text not null,
  flow_id text not null,
  flow_version int not null,
  contact_id text not null,
  node_id text not null,
  kind text not null check (kind in ('enter', 'leave')),
  exit text,
  at timestamptz not null
);
create index journey_steps_flow on journey_steps (flow_id, flow_version, at);
create index journey_steps_contact on journey_steps (contact_id, at);
create index deliveries_flow_time on deliveries (flow_id, flow_version, created_at);
create index contacts_email on contacts (lower(email));
