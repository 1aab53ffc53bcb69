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
export { type Config, ConfigError, ConfigSchema, loadConfig } from './config';
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
export { CampaignRequest, type CampaignStatus, Campaigns, scheduleIdOf } from './services/campaigns';
export { ChannelRoutes } from './services/channel-routes';
export {
  ConnectorJobs,
  connectorJobRunId,
  connectorJobScheduleId,
  tagChangeAddressKinds,
} from './services/connector-jobs';
export { ContactChanges } from './services/contact-changes';
export { applyContactChangeSet, ContactEvents } from './services/contact-events';
export { ContactPatch, Contacts } from './services/contacts';
export { EnrollError, Enroller, type EnrollResult } from './services/enroll';
export { EventRouter } from './services/events';
export { FlowControl, FlowControlError } from './services/flow-control';
export { Groups } from './services/groups';
export { tagsPortOf } from './services/provider-tags';
export { RETENTION_PURGE_SCHEDULE, Retention } from './services/retention';
export { Stats, StatsQuery } from './services/stats';
export {
  MigrationError,
  type MigrationReport,
  MigrationRequest,
  VersionMigrator,
} from './services/version-migration';
export { type AppOptions, type RunningApp, startApp } from './start-app';
export {
  type RunFilter,
  type RunSummary,
  runsQuery,
  TemporalGateway,
} from './temporal/gateway';
export {
  ENCRYPTED_ENCODING,
  encryptingDataConverter,
  isEncrypted,
  KEY_ID_METADATA,
  newPayloadKey,
  PayloadEncryptionCodec,
  type PayloadKey,
  PayloadKeyError,
  parsePayloadKeys,
  UnknownPayloadKeyError,
} from './temporal/payload-encryption';
export {
  newWebhookSecret,
  SIGNATURE_HEADER,
  SIGNATURE_TOLERANCE_SECONDS,
  signWebhook,
  verifyWebhookSignature,
} from './webhook-signature';
export { type RunningWorker, startWorker, workflowBundle } from './worker';
