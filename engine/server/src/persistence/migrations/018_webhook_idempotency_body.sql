-- What the first delivery of an Idempotency-Key asked for (a SHA-256 of its body, keys sorted), so a
-- key reused with another body is refused instead of replaying an answer meant for something else.
-- Rows from before have none and replay as they did.
alter table webhook_deliveries add column body_hash text;
