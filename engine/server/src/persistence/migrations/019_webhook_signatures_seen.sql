-- Signed webhook deliveries already taken, by their signature, while a signature is still within
-- its 5-minute tolerance: a captured delivery replayed inside that window is refused. Kept in
-- Postgres so the refusal holds across API restarts and between API replicas.
create table webhook_signatures_seen (
  flow_id text not null,
  signature text not null,
  seen_at timestamptz not null default now(),
  primary key (flow_id, signature)
);
create index webhook_signatures_seen_at on webhook_signatures_seen (seen_at);
