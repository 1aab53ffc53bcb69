/**
 * What the local stack and the tests start and find: the database and its migrations, an embedded
 * Postgres, the Temporal CLI, dev server and time-skipping test server, free ports and where state lives.
 */
export { type ConnectDatabaseOptions, connectDatabase } from './persistence/database';
export {
  type PostgresHandle,
  type StartPostgresOptions,
  startPostgres,
} from './persistence/embedded-postgres';
export { type MigrateOptions, migrate } from './persistence/migrate';
export { cacheDir, dataDir, repoRoot } from './processes/paths';
export { findFreePort, isPortFree } from './processes/ports';
export {
  type EnsureTemporalCliOptions,
  ensureTemporalCli,
  type FindTemporalCliOptions,
  findTemporalCli,
  goInstall,
  sdkDownload,
  TEMPORAL_CLI_MODULE,
  TEMPORAL_CLI_VERSION,
  type TemporalCliSource,
} from './temporal/cli-binary';
export {
  type StartTemporalDevServerOptions,
  startTemporalDevServer,
  type TemporalDevServer,
} from './temporal/dev-server';
export {
  type EnsureSearchAttributesOptions,
  ensureSearchAttributes,
  type SearchAttributeKind,
} from './temporal/search-attributes';
export {
  type EnsureTemporalTestServerOptions,
  ensureTemporalTestServer,
  type StartTemporalTestServerOptions,
  startTemporalTestServer,
  TEMPORAL_TEST_SERVER_MAIN_CLASS,
  type TemporalTestServer,
  temporalTestServerLauncher,
  temporalTestServerPom,
  temporalTestServerVersion,
} from './temporal/test-server';
