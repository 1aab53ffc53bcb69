-- Campaigns launched through the API, so every operator sees the same list (the builder kept one
-- per browser). Progress is written by each page of the campaign workflow: `cursor` is the last
-- contact id a page recorded, so a retried page (same cursor) is not counted twice.
create table campaigns (
  id text primary key,
  flow_id text not null,
  -- { kind: 'where', where } | { kind: 'contactIds', count } | { kind: 'everyone' }
  audience jsonb not null,
  audience_count int not null,
  unknown_contact_id_count int not null default 0,
  starts_at timestamptz not null,
  created_at timestamptz not null default now(),
  cursor text,
  scanned int not null default 0,
  enrolled int not null default 0,
  skipped int not null default 0,
  finished_at timestamptz,
  cancelled_at timestamptz,
  error text
);
create index campaigns_created on campaigns (created_at desc, id desc);
create index campaigns_flow_created on campaigns (flow_id, created_at desc, id desc);
