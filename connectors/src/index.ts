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
  ADDRESS_KINDS,
  type AddressKind,
  type Capability,
  type Connector,
  type ConnectorContext,
  type ConnectorInstance,
  type ConnectorJob,
  type ConnectorRecords,
  type ConnectorStorage,
  defineConnector,
  type FollowUp,
  type FollowUpOutcome,
  type GroupsPort,
  type JobContext,
  type JobSchedule,
  type OutboundMessage,
  type Recipient,
  type RecipientLimit,
  SendError,
  type SendErrorKind,
  type SendResult,
  type WatchedGroup,
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
export {
  type GroupMemberEvent,
  type InboundAnswer,
  type InboundContext,
  type InboundFact,
  type InboundHandler,
  InboundRefusal,
  type InboundRequest,
  type JoinMethod,
} from './inbound';
export * from './official-account';
export { outboxConnector } from './outbox/outbox-connector';
export { ConnectorRegistry, defaultRegistry } from './registry';
export { memoryStorage } from './shared/memory-storage';
export * from './sms';
export * from './wecom';
