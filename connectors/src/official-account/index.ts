export {
  type CallbackMode,
  type FollowerAction,
  type FollowerCallbackEvent,
  handleOfficialAccountCallback,
  type OfficialAccountCallbackConfig,
  readFollowerEvent,
  signCallback,
} from './callback';
export { followerEventFact, officialAccountCallbackHandler } from './inbound';
export {
  classifyOfficialAccountError,
  type OfficialAccountConfig,
  officialAccountConfigSchema,
  officialAccountConnector,
  officialAccountSecretFields,
} from './official-account-connector';
export { OFFICIAL_ACCOUNT_SERVICE_WINDOW, OUTSIDE_WINDOW, SERVICE_WINDOW_MS } from './service-window';
