-- A provider's own tag catalog (WeCom's corp customer tags, 企业客户标签), kept in step with the
-- provider by a connector job: groups and their tags, one row each, with the provider's ids, names
-- and order. A group or tag the provider no longer lists (or lists as deleted) keeps its row,
-- marked deleted, so a name once offered can still be told apart from one that never existed.
create table provider_tags (
  connector text not null,
  account text not null,
  id text not null,
  -- None for a group; the group's id for a tag.
  group_id text,
  name text not null,
  sort_order bigint not null default 0,
  -- Where the provider listed it, which orders equal order values.
  position integer not null default 0,
  created_at timestamptz,
  deleted_at timestamptz,
  synced_at timestamptz not null default now(),
  primary key (connector, account, id)
);
create index provider_tags_of_group on provider_tags (connector, account, group_id);

-- Tag changes sopflow made to a contact (a flow's update step, the contacts API) that a provider has
-- still to be told of: written in the transaction that changes the contact, for contacts with an
-- address a tag-marking connector reaches. One row per contact and tag: a later change replaces an
-- earlier one, so only the newest intent is handed over.
create table contact_tag_changes (
  contact_id text not null references contacts (id) on delete cascade,
  tag text not null,
  wanted boolean not null,
  changed_at timestamptz not null default clock_timestamp(),
  primary key (contact_id, tag)
);
create index contact_tag_changes_oldest on contact_tag_changes (changed_at);
