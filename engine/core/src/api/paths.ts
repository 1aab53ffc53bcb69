import type { FlowDocumentInput } from '../flow/schema';
import type { LoggedOut, LoginAnswer, LoginBody, Me } from './auth';
import type {
  AudienceCount,
  AudienceCountRequest,
  CampaignCancelled,
  CampaignList,
  CampaignListQuery,
  CampaignRequest,
  CampaignStarted,
  CampaignStatus,
} from './campaigns';
import type { ChannelCode, ChannelCodeBody, ChannelCodeList, ChannelCodeRemoved } from './channel-codes';
import type {
  ChannelRoute,
  ChannelsAnswer,
  ConnectorList,
  RouteBody,
  RouteRemoved,
  TestSendBody,
  TestSendResult,
} from './channels';
import type {
  ContactErasure,
  ContactHistory,
  ContactImportQuery,
  ContactListQuery,
  ContactPage,
  ImportReport,
} from './contacts';
import type { ErrorBody } from './errors';
import type {
  EnrollBody,
  FlowAnswer,
  FlowControlled,
  FlowExport,
  FlowImportBody,
  FlowImported,
  FlowImportQuery,
  FlowList,
  FlowListQuery,
  FlowSaved,
  FlowStats,
  FlowValidation,
  FlowVersion,
  FromTemplateBody,
  MigrationBody,
  MigrationReport,
  NodeContacts,
  NodeContactsQuery,
  PublishBody,
  Published,
  RollbackBody,
  RolledBack,
  SimulateAnswer,
  SimulateBody,
  StatsQuery,
  StopBody,
  TemplateList,
  VersionList,
  WebhookInfo,
  WebhookTestAnswer,
} from './flows';
import type {
  GroupEntryRemoved,
  JoinWay,
  JoinWayBody,
  JoinWayList,
  WelcomeTemplate,
  WelcomeTemplateBody,
  WelcomeTemplateEdit,
  WelcomeTemplateList,
} from './groups';
import type {
  IntegratorDeliveryList,
  IntegratorDeliveryQuery,
  IntegratorReplayed,
  Subscription,
  SubscriptionCreate,
  SubscriptionList,
  SubscriptionRemoved,
  SubscriptionUpdate,
} from './integrator-webhooks';
import type { RetentionSettings } from './settings';
import type { ProviderTagList } from './tags';

/**
 * The routes the builder calls, as a type in the shape openapi-fetch reads (the shape
 * openapi-typescript generates from an OpenAPI document), written from the contract's schemas
 * rather than generated: `createClient<ApiPaths>()` gives a client whose paths, parameters,
 * bodies and answers are the contract's. The server documents the same schemas in its OpenAPI
 * document (`GET /api/openapi.json`), and an end-to-end test parses its real answers with them.
 */

type Json<T> = { headers: Record<string, unknown>; content: { 'application/json': T } };

/** One operation: its parameters, JSON body (when it takes one) and answers; errors are `ErrorBody`. */
type Operation<
  Answers extends Record<number, unknown>,
  Options extends { path?: Record<string, string>; query?: object; body?: unknown } = object,
> = {
  parameters: {
    query?: Options extends { query: infer Q } ? Q : never;
    header?: never;
    cookie?: never;
  } & (Options extends { path: infer P } ? { path: P } : { path?: never });
  responses: { [Status in keyof Answers]: Json<Answers[Status]> } & { default: Json<ErrorBody> };
} & (Options extends { body: infer B } ? { requestBody: { content: { 'application/json': B } } } : object);

type FlowPath = { id: string };

export interface ApiPaths {
  '/api/auth/login': { post: Operation<{ 200: LoginAnswer }, { body: LoginBody }> };
  '/api/auth/me': { get: Operation<{ 200: Me }> };
  '/api/auth/logout': { post: Operation<{ 200: LoggedOut }, { body: Record<string, never> }> };

  '/api/flows': { get: Operation<{ 200: FlowList }, { query: FlowListQuery }> };
  '/api/templates': { get: Operation<{ 200: TemplateList }> };
  '/api/flows/from-template': { post: Operation<{ 201: FlowAnswer }, { body: FromTemplateBody }> };
  '/api/flows/import': {
    post: Operation<{ 201: FlowImported }, { query: FlowImportQuery; body: FlowImportBody }>;
  };
  '/api/flows/{id}': {
    get: Operation<{ 200: FlowAnswer }, { path: FlowPath }>;
    put: Operation<{ 200: FlowSaved }, { path: FlowPath; body: FlowDocumentInput }>;
    delete: Operation<{ 200: FlowControlled }, { path: FlowPath }>;
  };
  '/api/flows/{id}/pause': { post: Operation<{ 200: FlowControlled }, { path: FlowPath }> };
  '/api/flows/{id}/resume': { post: Operation<{ 200: FlowControlled }, { path: FlowPath }> };
  '/api/flows/{id}/stop': { post: Operation<{ 200: FlowControlled }, { path: FlowPath; body: StopBody }> };
  '/api/flows/{id}/export': { get: Operation<{ 200: FlowExport }, { path: FlowPath }> };
  '/api/flows/{id}/publish': {
    post: Operation<{ 200: Published; 201: Published }, { path: FlowPath; body: PublishBody }>;
  };
  '/api/flows/{id}/rollback': {
    post: Operation<{ 201: RolledBack }, { path: FlowPath; body: RollbackBody }>;
  };
  '/api/flows/{id}/validate': { post: Operation<{ 200: FlowValidation }, { path: FlowPath }> };
  '/api/flows/{id}/migrate': {
    post: Operation<{ 200: MigrationReport }, { path: FlowPath; body: MigrationBody }>;
  };
  '/api/flows/{id}/stats': { get: Operation<{ 200: FlowStats }, { path: FlowPath; query: StatsQuery }> };
  '/api/flows/{id}/nodes/{nodeId}/contacts': {
    get: Operation<
      { 200: NodeContacts },
      { path: FlowPath & { nodeId: string }; query: Partial<NodeContactsQuery> }
    >;
  };
  '/api/flows/{id}/versions': { get: Operation<{ 200: VersionList }, { path: FlowPath }> };
  '/api/flows/{id}/versions/{version}': {
    get: Operation<{ 200: FlowVersion }, { path: FlowPath & { version: string } }>;
  };
  '/api/flows/{id}/webhook': { get: Operation<{ 200: WebhookInfo }, { path: FlowPath }> };
  '/api/flows/{id}/webhook/test': {
    post: Operation<{ 200: WebhookTestAnswer }, { path: FlowPath; body: EnrollBody }>;
  };
  '/api/flows/{id}/simulate': {
    post: Operation<{ 200: SimulateAnswer }, { path: FlowPath; body: SimulateBody }>;
  };

