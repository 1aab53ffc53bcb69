/**
 * WeCom (企业微信): application messages, group robots, customer mass messages, the inbound
 * callback (customer, group and app-message events), reading customers, group reconciliation and
 * corp customer tags both ways. The fake server for tests is in ./fake-wecom-server.
 */

export {
  appMessageBody,
  createAppMessageSender,
  type WeComDeps,
  weComAppConnector,
} from './app-message-connector';
export { readAppMessage } from './app-messages';
export {
  type CallbackErrorCode,
  type CallbackOutcome,
  type CallbackQuery,
  callbackSignature,
  decryptMessage,
  deliveryKeyOf,
  type EventFields,
  echoForTest,
  encryptForTest,
  encryptMessage,
  type GroupMemberChange,
  handleWeComCallback,
  openCallbackEvent,
  parseEventXml,
  readGroupMemberChange,
  verifyCallbackUrl,
  WeComCallbackError,
} from './callback';
export { AppMessageConfig, CallbackConfig, GroupRobotConfig, MassSendConfig } from './config';
export {
  WECOM_CONTACT_WAY_STAFF_MAX,
  WECOM_CONTACT_WAY_TEXT_MAX,
  WECOM_CUSTOMER_ADDED_EVENT,
  weComContactWays,
} from './contact-ways';
export {
  type CorpTagsApi,
  type CorpTagsInstance,
  corpTagsApi,
  MARK_TAGS_JOB,
  type MarkTagsReport,
  markTagsJob,
  SYNC_CORP_TAGS_JOB,
  staffIdsOf,
  supersededBy,
  syncCorpTagsJob,
  WECOM_CUSTOMER_EDIT_EVENTS,
} from './corp-tags';
export {
  CUSTOMER_ATTRIBUTES,
  CUSTOMER_EVENTS,
  type CustomerEventName,
  customerContactId,
  READ_CUSTOMER_JOB,
  readCustomerEvent,
} from './customer-events';
export {
  type GroupEntryInstance,
  type GroupEntryManager,
  hasGroupEntry,
  JOIN_WAY_LIMITS,
  type JoinWay,
  type JoinWaySettings,
  WELCOME_TEMPLATE_LIMITS,
  type WelcomeAttachment,
  type WelcomeTemplate,
  type WelcomeTemplateContent,
  weComGroupEntry,
} from './group-entry';
export {
  createGroupRobotSender,
  robotMessageBody,
  splitMentions,
  weComGroupRobotConnector,
} from './group-robot-connector';
export { weComCallbackFacts, weComCallbackHandler } from './inbound';
export { WECOM_MASS_SEND_LIMIT } from './limits';
export {
  createMassSender,
  idempotencyMarker,
  type MassSendDeps,
  type MassSendInstance,
  type MassSendOutcome,
  weComMassSendConnector,
} from './mass-send-connector';
export {
  type MassSendRecord,
  type MassSendStore,
  recordsMassSendStore,
} from './mass-send-store';
export {
  type CustomerReader,
  readCustomer,
  readCustomerJob,
  type WeComCustomer,
} from './read-customer-job';
export { type GroupMember, type KnownGroup, type ReconcileResult, reconcileGroup } from './reconcile';
export {
  type CustomerGroupReader,
  type GroupReconcileReport,
  RECONCILE_GROUPS_JOB,
  reconcileGroupsJob,
} from './reconcile-job';
export { type CorpTagChange, type CorpTagChangeType, readCorpTagChange } from './tag-events';
export {
  DEFAULT_WECOM_BASE_URL,
  errcodeToSendError,
  resetWeComTokenCache,
  WeComClient,
  type WeComClientOptions,
} from './wecom-client';
export {
  sendWelcome,
  WELCOME_CODE_LIFETIME_MS,
  type WelcomeOutcome,
  welcomeBody,
} from './welcome';
