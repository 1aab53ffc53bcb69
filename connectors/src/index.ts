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
  type OutboundMessage,
  type Recipient,
  SendError,
  type SendErrorKind,
  type SendResult,
} from './connector';
export { outboxConnector } from './outbox/outbox-connector';
export { ConnectorRegistry, defaultRegistry } from './registry';
