-- Connectors keep small records of their own (e.g. an attempt to create a WeCom mass-send task)
-- through a storage port instead of tables and SQL of their own: one row per connector and key,
-- with a version for compare-and-set.
create table connector_records (
  connector text not null,
  key text not null,
  value jsonb not null,
  version integer not null,
  updated_at timestamptz not null default now(),
  primary key (connector, key)
);

-- The WeCom mass-send connector's attempts move over (epoch milliseconds, as the connector reads them).
insert into connector_records (connector, key, value, version)
select 'wecom-mass', idempotency_key,
  jsonb_strip_nulls(jsonb_build_object(
    'firstAttemptAt', (extract(epoch from first_attempt_at) * 1000)::bigint,
    'lastAttemptAt', (extract(epoch from last_attempt_at) * 1000)::bigint,
    'msgid', msgid)),
  attempts
from wecom_mass_send_attempts;

drop table wecom_mass_send_attempts;
