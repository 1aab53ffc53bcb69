-- Group entry (拉群, 入群欢迎). Join ways let customers into customer groups by QR code or
-- mini-program button; WeCom does not list API-created ones anywhere (not even its admin console),
-- so their config ids live here. `state` is unique: a member's join is told back with it.
create table group_join_ways (
  id text primary key,
  channel text not null,
  scene text not null,
  remark text,
  chat_ids text[] not null,
  auto_create_room boolean not null,
  room_base_name text,
  room_base_id int,
  state text not null unique,
  qr_code text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- Which join ways let into a group: a member's join is matched to them.
create index group_join_ways_chat_ids on group_join_ways using gin (chat_ids);

-- Group welcome templates (入群欢迎语素材): a text and at most one attachment.
create table group_welcome_templates (
  id text primary key,
  channel text not null,
  name text not null,
  text text,
  attachment jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
