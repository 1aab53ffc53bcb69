-- `sending`: the provider call may be under way. A retry that finds it knows a worker died mid-call.
-- `unconfirmed`: that happened with a provider that cannot deduplicate, so sopflow did not send
-- again: a message may be missing, but none goes out twice.
alter table deliveries drop constraint deliveries_status_check;
alter table deliveries add constraint deliveries_status_check
  check (status in ('pending', 'sending', 'sent', 'failed', 'unconfirmed'));
