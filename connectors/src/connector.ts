import type { z } from 'zod';
import type { AddressKind } from './address-kind';
import type { ContactsPort, GroupMemberEvent, InboundHandler } from './inbound';
import type { ConnectorRecords } from './records';

/**
 * One interface for every channel provider. A connector describes its configuration with a
 * zod schema (the builder draws its form from it), sends one message, and says of every
 * failure whether a retry can help.
 */

/**
 * Whom a message goes to: an id, a name, and addresses keyed by address kind, the kinds connectors
 * declare (`{ id: 'c1', phone: '+86 138…', wecomUserId: 'zhangsan' }`); a message into a group adds
 * `groupId`. Each connector reads the kind it declares as `address`.
 */
export interface Recipient {
  id: string;
  name?: string;
  readonly [addressKind: string]: string | undefined;
}

/** What a connector can carry besides plain text. */
/** `welcome`: it sends a new-friend welcome through the add's welcome code (`OutboundMessage.welcome`). */
export type Capability = 'markdown' | 'html' | 'articles' | 'template' | 'mentions' | 'welcome';

/**
 * A message to go out as the new-friend welcome (WeCom 好友欢迎语): the welcome code of the add
 * (absent when WeCom gave none), when the add happened (epoch ms; the code lasts 20 s from then),
 * and what to do when the code cannot be used: send it as an ordinary message, or fail for good.
 */
export interface WelcomeRequest {
  code?: string;
  addedAt?: number;
  otherwise: 'message' | 'failed';
}

export interface OutboundMessage {
  /** Stable across retries and crashes; a connector must not send the same key twice. */
  idempotencyKey: string;
  /** The sopflow channel the flow chose (`wechat`, `email`, `sms`, ...). */
  channel: string;
  to: Recipient;
  /** The rendered text (the plain-text part for email). */
  text: string;
  subject?: string;
  /** How `text` is written. @default 'text' */
  format?: 'text' | 'markdown' | 'html';
  /** Rendered HTML body for email. */
  html?: string;
  /** Who to @mention in a group: WeCom user ids or mobile numbers, or '@all'. */
  mentions?: string[];
  /** A provider-side template (SMS, Official Account template message) and its rendered parameters. */
  template?: { id: string; params: Record<string, string> };
  /** Link cards (WeCom news). */
  articles?: { title: string; description?: string; url: string; picUrl?: string }[];
  /** A working unsubscribe link for this recipient and channel (email List-Unsubscribe, SMS opt-out text). */
  unsubscribeUrl?: string;
  /** Set for a new-friend welcome; only connectors with the `welcome` capability get it. */
  welcome?: WelcomeRequest;
  /** Where the message comes from, for records and provider-side tags. */
  origin: { workflowId: string; flowId: string; flowVersion: number; nodeId: string };
}

export interface SendResult {
  /** `duplicate`: this idempotency key went out before; nothing was sent now. */
  status: 'sent' | 'duplicate';
  providerMessageId?: string;
}

/**
 * - `retryable`: a passing fault (timeout, 5xx, busy); try again with backoff.
 * - `rate-limited`: the provider asked us to slow down; wait `retryAfterMs`, then try again.
 * - `permanent`: it will never succeed (bad address, unsubscribed, outside the allowed window).
 */
export type SendErrorKind = 'retryable' | 'rate-limited' | 'permanent';

export class SendError extends Error {
  override readonly name = 'SendError';
  constructor(
    readonly kind: SendErrorKind,
    message: string,
    readonly details: {
      providerCode?: string | number;
      retryAfterMs?: number;
      /** The field of the request the provider refused, when it says (`staff`: a user id it does not know). */
      field?: string;
      /**
       * The receiving side refused the message for good (an SMTP 5xx to the recipient or the
       * message), as opposed to the provider refusing the request: the message bounced.
       */
      bounced?: boolean;
    } = {},
  ) {
    super(message);
  }
}

export type { ConnectorRecords } from './records';

/** The narrow storage a connector may use: its own records, and the outbox. */
export interface ConnectorStorage {
  records: ConnectorRecords;
  /** Records a message instead of sending it; undefined when its idempotency key was recorded before. */
  recordOutbox(message: OutboundMessage): Promise<{ id: string } | undefined>;
}

