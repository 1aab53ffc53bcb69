import type { z } from 'zod';
import type { ConnectorRecords } from './records';

/**
 * What providers send sopflow (replies, callbacks), as a connector declares it: a handler per
 * URL under `/api/inbound/`, which checks that the call comes from the provider, reads it, and
 * says what it means as facts; the server mounts every registered handler and acts on the facts
 * (opt-outs, contact events, group members). A new provider's callback is one handler in its
 * connector's folder, and no server code.
 */

/** A provider's call, as a handler sees it. */
export interface InboundRequest {
  method: string;
  /** The URL the provider was given and signs (the public one, not what a proxy forwards to). */
  publicUrl: string;
  /** The path's parameters (`:key` and the like). */
  params: Record<string, string>;
  query: Record<string, string>;
  header(name: string): string | undefined;
  /** The raw body ('' for none). */
  text(): Promise<string>;
  /**
   * The body as JSON, with the server's limits on depth and text (a refusal names what is wrong);
   * undefined for an empty body.
   */
  json(): Promise<unknown>;
}

/** How a member joined: `JoinScene` of the event (0 member invite, 3 QR code), or `join_scene` of groupchat/get. */
export type JoinMethod = 'invite' | 'invite-link' | 'qr-code' | 'unknown';

/** A sopflow event about a group member, ready for the events API once `contactId` is known. */
export interface GroupMemberEvent {
  /** Stable across redeliveries: post it as the event's id so it counts once. */
  id: string;
  name: 'member.joined' | 'member.left';
  /** The sopflow contact, when `contactIdOf` could tell it from the member id. */
  contactId?: string;
  /** The WeCom user id or external user id of the member. */
  memberId: string;
  payload: {
    chatId: string;
    memberId: string;
    source: 'callback' | 'reconcile';
    joinScene?: number;
    joinMethod?: JoinMethod;
    /** The `state` of the join way the member came through, when the provider says (a read of the group). */
    state?: string;
    /**
     * The join ways (sopflow ids) whose groups or state the join matches: a wait for
     * `member.joined` with `payload.joinWays contains "<id>"` waits for a join through that way.
     */
    joinWays?: string[];
    quitScene?: number;
    quitMethod?: 'left' | 'removed' | 'unknown';
    memberType?: 'staff' | 'external';
    memberVersion?: string;
    at?: number;
  };
}

/**
 * What a provider says changed about a contact, applied by the server through its contacts service
 * (so running flows see it) in one locked write. Each part is optional.
 */
export interface ContactChangeSet {
  /** Attributes to set; `null` removes one. */
  attributes?: Record<string, unknown>;
  /** Values to add to list attributes, each kept once (`{ wecomStaffIds: ['zhangsan'] }`). */
  addToLists?: Record<string, readonly string[]>;
  /** Values to take out of list attributes. */
  removeFromLists?: Record<string, readonly string[]>;
  /** The contact's name, set only when it has none (an operator's name for them wins). */
  nameIfUnset?: string;
  /**
   * The tags the provider has for the contact now. The attribute named `attribute` keeps the ones
   * it listed last time: those it no longer lists are removed from the contact's tags, new ones are
   * added, and tags from anywhere else stay.
   */
  providerTags?: { attribute: string; tags: readonly string[] };
}

/**
 * The contacts a connector's job may change (`JobContext.contacts`), named by an address, since a
 * provider knows them by theirs. Kept by the runtime; no SQL in connectors.
 */
export interface ContactsPort {
  /**
   * Applies changes to the contact with this address (compared by the kind's match key) and tells
   * its running flows; false when no contact has it.
   */
  change(address: { kind: string; value: string }, changes: ContactChangeSet): Promise<boolean>;
}

/**
 * Where a message stands, as a provider reports it (the server's lifecycle: `@sopflow/core/api`'s
 * MessageStatus): `delivered`, `read`, `failed` (not handed over), `bounced` (refused for good by the
 * receiving side), `rejected` (refused by the provider), `sent` (accepted, a step a provider may
 * report again).
 */
export type ReportedMessageStatus =
  | 'sent'
  | 'delivered'
  | 'read'
  | 'clicked'
  | 'failed'
  | 'bounced'
  | 'rejected';

