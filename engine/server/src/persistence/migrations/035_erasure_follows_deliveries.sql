-- Erasing a contact renames its deliveries' idempotency keys (they hold the contact's id): the
-- statuses of each message follow the rename, so counts per status survive an erasure.
alter table message_statuses
  drop constraint message_statuses_delivery_key_fkey,
  add constraint message_statuses_delivery_key_fkey
    foreign key (delivery_key) references deliveries (idempotency_key) on delete cascade on update cascade;
