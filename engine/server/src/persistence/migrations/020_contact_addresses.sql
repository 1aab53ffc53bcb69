-- A contact's addresses keyed by address kind, the kinds connectors declare: a connector with a new
-- kind of address adds no column. `match_key` is what inbound lookups compare (a phone's digits, an
-- email in lower case), as the connector declaring the kind computes it.
create table contact_addresses (
  contact_id text not null references contacts (id) on delete cascade,
  kind text not null,
  value text not null,
  match_key text not null,
  primary key (contact_id, kind)
);
-- "Which contact has this WeCom external user id / this phone number."
create index contact_addresses_match on contact_addresses (kind, match_key);
-- The contact list's search by the start of an address.
create index contact_addresses_value_prefix on contact_addresses (lower(value) text_pattern_ops);

-- The columns' addresses, with the match keys the shipped connectors declare for their kinds.
insert into contact_addresses (contact_id, kind, value, match_key)
select c.id, a.kind, a.value,
       case a.kind
         when 'phone' then regexp_replace(a.value, '[^0-9]', '', 'g')
         when 'email' then lower(a.value)
         else a.value
       end
from contacts c
cross join lateral (values
  ('email', c.email),
  ('phone', c.phone),
  ('wecomUserId', c.wecom_user_id),
  ('wecomExternalUserId', c.wecom_external_user_id),
  ('openId', c.open_id)
) as a (kind, value)
where a.value is not null and a.value <> '';

drop index if exists contacts_phone;
drop index if exists contacts_email;
drop index if exists contacts_phone_digits;
alter table contacts
  drop column email,
  drop column phone,
  drop column wecom_user_id,
  drop column wecom_external_user_id,
  drop column open_id;
