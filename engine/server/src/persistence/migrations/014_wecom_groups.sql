-- Customer groups sopflow has heard of (a callback named them): their members as last seen. WeCom's
-- group events can be lost or come out of order, so a scheduled reconcile compares each group with
-- WeCom's own member list and posts the joins and leaves these rows miss.
create table wecom_groups (
  chat_id text primary key,
  members text[] not null default '{}',
  member_version text,
  reconciled_at timestamptz,
  updated_at timestamptz not null default now()
);
