import type { ConnectorStorage } from '@sopflow/connectors';
import type { Sql } from 'postgres';
import { Accounts } from './accounts';
import { CampaignRepository } from './campaigns';
import { ChannelCodeRepository } from './channel-codes';
import { ChannelRouteRepository } from './channel-routes';
import { ConnectorRecordRepository } from './connector-records';
import { type AddressMatchKey, ContactRepository } from './contacts';
import { connectDatabase } from './database';
import { DeliveryRepository } from './deliveries';
import { EnrollmentRepository } from './enrollments';
import { type ErasureRef, ErasureRepository, erasureRefUnder } from './erasures';
import { EventRepository } from './events';
import { FlowRepository } from './flows';
import { GroupEntryRepository } from './group-entry';
import { InboundFactRepository } from './inbound-facts';
import { IntegratorWebhookRepository } from './integrator-webhooks';
import { JourneyRepository } from './journeys';
import { MessageStatusRepository } from './message-statuses';
import { migrate } from './migrate';
import { ProviderTagRepository } from './provider-tags';
import { RetentionRepository } from './retention';
import { StatsRepository } from './stats';
import { WatchedGroupRepository } from './watched-groups';
import { WebhookAnswerRepository } from './webhook-answers';

export interface DatabaseOptions {
  /**
   * The key inbound lookups compare for an address of a kind (a phone's digits), as the
   * connector declaring the kind says (`ConnectorRegistry.matchKey`).
   */
  addressMatchKey: AddressMatchKey;
  /**
   * Address kinds of the connectors that mark contacts' tags on the provider's side: tag changes of
   * contacts with such an address are noted for them. @default none
   */
  tagChangeAddressKinds?: readonly string[];
  /**
   * The key erased contacts' references are made under (SOPFLOW_SECRET_KEY), so a tombstone
   * recognises an id without revealing it. @default none: a one-way hash of the id
   */
  erasureKey?: string;
}

/**
 * The persistence layer: every SQL statement of the server is in a repository here, one per
 * table family; services and routes call their methods and never see SQL.
 */
export class Database {
  /** Users, API tokens, sessions and the audit log. */
  readonly accounts: Accounts;
  /** Campaigns launched through the API and their progress. */
  readonly campaigns: CampaignRepository;
  /** Channel codes (渠道活码) and what came through each. */
  readonly channelCodes: ChannelCodeRepository;
  readonly channelRoutes: ChannelRouteRepository;
  readonly connectorRecords: ConnectorRecordRepository;
  readonly flows: FlowRepository;
  /** Join ways and group welcome templates. */
  readonly groupEntry: GroupEntryRepository;
  readonly inboundFacts: InboundFactRepository;
  readonly contacts: ContactRepository;
  readonly enrollments: EnrollmentRepository;
  /** Erased contacts' tombstones, and the erasure of a contact's data from every table. */
  readonly erasures: ErasureRepository;
  readonly events: EventRepository;
  readonly deliveries: DeliveryRepository;
  readonly journeys: JourneyRepository;
  /** What became of each message: its statuses and where it stands now. */
  readonly messageStatuses: MessageStatusRepository;
  /** Integrators' webhook subscriptions, the events for them and the delivery log. */
  readonly integratorWebhooks: IntegratorWebhookRepository;
  /** Providers' tag catalogs (WeCom corp tags) and the tag changes they have still to get. */
  readonly providerTags: ProviderTagRepository;
  /** How long records are kept, and the purge of older ones. */
  readonly retention: RetentionRepository;
  readonly stats: StatsRepository;
  readonly watchedGroups: WatchedGroupRepository;
  readonly webhookAnswers: WebhookAnswerRepository;

  constructor(
    /** The connection pool, for what still writes its own SQL and for tests. */
    readonly sql: Sql,
    options: DatabaseOptions,
  ) {
    this.accounts = new Accounts(sql);
    this.campaigns = new CampaignRepository(sql);
    this.channelCodes = new ChannelCodeRepository(sql);
    this.channelRoutes = new ChannelRouteRepository(sql);
    this.connectorRecords = new ConnectorRecordRepository(sql);
    this.flows = new FlowRepository(sql);
    this.groupEntry = new GroupEntryRepository(sql);
    this.inboundFacts = new InboundFactRepository(sql);
    const erasureRef: ErasureRef = erasureRefUnder(options.erasureKey);
    this.contacts = new ContactRepository(
      sql,
      options.addressMatchKey,
      options.tagChangeAddressKinds,
      erasureRef,
    );
    this.enrollments = new EnrollmentRepository(sql);
    this.erasures = new ErasureRepository(sql, erasureRef);
    this.events = new EventRepository(sql, erasureRef);
    this.deliveries = new DeliveryRepository(sql);
    this.journeys = new JourneyRepository(sql);
    this.messageStatuses = new MessageStatusRepository(sql);
    this.integratorWebhooks = new IntegratorWebhookRepository(sql);
    this.providerTags = new ProviderTagRepository(sql);
    this.retention = new RetentionRepository(sql);
    this.stats = new StatsRepository(sql);
    this.watchedGroups = new WatchedGroupRepository(sql);
    this.webhookAnswers = new WebhookAnswerRepository(sql);
  }

  /** Opens a pool on a Postgres URL (see connectDatabase for its settings). */
  static open(url: string, options: DatabaseOptions): Database {
    return new Database(connectDatabase(url), options);
  }

  /** The storage port a connector is created with: its own records, and the outbox. */
  connectorStorage(connector: string): ConnectorStorage {
    return {
      records: this.connectorRecords.of(connector),
      recordOutbox: (message) => this.deliveries.recordOutbox(message),
    };
  }

  /** Applies the migrations not applied yet; answers their names. */
  migrate(): Promise<string[]> {
    return migrate(this.sql);
  }

  end(): Promise<void> {
    return this.sql.end({ timeout: 5 });
  }
}

export { type CampaignPageRecord, CampaignRepository } from './campaigns';
export { type ChannelCodeCounts, type ChannelCodeRecord, ChannelCodeRepository } from './channel-codes';
export {
  type AddressMatchKey,
  type ContactAudience,
  ContactRepository,
  type ContactRevision,
  type ContactRow,
  type ContactWrite,
  contactFromRow,
} from './contacts';
export {
  DeliveryRepository,
  type FollowState,
  type OutboxRecord,
  type SendClaim,
  type SendGate,
} from './deliveries';
export { EnrollmentRepository } from './enrollments';
export {
  ContactErasedError,
  type ErasureCounts,
  type ErasureRef,
  ErasureRepository,
  erasureRefUnder,
} from './erasures';
export { EventRepository } from './events';
export { type FlowRecord, FlowRepository, type FlowStatus, type FlowVersionRecord } from './flows';
export { GroupEntryRepository, type JoinWayWrite, type WelcomeTemplateWrite } from './group-entry';
export { InboundFactRepository, type KeptFact } from './inbound-facts';
export {
  type DueDelivery,
  type IntegratorEventInput,
  IntegratorWebhookRepository,
  publishIntegratorEvent,
  type SubscriptionRow,
} from './integrator-webhooks';
export { JourneyRepository } from './journeys';
export {
  type DeliveryLifecycle,
  type MessageStatusRecord,
  MessageStatusRepository,
  type RecordedStatus,
} from './message-statuses';
export { ProviderTagRepository, type TagCatalog, type TagChange } from './provider-tags';
export { RetentionRepository } from './retention';
export { StatsRepository } from './stats';
export { type WatchedGroupRecord, WatchedGroupRepository } from './watched-groups';
export { WebhookAnswerRepository } from './webhook-answers';
