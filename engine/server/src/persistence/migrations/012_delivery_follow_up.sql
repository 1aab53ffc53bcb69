-- Some providers take a message before it reaches anyone (a WeCom mass-send task waits for a staff
-- member to confirm it): `sent` is when the provider took it, `confirmed_at` when it reached the
-- person, as the provider reported when followed up.
alter table deliveries add column confirmed_at timestamptz;
