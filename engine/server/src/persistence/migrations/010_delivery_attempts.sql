-- When the current provider call began: a retry after a crash re-sends only while the provider's
-- own duplicate window (counted from here) still covers it.
alter table deliveries add column sending_since timestamptz;
