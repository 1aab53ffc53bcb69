export {
  classifyOfficialAccountError,
  type OfficialAccountConfig,
  officialAccountConfigSchema,
  officialAccountConnector,
  officialAccountSecretFields,
} from './official-account-connector';