/** What the runtime hands a connector when it creates one. */
export interface ConnectorContext {
  storage: ConnectorStorage;
  /** HTTP client; tests point connectors at local fake providers through their config's base URL. */
  fetch?: typeof fetch;
  /** Structured log lines. Never pass secrets. */
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/** What became of a message the provider took but has still to hand over (a task staff confirm). */
export type FollowUpOutcome =
  | { state: 'pending' }
  | { state: 'delivered'; at?: number }
  /** It will not reach the person: the flow takes the send's failure exit. */
  | { state: 'failed'; message: string };

/**
 * For providers that accept a send before it reaches anyone (WeCom mass messages wait for a staff
 * member to confirm them in the app): the runtime asks `check` every `everyMs` until the message
 * is delivered or failed, and counts it failed once `giveUpAfterMs` has passed since it was sent.
 */
export interface FollowUp {
  everyMs: number;
  giveUpAfterMs: number;
  check(providerMessageId: string, to: Recipient): Promise<FollowUpOutcome>;
}

/** A channel code as the operator describes it to the provider. */
export interface ContactWaySpec {
  /** The operator's name for it (the provider may keep a shortened copy as a remark). */
  name: string;
  /** Handed back with each add through this code; unique, short (WeCom: at most 30 characters). */
  state: string;
  /** The staff members a customer who scans it adds (provider user ids). */
  staff: string[];
  /** Whether a customer is added without the staff member's confirmation. */
  skipVerify: boolean;
}

/** A channel code as the provider keeps it. */
export interface ContactWay extends ContactWaySpec {
  /** The provider's id of the code (WeCom's config_id). */
  id: string;
  /** The URL of its QR code image. */
  qrCode: string;
}

/**
 * "Contact me" codes (WeCom 联系我, 渠道活码): a QR code through which a customer adds one of the
 * staff, and whose `state` comes back with that add as the event `addEvent` (in its payload's
 * `state`). Failures are SendErrors: `permanent` ones may name the refused `field`.
 */
export interface ContactWays {
  /** The contact event an add through a code becomes, carrying the code's `state` in its payload. */
  addEvent: string;
  create(spec: ContactWaySpec): Promise<{ id: string; qrCode: string }>;
  /** The code as the provider has it, or undefined when it has none of that id. */
  get(id: string): Promise<ContactWay | undefined>;
  /** The ids of the codes made since `since` (the provider's list by creation time). */
  list(since: Date): Promise<string[]>;
  /** Replaces what the code does; its id and QR code stay. */
  update(id: string, spec: ContactWaySpec): Promise<void>;
  remove(id: string): Promise<void>;
}

export interface ConnectorInstance {
  send(message: OutboundMessage): Promise<SendResult>;
  /** Set by connectors whose provider makes channel codes (WeCom customer contact). */
  contactWays?: ContactWays;
  /** Set by connectors whose `sent` means "accepted, not yet delivered". */
  followUp?: FollowUp;
  /**
   * How long the provider itself drops a repeat of the same send. Within it, a send cut off by a
   * crash may be sent again safely; outside it (or with none), the runtime does not risk a second.
   */
  dedupWindowMs?: number;
  /** Sends a harmless message to check the configuration (the builder's test-send button). */
  test?(to: Recipient): Promise<SendResult>;
  close?(): Promise<void>;
}

/** Localised text: English and Chinese. */
export type Words = {
  en: string;
  zh: string;
};

/**
 * A provider's quota on how many messages one recipient may receive in a calendar period (WeCom:
 * a customer gets at most the days of the month in mass messages). Plain data: the server hands
 * it to the core's compile warnings and cohort dry-run, which count each channel apart.
 */
export interface RecipientLimit {
  /** Stable and unique, e.g. `wecom-mass-send`; a quota an admin set is given by it. */
  id: string;
  channels: readonly string[];
  /** At most `max` per recipient per calendar `per`, counted in `zone`; `daysInMonth`: that month's days. */
  perRecipient: { max: number | 'daysInMonth'; per: 'day' | 'week' | 'month'; zone: string };
  /** What is counted, e.g. "WeCom mass messages". */
  label: Words;
  /** What the provider does past the quota and what admins may set; said after each warning. */
  message: Words;
}

/**
 * A provider's window for free-form messages (WeChat Official Account: customer-service messages
 * within 48 hours of the person's last interaction; template messages at any time). Plain data:
 * the server hands it to the core's compile warnings, which warn of a free-form send reached only
 * after a longer wait.
 */
export interface FreeFormWindow {
  /** Stable and unique, e.g. `wechat-oa-48h`. */
  id: string;
  channels: readonly string[];
  hours: number;
  /** What is limited, e.g. "Official Account customer-service messages". */
  label: Words;
  /** What the provider does outside the window and what to do instead; said after each warning. */
  message: Words;
}

/** A group of recipients the provider keeps (a WeCom customer group), as the runtime last saw it. */
export interface WatchedGroup {
  id: string;
  /** Member ids, in the order they were seen joining. */
  members: string[];
  /** The provider's version of the member list the members were read at, if it has one. */
  memberVersion?: string;
}

/**
 * The groups the runtime watches (every group a callback named) and the door for what a connector
 * learns about their members. Kept by the runtime, shared by every worker; no SQL in connectors.
 */
export interface GroupsPort {
  /** Every watched group, or the one named, in id order. */
  list(only?: string): Promise<WatchedGroup[]>;
  /**
   * Posts member changes as events for their contacts (once: event ids are stable) and notes them
   * in the group's members; how many customers' joins and leaves were posted anew.
   */
  accept(groupId: string, events: readonly GroupMemberEvent[]): Promise<{ joins: number; leaves: number }>;
  /** The provider's member list is the truth now, changes that raced its read included. */
  replaceMembers(groupId: string, members: string[], memberVersion?: string): Promise<void>;
  /** Notes that the group was compared with the provider and nothing had changed. */
  markReconciled(groupId: string): Promise<void>;
  /** Stops watching a group the provider no longer has. */
  forget(groupId: string): Promise<void>;
}

/** A tag of a provider's own catalog (a WeCom corp tag), as the provider lists it. */
export interface ProviderTag {
  id: string;
  name: string;
  /** The provider's order value: a larger one comes first (WeCom). */
  order: number;
  /** When the provider created it, in ms, if it says. */
  createdAt?: number;
  /** The provider lists it as deleted, or no longer lists it. */
  deleted?: boolean;
}

/** A group of a provider's tags, with its tags. */
export interface ProviderTagGroup extends ProviderTag {
  tags: ProviderTag[];
}

/** A sopflow change of one tag of a contact that the provider has still to get. */
export interface PendingTagChange {
  tag: string;
  /** true: the contact got the tag; false: it lost it. */
  wanted: boolean;
  /** When sopflow made the change, in ms. */
  changedAt: number;
}

/** A contact with tag changes for the provider, as it is now. */
export interface ContactTagChanges {
  contactId: string;
  addresses: Readonly<Record<string, string>>;
  attributes: Readonly<Record<string, unknown>>;
  /** The contact's tags now. */
  tags: readonly string[];
  changes: readonly PendingTagChange[];
  /**
   * The newest `payload.at` (ms) of the contact's events with one of the names the job asked about
   * (`editedBy`): when the provider last reported an edit of this contact on its side.
   */
  editedAt?: number;
}

/**
 * The provider's tag catalog, kept by the runtime (Postgres), and the contacts' tag changes sopflow
 * made (flow steps, the contacts API) that the provider has still to be told of. No SQL in connectors.
 */
export interface TagsPort {
  /**
   * The account's catalog is this now: groups and tags are stored with their ids, names and
   * order, and those the provider no longer lists are marked deleted. Returns the counts.
   */
  replaceCatalog(
    account: string,
    groups: readonly ProviderTagGroup[],
  ): Promise<{ groups: number; tags: number; deleted: number }>;
  /** The account's groups and tags that are not deleted, in the provider's order. */
  catalog(account: string): Promise<ProviderTagGroup[]>;
  /** Contacts with tag changes to hand over (only the one named, when given), oldest change first. */
  pending(options: {
    only?: string;
    editedBy: readonly string[];
    limit: number;
  }): Promise<ContactTagChanges[]>;
  /** The changes are dealt with (told to the provider, or superseded); one made again since stays. */
  settle(contactId: string, changes: readonly PendingTagChange[]): Promise<void>;
}

/**
 * How often a job runs: a subset of a Temporal schedule spec (`intervals` in ms, or cron
 * expressions), which the server hands to Temporal as it is.
 */
export interface JobSchedule {
  intervals?: { every: number; offset?: number }[];
  cronExpressions?: string[];
}

/** What a job's run is given: the account's config and instance, and the narrow ports it may use. */
export interface JobContext<Config = unknown> {
  config: Config;
  /** The connector as created for this account (its clients and token caches). */
  instance: ConnectorInstance;
  storage: ConnectorStorage;
  groups: GroupsPort;
  tags: TagsPort;
  /** The contacts the job may change, named by their addresses. */
  contacts: ContactsPort;
  /** Set when a run is asked for one item now (an inbound call named a group or a contact): do only that one. */
  only?: string;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * Work a connector does on a timer for each channel account that uses it (WeCom: compare the
 * watched customer groups with WeCom). The server keeps one Temporal Schedule per job of each
 * configured account, and each run is one `connectorJob` workflow.
 */
export interface ConnectorJob<Config = unknown> {
  /** Unique within the connector; lower case and dashes, e.g. `reconcile-groups`. */
  name: string;
  label: Words;
  /** How often, for an account's config; undefined turns the job off for that account. */
  schedule(config: Config): JobSchedule | undefined;
  /**
   * One pass; what it returns (JSON) is the workflow's result, for operators and tests. Items it
   * could not do go in `failed` (an array), which the server logs when an inbound call ran it.
   */
  run(context: JobContext<Config>): Promise<Record<string, unknown>>;
  /**
   * Also started for one contact (`only` = its id) when sopflow changes the tags of a contact with
   * the connector's address (a flow's update step, the contacts API).
   */
  startsOnTagChange?: boolean;
  /** Also run once when its schedule is made or changed (the server's start, a route change). */
  runsWhenScheduled?: boolean;
}

/**
 * What the builder's channel form shows of a config field, set with `.meta()` and served in the
 * config's JSON Schema: its name as the provider's console writes it, and what to enter.
 */
export type ConfigFieldMeta = {
  label: Words;
  help: Words;
  /** A credential: stored encrypted, shown masked. */
  secret?: boolean;
};

/**
 * `.meta()` argument for a config field:
 * `z.string().meta(configField(['AccessKey ID', 'AccessKey ID'], ['From the RAM console.', '在 RAM 控制台创建。']))`.
 */
export function configField(
  [labelEn, labelZh]: readonly [string, string],
  [helpEn, helpZh]: readonly [string, string],
  more: { secret?: boolean } = {},
): ConfigFieldMeta {
  return { label: { en: labelEn, zh: labelZh }, help: { en: helpEn, zh: helpZh }, ...more };
}

export interface Connector<Config = unknown> {
  /** A unique name, e.g. `outbox`, `wecom-app`, `smtp`. */
  name: string;
  /** What it does, as the channel form shows it under the connector's name. */
  description: Words;
  /** The sopflow channels this connector can deliver on. */
  channels: readonly string[];
  /** What it can carry besides plain text. */
  capabilities?: readonly Capability[];
  /**
   * The kind of address it sends to, declared here (a recipient without one cannot be reached on
   * its channels); none for the outbox, which takes anyone. The address kinds contacts may carry
   * are those the registered connectors declare.
   */
  address?: AddressKind;
  configSchema: z.ZodType<Config>;
  /** Dotted paths of the config's secrets: encrypted at rest, never logged, masked in answers. */
  secretFields?: readonly string[];
  create(config: Config, context: ConnectorContext): ConnectorInstance;
  /** What the provider sends back (replies, callbacks): mounted by the server under `/api/inbound/`. */
  inbound?: readonly InboundHandler[];
  /** The provider's quotas per recipient, for the publish warnings and the cohort dry-run. */
  limits?: readonly RecipientLimit[];
  /** The provider's windows for free-form messages, for the publish warnings. */
  freeFormWindows?: readonly FreeFormWindow[];
  /** Work on a timer, per configured account: scheduled by the server. */
  jobs?: readonly ConnectorJob<Config>[];
}

/** Declares a connector with its config type inferred from its schema. */
export function defineConnector<Schema extends z.ZodType>(
  connector: Connector<z.infer<Schema>> & { configSchema: Schema },
): Connector<z.infer<Schema>> {
  return connector;
}
