-- More addresses a contact can be reached at.
alter table contacts add column wecom_external_user_id text;
alter table contacts add column open_id text;
create index contacts_phone on contacts (phone);

-- Which connector delivers each channel, with its configuration. Secret fields are stored
-- encrypted (AES-256-GCM with SOPFLOW_SECRET_KEY); a channel with no row goes to the outbox.
create table channel_routes (
  channel text primary key,
  connector text not null,
  config jsonb not null,
  updated_at timestamptz not null default now()
);