  '/api/settings/retention': {
    get: Operation<{ 200: RetentionSettings }>;
    put: Operation<{ 200: RetentionSettings }, { body: RetentionSettings }>;
  };

  '/api/contacts': { get: Operation<{ 200: ContactPage }, { query: ContactListQuery }> };
  '/api/contacts/{id}': {
    get: Operation<{ 200: ContactHistory }, { path: FlowPath }>;
    delete: Operation<{ 200: ContactErasure }, { path: FlowPath }>;
  };
  '/api/contacts/import': {
    // The body is a file (CSV, a JSON array or NDJSON), sent as it is.
    post: Operation<{ 200: ImportReport }, { query: ContactImportQuery; body: Blob }>;
  };

  '/api/campaigns': {
    get: Operation<{ 200: CampaignList }, { query: CampaignListQuery }>;
    post: Operation<{ 202: CampaignStarted }, { body: CampaignRequest }>;
  };
  '/api/campaigns/audience': { post: Operation<{ 200: AudienceCount }, { body: AudienceCountRequest }> };
  '/api/campaigns/{id}': { get: Operation<{ 200: CampaignStatus }, { path: FlowPath }> };
  '/api/campaigns/{id}/cancel': {
    post: Operation<{ 202: CampaignCancelled }, { path: FlowPath; body: Record<string, never> }>;
  };

  '/api/connectors': { get: Operation<{ 200: ConnectorList }> };
  '/api/tags': { get: Operation<{ 200: ProviderTagList }> };
  '/api/channels': { get: Operation<{ 200: ChannelsAnswer }> };
  '/api/channels/{channel}': {
    put: Operation<{ 200: ChannelRoute }, { path: { channel: string }; body: RouteBody }>;
    delete: Operation<{ 200: RouteRemoved }, { path: { channel: string } }>;
  };
  '/api/groups/join-ways': {
    get: Operation<{ 200: JoinWayList }>;
    post: Operation<{ 201: JoinWay }, { body: JoinWayBody }>;
  };
  '/api/groups/join-ways/{id}': {
    get: Operation<{ 200: JoinWay }, { path: FlowPath }>;
    put: Operation<{ 200: JoinWay }, { path: FlowPath; body: JoinWayBody }>;
    delete: Operation<{ 200: GroupEntryRemoved }, { path: FlowPath }>;
  };
  '/api/groups/welcome-templates': {
    get: Operation<{ 200: WelcomeTemplateList }>;
    post: Operation<{ 201: WelcomeTemplate }, { body: WelcomeTemplateBody }>;
  };
  '/api/groups/welcome-templates/{id}': {
    get: Operation<{ 200: WelcomeTemplate }, { path: FlowPath }>;
    put: Operation<{ 200: WelcomeTemplate }, { path: FlowPath; body: WelcomeTemplateEdit }>;
    delete: Operation<{ 200: GroupEntryRemoved }, { path: FlowPath }>;
  };

  '/api/channels/{channel}/test': {
    post: Operation<{ 200: TestSendResult }, { path: { channel: string }; body: TestSendBody }>;
  };

  '/api/channel-codes': {
    get: Operation<{ 200: ChannelCodeList }>;
    post: Operation<{ 201: ChannelCode }, { body: ChannelCodeBody }>;
  };
  '/api/channel-codes/{id}': {
    get: Operation<{ 200: ChannelCode }, { path: FlowPath }>;
    put: Operation<{ 200: ChannelCode }, { path: FlowPath; body: ChannelCodeBody }>;
    delete: Operation<{ 200: ChannelCodeRemoved }, { path: FlowPath }>;
  };

  '/api/webhook-subscriptions': {
    get: Operation<{ 200: SubscriptionList }>;
    post: Operation<{ 201: Subscription }, { body: SubscriptionCreate }>;
  };
  '/api/webhook-subscriptions/{id}': {
    get: Operation<{ 200: Subscription }, { path: FlowPath }>;
    put: Operation<{ 200: Subscription }, { path: FlowPath; body: SubscriptionUpdate }>;
    delete: Operation<{ 200: SubscriptionRemoved }, { path: FlowPath }>;
  };
  '/api/webhook-subscriptions/{id}/deliveries': {
    get: Operation<{ 200: IntegratorDeliveryList }, { path: FlowPath; query: IntegratorDeliveryQuery }>;
  };
  '/api/webhook-subscriptions/{id}/deliveries/{eventId}/replay': {
    post: Operation<
      { 202: IntegratorReplayed },
      { path: { id: string; eventId: string }; body: Record<string, never> }
    >;
  };
}
