-- Erased contacts (PIPL / GDPR erasure): one tombstone per erased contact id, so an old webhook,
-- event, import or provider callback for the id is refused instead of bringing its data back.
-- `ref` is an HMAC-SHA256 of the id under the server's secret key: it recognises the id when it
-- comes again, and does not reveal it (a phone number or a WeCom external id is personal data).
create table contact_erasures (
  ref text primary key,
  erased_at timestamptz not null default now()
);
