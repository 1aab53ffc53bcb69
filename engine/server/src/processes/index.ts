export { type ConnectDatabaseOptions, connectDatabase } from '../persistence/database';
export { type MigrateOptions, migrate } from '../persistence/migrate';
export {
  type EnsureSearchAttributesOptions,
  ensureSearchAttributes,
  type SearchAttributeKind,
} from '../temporal/search-attributes';
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
