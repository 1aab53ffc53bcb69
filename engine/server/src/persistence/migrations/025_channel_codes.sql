-- Channel codes (渠道活码): a provider's "contact me" QR code per acquisition channel. Each carries a
-- short `state` the provider hands back when a customer adds a staff member through it; the
-- provider's own id of the code (`provider_id`, WeCom's config_id) is the only way to edit or delete
-- it later (WeCom does not list API-made codes in its admin console).
create table channel_codes (
  id text primary key,
  name text not null,
  channel text not null,
  state text not null unique,
  staff text[] not null,
  skip_verify boolean not null,
  connector text not null,
  -- The contact event an add through the code becomes (the connector says: `wecom.customer_added`).
  add_event text not null,
  provider_id text not null,
  qr_code text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- The state of the event that started a run (its trigger payload's `state`), so stats count
-- enrollments and conversions per channel code.
alter table enrollments add column channel_state text;
create index enrollments_channel_state on enrollments (channel_state) where channel_state is not null;

-- Adds per channel code are counted from the events that carry a state.
create index events_state on events (name, (payload->>'state')) where payload ? 'state';
