export { type ConnectDatabaseOptions, connectDatabase } from './database';
export { type MigrateOptions, migrate } from './migrate';
export { cacheDir, dataDir, repoRoot } from './paths';
export { findFreePort, isPortFree } from './ports';
export { type PostgresHandle, type StartPostgresOptions, startPostgres } from './postgres';
export {
  type EnsureTemporalCliOptions,
  ensureTemporalCli,
  type FindTemporalCliOptions,
  findTemporalCli,
  TEMPORAL_CLI_MODULE,
} from './temporal-cli';
export {
  type StartTemporalDevServerOptions,
  startTemporalDevServer,
  type TemporalDevServer,
} from './temporal-dev-server';
export {
  type EnsureSearchAttributesOptions,
  ensureSearchAttributes,
  type SearchAttributeKind,
} from './temporal-search-attributes';
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
} from './temporal-test-server';
