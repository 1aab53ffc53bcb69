/**
 * @sopflow/connectors: channel connectors behind one interface.
 *
 * @example
 * ```ts
 * import { defaultRegistry, SendError } from '@sopflow/connectors';
 * const outbox = defaultRegistry().get('outbox')!.create({}, { storage: memoryStorage() });
 * await outbox.send({ idempotencyKey, channel: 'wechat', to: { id: 'c1' }, text: 'Hi', origin });
 * ```
 */

export {
  type AddressKind,
  defineAddressKind,
  matchKeyOf,
} from './address-kind';
export {
  type Capability,
  type Connector,
  type ConnectorContext,
  type ConnectorInstance,
  type ConnectorJob,
  type ConnectorRecords,
  type ConnectorStorage,
  type ContactTagChanges,
  type ContactWay,
  type ContactWaySpec,
  type ContactWays,
  defineConnector,
  type FollowUp,
  type FollowUpOutcome,
  type FreeFormWindow,
  type GroupsPort,
  type JobContext,
  type JobSchedule,
  type OutboundMessage,
  type PendingTagChange,
  type ProviderTag,
  type ProviderTagGroup,
  type Recipient,
  type RecipientLimit,
  SendError,
  type SendErrorKind,
  type SendResult,
  type TagsPort,
  type WatchedGroup,
  type WelcomeRequest,
  type Words,
} from './connector';
export {
  classifySmtpError,
  createUnsubscribeToken,
  SmtpConfig,
  smtpConnector,
  smtpMessageId,
  type UnsubscribeClaims,
  type UnsubscribeTokenCheck,
  verifyUnsubscribeToken,
} from './email';
export { emailAddress } from './email/email-address';
export {
  type ContactChangeSet,
  type ContactsPort,
  type GroupMemberEvent,
  type InboundAnswer,
  type InboundContext,
  type InboundFact,
  type InboundHandler,
  InboundRefusal,
  type InboundRequest,
  type JoinMethod,
  type ReportedMessageStatus,
} from './inbound';
export * from './official-account';
export { openIdAddress } from './official-account/open-id-address';
export { outboxConnector } from './outbox/outbox-connector';
export { ConnectorRegistry, defaultRegistry } from './registry';
export { memoryStorage } from './shared/memory-storage';
export * from './sms';
export { phoneAddress } from './sms/phone-address';
export * from './wecom';
export { weComExternalUserIdAddress, weComGroupAddress, weComUserIdAddress } from './wecom/addresses';
