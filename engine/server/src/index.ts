/**
 * @sopflow/server: the Node runtime around the isomorphic core: the API server, the
 * Temporal worker, persistence, and the local stack `npm start` runs (`localStack`).
 *
 * @example
 * ```ts
 * import { loadConfig, startApp } from '@sopflow/server';
 * const app = await startApp({ config: loadConfig(), databaseUrl, temporalAddress, temporalUiUrl });
 * ```
 */

export { createActivities } from './activities';
export { type ApiOptions, createApi, openApiDocument } from './api/app';
export { CSRF_HEADER, SESSION_COOKIE } from './api/auth';
export { CampaignRequest, type CampaignStatus, Campaigns, scheduleIdOf } from './campaigns';
export { ChannelRoutes } from './channel-routes';
export { type Config, ConfigError, ConfigSchema, loadConfig } from './config';
export { ContactPatch, Contacts } from './contacts';
export { EnrollError, Enroller, type EnrollResult } from './enroll';
export { EventRouter } from './events';
export { FlowControl, FlowControlError } from './flow-control';
export * as localStack from './local-stack';
export {
  ContactRepository,
  Database,
  DeliveryRepository,
  EnrollmentRepository,
  EventRepository,
  type FlowRecord,
  FlowRepository,
  type FlowStatus,
  type FlowVersionRecord,
  type OutboxRecord,
} from './persistence';
export {
  AccountError,
  Accounts,
  type ApiToken,
  type AuditEntry,
  type Principal,
  ROLES,
  Role,
  roleAllows,
  TOKEN_PREFIX,
  type User,
} from './persistence/accounts';
export { type AppOptions, type RunningApp, startApp } from './start-app';
export { Stats, StatsQuery } from './stats';
export {
  type RunFilter,
  type RunSummary,
  runsQuery,
  TemporalGateway,
} from './temporal/gateway';
export {
  MigrationError,
  type MigrationReport,
  MigrationRequest,
  VersionMigrator,
} from './version-migration';
export {
  newWebhookSecret,
  SIGNATURE_HEADER,
  SIGNATURE_TOLERANCE_SECONDS,
  signWebhook,
  verifyWebhookSignature,
} from './webhook-signature';
export { syncWeComReconcileSchedule, WECOM_RECONCILE_SCHEDULE, WeComGroups } from './wecom-groups';
export { type RunningWorker, startWorker, workflowBundle } from './worker';
