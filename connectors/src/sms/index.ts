export { msUntilLocalTime } from '../shared/local-time';
export {
  isOptedOut,
  OptedOutError,
  type ProviderErrorDetails,
  ProviderSendError,
} from '../shared/provider-errors';
export {
  ALIYUN_OPT_OUT_CODES,
  type AliyunSmsConfig,
  aliyunCanonicalizedQuery,
  aliyunPercentEncode,
  aliyunRpcSignature,
  aliyunSmsConfigSchema,
  aliyunSmsConnector,
  aliyunSmsSecretFields,
  aliyunStringToSign,
  classifyAliyunError,
} from './aliyun-sms-connector';
export {
  appendOptOutLine,
  DEFAULT_OPT_OUT_KEYWORDS,
  DEFAULT_OPT_OUT_LINES,
  enforceSendWindow,
  isOptInReply,
  isOptOutReply,
  isWithinSendWindow,
  type Locale,
  type OptOutLineConfig,
  optOutLine,
  optOutLineSchema,
  type SendWindow,
  sendWindowSchema,
} from './compliance';
export {
  aliyunRepliesHandler,
  aliyunReportsHandler,
  tencentRepliesHandler,
  tencentStatusHandler,
  twilioInboundHandler,
  twilioStatusHandler,
} from './inbound';
export {
  classifyTencentCode,
  type TencentSmsConfig,
  tc3Sign,
  tencentSmsConfigSchema,
  tencentSmsConnector,
  tencentSmsSecretFields,
} from './tencent-sms-connector';
export {
  computeTwilioSignature,
  parseTwilioForm,
  type TwilioParams,
  verifyTwilioSignature,
} from './twilio-signature';
export {
  classifyTwilioError,
  type TwilioSmsConfig,
  twilioSmsConfigSchema,
  twilioSmsConnector,
  twilioSmsSecretFields,
} from './twilio-sms-connector';
