-- A contact's revision: raised by every change to its row, whoever writes it, so changes pushed
-- to its running flows can be put in order however their signals arrive (a late, older one is
-- ignored). Address writes change the row too (the same transaction updates it).
alter table contacts add column revision bigint not null default 0;

create function contacts_next_revision() returns trigger language plpgsql as $$
begin
  new.revision := old.revision + 1;
  return new;
end $$;

create trigger contacts_revision before update on contacts
  for each row execute function contacts_next_revision();
