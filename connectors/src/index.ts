/**
 * @sopflow/connectors: channel connectors behind one interface.
 *
 * @example
 * ```ts
 * import { defaultRegistry, SendError } from '@sopflow/connectors';
 * const outbox = defaultRegistry().get('outbox')!.create({}, { sql });
 * await outbox.send({ idempotencyKey, channel: 'wechat', to: { id: 'c1' }, text: 'Hi', origin });
 * ```
 */

export {
  type Capability,
  type Connector,
  type ConnectorContext,
  type ConnectorInstance,
  defineConnector,
  type FollowUp,
  type FollowUpOutcome,
  type OutboundMessage,
  type Recipient,
  SendError,
  type SendErrorKind,
  type SendResult,
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
export * from './official-account';
export { outboxConnector } from './outbox/outbox-connector';
export { ConnectorRegistry, defaultRegistry } from './registry';
export * from './sms';
export * from './wecom';
