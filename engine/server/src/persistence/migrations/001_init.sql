-- Flows as edited in the builder; `draft` is the working copy, published snapshots live in flow_versions.
create table flows (
  id text primary key,
  name text not null,
  status text not null default 'draft' check (status in ('draft', 'live', 'paused', 'archived')),
  draft jsonb not null,
  webhook_secret text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Immutable published versions: running workflows keep executing the plan they started with.
create table flow_versions (
  flow_id text references flows (id),
  version int,
  document jsonb not null,
  plan jsonb not null,
  note text,
  published_at timestamptz not null default now(),
  primary key (flow_id, version)
);

create table contacts (
  id text primary key,
  name text,
  email text,
  phone text,
  wecom_user_id text,
  timezone text,
  attributes jsonb not null default '{}',
  tags text[] not null default '{}',
  points int not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- One row per workflow run, keyed like Temporal (a workflow id is reused across continue-as-new/reruns).
create table enrollments (
  workflow_id text,
  run_id text,
  flow_id text not null,
  flow_version int not null,
  contact_id text not null,
  started_at timestamptz not null default now(),
  primary key (workflow_id, run_id)
);

-- Messages "sent" by flows; the unique idempotency key makes activity retries insert at most once.
create table outbox (
  id bigserial primary key,
  idempotency_key text not null unique,
  workflow_id text not null,
  flow_id text not null,
  flow_version int not null,
  node_id text not null,
  contact_id text not null,
  channel text not null,
  body text not null,
  created_at timestamptz not null default now()
);

create index outbox_flow_contact_idx on outbox (flow_id, contact_id);
