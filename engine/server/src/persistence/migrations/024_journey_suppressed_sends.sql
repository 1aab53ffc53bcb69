-- A send that did not go out when its step ran (no address, opted out, frequency cap, quiet hours)
-- is a step of the contact's journey: recorded with the others, counted by the same statistics,
-- shown in the same contact history. `until` is set when it was held rather than skipped.
alter table journey_steps drop constraint journey_steps_kind_check;
alter table journey_steps add constraint journey_steps_kind_check
  check (kind in ('enter', 'leave', 'suppressed'));
alter table journey_steps add column channel text;
alter table journey_steps add column reason text;
alter table journey_steps add column until timestamptz;
alter table journey_steps add constraint journey_steps_suppressed_reason
  check ((kind = 'suppressed') = (reason is not null));
