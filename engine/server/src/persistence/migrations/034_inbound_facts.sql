-- Facts a provider's callback reports about contacts (a WeCom customer adding a staff member), kept
-- before the callback is answered and taken after it: WeCom wants its answer within 5 s, and what a
-- fact sets off (the contact, its event, the flows it starts) need not hold the answer up.
-- `lease_until`: no process takes the fact again before then (the one that kept it is taking it, or
-- a failed try waits for its retry); a fact not processed by then is taken by the next sweep.
create table inbound_facts (
  id bigserial primary key,
  connector text not null,
  -- The provider's id of the event: a redelivery of it is the same fact.
  fact_key text not null,
  fact jsonb not null,
  received_at timestamptz not null default now(),
  lease_until timestamptz not null,
  attempts int not null default 0,
  last_error text,
  processed_at timestamptz,
  unique (connector, fact_key)
);
create index inbound_facts_pending on inbound_facts (lease_until) where processed_at is null;