/** What a provider told us. */
export type InboundFact =
  /**
   * A person replied to a message from one of the addresses in `from`, of the kind `addressKind`
   * (the handler's connector's own kind when left out; the forms a phone number may be saved in,
   * for SMS); they are compared by the kind's match key. An opt-out word unsubscribes them from the
   * channel; anything else is a `message.received` event (`{ channel, text }` and `payload`), and
   * where the provider honours opt-in words (`honoursOptIn`) one subscribes them again first. `id`
   * is stable across the provider's redeliveries.
   */
  | {
      kind: 'reply';
      id: string;
      channel: string;
      from: string[];
      text: string;
      honoursOptIn: boolean;
      addressKind?: string;
      /** More of what the provider said (the message type, a media id), added to the event's payload. */
      payload?: Record<string, unknown>;
    }
  /**
   * An event about a contact the provider names by an address (a WeCom customer adding a staff
   * member). The contact with that address (by match key) is found, or created with `newContactId`;
   * `changes` are applied to it, once per `id`; then the event is posted as any event is (it starts
   * flows whose trigger it is, wakes `wait_for_event`, converts goals), once per `id` however often
   * the provider redelivers it. `runJob`: the connector's job (`Connector.jobs`) to run in the
   * background for this contact (`only` = the address's value), for reads too slow for the
   * provider's deadline. An Official Account follower's follow, unfollow, message or menu click is
   * one too, by their OpenID.
   */
  | {
      kind: 'contact-event';
      id: string;
      address: { kind: string; value: string };
      newContactId: string;
      name: string;
      payload: Record<string, unknown>;
      changes?: ContactChangeSet;
      runJob?: string;
      /**
       * Whether they now take messages on `channel` (an Official Account follow opts them back in,
       * an unfollow opts them out): applied before the event is posted.
       */
      subscription?: { channel: string; subscribed: boolean };
    }
  /**
   * Members joined or left a customer group. An event without `payload.memberType` names a member
   * of unknown kind (WeCom's callbacks do not say staff or customer). `runJob`: the connector's job
   * (`Connector.jobs`) that reads the group as the provider has it, kinds included; the server
   * runs it in the background for this group when the events do not settle who changed (none
   * named, or a joiner it cannot tell from staff).
   */
  | {
      kind: 'group-members';
      chatId: string;
      events: readonly GroupMemberEvent[];
      runJob?: string;
    }
  /**
   * The provider says something a connector's job reads has changed (WeCom: its corp tag list):
   * the server starts that job (`Connector.jobs`) in the background for `only`, for every channel
   * routed to the connector, and answers the provider at once.
   */
  | { kind: 'job'; job: string; only: string }
  /** The provider dissolved a customer group: it is watched no more. */
  | { kind: 'group-dissolved'; chatId: string }
  /**
   * What became of a message this connector sent, named by the id the provider gave it (the send's
   * `providerMessageId`). The server records each status of a message once, moving it forward only;
   * a report of a message it does not know is logged and answered as taken (providers retry what is
   * refused).
   */
  | {
      kind: 'message-status';
      providerMessageId: string;
      status: ReportedMessageStatus;
      /** When it happened, by the provider's clock (epoch ms), when it says. */
      at?: number;
      /** The provider's code (`DELIVRD`, `30003`, `550 5.1.1`). */
      code?: string;
      /** The provider's words for it. */
      detail?: string;
    };

/** The answer the provider expects, and what its call meant. */
export interface InboundAnswer {
  status: 200;
  body: string;
  /** @default 'text/plain; charset=UTF-8' */
  contentType?: string;
  facts: InboundFact[];
}

/** A call to refuse: its status and a stable code, with a message for whoever configures it. */
export class InboundRefusal extends Error {
  override readonly name = 'InboundRefusal';
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 422 | 500,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** A refusal for a body that is not what the provider sends, naming each field that is off. */
  static invalidPayload(message: string, error: z.ZodError): InboundRefusal {
    const issues = error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    return new InboundRefusal(400, 'invalid_payload', message, issues);
  }
}

/** What the server hands a handler besides the request. */
export interface InboundContext {
  /** A secret of the channel route that goes through this connector (e.g. Twilio's auth token), if set. */
  routeSecret(path: string): Promise<string | undefined>;
  /** The server's settings for this connector's callbacks (e.g. WeCom's token and AES key), if set. */
  settings?: Readonly<Record<string, string>>;
  /**
   * The connector's own records, the same its sends read (the storage port's `records`): what a
   * callback tells later sends, such as when an Official Account follower last wrote.
   */
  records?: ConnectorRecords;
}

export interface InboundHandler {
  /** Under `/api/inbound/`, with hono-style parameters: `twilio`, `aliyun-sms/:key`. */
  path: string;
  methods: readonly ('GET' | 'POST')[];
  /** One line for the API reference. */
  summary: string;
  /**
   * How a call is known to come from the provider:
   * - `url-key`: providers that do not sign; the path carries `:key`, a secret the server derives
   *   per handler and hands the operator as the URL to configure (listed under `label`);
   * - `signed`: `handle` checks the provider's own signature.
   */
  auth: { kind: 'url-key'; label: string } | { kind: 'signed' };
  /** The answers the provider expects, for the API reference. */
  responses: Record<number, string>;
  /** The body's media type when it is not JSON (e.g. Twilio's form encoding), for the API reference. */
  bodyMedia?: string;
  handle(request: InboundRequest, context: InboundContext): Promise<InboundAnswer>;
}
