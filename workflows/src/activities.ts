import type {
  Condition,
  Contact,
  ContactUpdate,
  HttpAnswer,
  MessageContent,
  Recipient,
  RenderData,
  RunOutcome,
  SuppressReason,
  TaskFailure,
  WelcomeSend,
} from '@sopflow/core/interpreter';

/** Where an activity call comes from: for records, ledgers and idempotency. */
export interface TaskOrigin {
  /** Stable across retries, replays and worker crashes: the same key never takes effect twice. */
  idempotencyKey: string;
  workflowId: string;
  flowId: string;
  flowName: string;
  flowVersion: number;
  nodeId: string;
  /** The workflow's time when the step ran (epoch ms). */
  at: number;
}

export interface DeliverInput extends TaskOrigin {
  channel: string;
  /** The message template; the activity renders it with `data`. */
  message: MessageContent;
  recipient: Recipient;
  data: RenderData;
  cap?: { max: number; perMs: number };
  /** Set for a new-friend welcome send (see `WelcomeSend`). */
  welcome?: WelcomeSend;
}

/** A send went out, was a duplicate of one that had, or was held back for a reason the flow handles. */
/** `unconfirmed`: an earlier attempt was cut off mid-call by a crash; it was not sent again. */
export type DeliverResult =
  | {
      ok: true;
      status: 'sent' | 'duplicate' | 'unconfirmed';
      providerMessageId?: string;
      /**
       * Set when the provider took the message but has still to hand it over (a WeCom mass-send
       * task waits for staff): the workflow follows it with `followDelivery` this often, this long.
       */
      followUp?: { everyMs: number; giveUpAfterMs: number };
    }
  | ({ ok: false } & TaskFailure);

/** What became of a followed delivery: delivered, or why it will not be. */
export type FollowDeliveryResult = { delivered: true } | { delivered: false; message: string };

export interface UpdateContactInput extends TaskOrigin {
  contactId: string;
  update: ContactUpdate;
  /** The contact's time zone, for check-in dates. */
  zone: string;
  data: RenderData;
}

/**
 * The contact as an update step left it, with its stored revision (which activities recorded
 * before revisions existed lack): a change pushed to the run that is newer wins over it.
 */
export type UpdatedContact = Contact & { revision?: number };

export interface HttpRequestInput extends TaskOrigin {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  data: RenderData;
}

export interface EnrollPageInput {
  flowId: string;
  /** As the campaign's input names it (`CampaignInput.audience`). */
  audience: { where?: Condition; contactIds?: string[]; everyone?: true };
  /** Contacts with ids after this one (id order). */
  after: string | null;
  limit: number;
}

export interface EnrollPageResult {
  /** The last contact id looked at; null when the audience is exhausted. */
  last: string | null;
  scanned: number;
  enrolled: number;
  /** Not matching, already in the flow, or not eligible to re-enter. */
  skipped: number;
}

/**
 * One step of a journey: entering a node (no exit), leaving it by an exit, or a send of the node
 * that did not go out (`suppressed`: skipped, or held until `until`).
 */
export interface JourneyStep {
  nodeId: string;
  exit?: string;
  suppressed?: { channel: string; reason: SuppressReason; until?: number };
  /** The workflow's time (epoch ms). */
  at: number;
  /** The flow version the run was on (it changes when the run is migrated). */
  version: number;
}

export interface RecordJourneyInput {
  workflowId: string;
  /** The first run id of the journey: the enrollment's key, kept across continue-as-new. */
  runId: string;
  flowId: string;
  contactId: string;
  /** Numbered per journey: a batch recorded twice (a retried activity) counts once. */
  batch: number;
  steps: JourneyStep[];
  /** Set by the last batch of a journey: how and where it ended. */
  finished?: { outcome: RunOutcome; nodeId: string; version: number; at: number };
}

/** Which job of which connector to run, for which channel account. */
export interface ConnectorJobInput {
  connector: string;
  /** The channel whose route (account) the job runs for. */
  account: string;
  job: string;
  /** Only this item (a group an inbound call named), not all of them. */
  only?: string;
}

/**
 * The activities the contact flow workflow calls; the worker implements them. A failure that
 * retrying cannot mend is thrown as a non-retryable ApplicationFailure.
 */
export interface SopflowActivities {
  deliver(input: DeliverInput): Promise<DeliverResult>;
  /**
   * Asks the provider what became of a delivery `deliver` left to follow. Fails (retryably) while
   * it is still pending, so Temporal's retries do the polling without a history event each.
   */
  followDelivery(input: DeliverInput): Promise<FollowDeliveryResult>;
  updateContact(input: UpdateContactInput): Promise<UpdatedContact>;
  httpRequest(input: HttpRequestInput): Promise<HttpAnswer>;
  /** Enrolls one page of a campaign's audience. */
  enrollPage(input: EnrollPageInput): Promise<EnrollPageResult>;
  /** Records steps of a journey (and how it ended) for statistics and contact histories. */
  recordJourney(input: RecordJourneyInput): Promise<void>;
  /** One pass of a connector's job for an account; its report (JSON) is the result. */
  runConnectorJob(input: ConnectorJobInput): Promise<Record<string, unknown>>;
  /** Deletes records older than the retention settings say; counts per kind of record. */
  purgeExpired(): Promise<Record<string, number>>;
}
