-- A client-given event id means one event of one contact under one name: an order id reused for
-- order.paid and order.shipped, or by two contacts, names different events. Deduplicate within
-- (contact, name) only; true repeats still collide.
alter table events drop constraint if exists events_event_id_key;
create unique index events_dedup on events (contact_id, name, event_id);
