export {
  type DeliveryStatusNotification,
  type DsnRecipient,
  dsnStatus,
  emailBouncesHandler,
  parseDeliveryStatusNotification,
} from './bounces';
export { SmtpConfig, smtpConnector, smtpMessageId } from './smtp-connector';
export { classifySmtpError } from './smtp-errors';
export {
  createUnsubscribeToken,
  type UnsubscribeClaims,
  type UnsubscribeTokenCheck,
  verifyUnsubscribeToken,
} from './unsubscribe-token';
