import { z } from 'zod';

/** `GET /api/connectors`: a kind of address a connector declares, as the builder shows and edits it. */
export const AddressKindInfo = z.object({
  /** The key in a contact's `addresses` (`phone`, `wecomUserId`). */
  name: z.string(),
  label: z.object({ en: z.string(), zh: z.string() }),
  /** A contact's address, or a group's (given by the message, not stored on contacts). */
  of: z.enum(['contact', 'group']),
  /** How an input for it behaves. */
  input: z.enum(['text', 'tel', 'email']),
  /** The channels it reaches a contact on (any one of a channel's kinds will do). */
  channels: z.array(z.string()),
});
export type AddressKindInfo = z.infer<typeof AddressKindInfo>;

/** `GET /api/connectors`: one registered connector. */
export const ConnectorInfo = z.object({
  name: z.string(),
  /** What it does, in English and Chinese. */
  description: z.object({ en: z.string(), zh: z.string() }),
  channels: z.array(z.string()),
  capabilities: z.array(z.string()),
  /** The kind of address it sends to (one of `addressKinds`); none for the outbox, which takes anyone. */
  address: z.string().optional(),
  /** Dotted config paths holding credentials; the API answers them masked. */
  secretFields: z.array(z.string()),
  /** The JSON Schema (draft 2020-12) of the connector's config, as it is written (input). */
  configSchema: z.record(z.string(), z.unknown()),
});
export type ConnectorInfo = z.infer<typeof ConnectorInfo>;

export const ConnectorList = z.object({
  connectors: z.array(ConnectorInfo),
  /** Every address kind the connectors declare: what contacts may carry, in name order. */
  addressKinds: z.array(AddressKindInfo),
  /** Channel → the contact address kinds that reach someone on it, for the dry-run (`compile`'s `reach`). */
  reach: z.record(z.string(), z.array(z.string())),
});
export type ConnectorList = z.infer<typeof ConnectorList>;

/** Which connector delivers a channel, and its config. */
export const ChannelRoute = z.object({
  channel: z.string(),
  connector: z.string(),
  /** Secrets masked. */
  config: z.record(z.string(), z.unknown()),
  updatedAt: z.string(),
});
export type ChannelRoute = z.infer<typeof ChannelRoute>;

/** `GET /api/channels`. */
export const ChannelsAnswer = z.object({
  /** Every channel some connector delivers. */
  channels: z.array(z.string()),
  routes: z.array(ChannelRoute),
});
export type ChannelsAnswer = z.infer<typeof ChannelsAnswer>;

/** `PUT /api/channels/{channel}`: its connector and config (checked against the connector's schema). */
export const RouteBody = z.object({ connector: z.string().min(1), config: z.unknown().default({}) });
export type RouteBody = z.input<typeof RouteBody>;

/** `DELETE /api/channels/{channel}`. */
export const RouteRemoved = z.object({ channel: z.string(), removed: z.boolean() });
export type RouteRemoved = z.infer<typeof RouteRemoved>;

/**
 * Whom a test message goes to: addresses keyed by address kind as the recipient's own fields
 * (`{ "phone": "+86 138…" }`); the connector reads the kind it declares.
 */
export const TestRecipient = z
  .object({ id: z.string().min(1).default('test'), name: z.string().optional() })
  .catchall(z.string().max(320));
export type TestRecipient = z.input<typeof TestRecipient>;

/** `POST /api/channels/{channel}/test`. */
export const TestSendBody = z.object({ to: TestRecipient });
export type TestSendBody = z.input<typeof TestSendBody>;

export const TestSendResult = z.object({
  connector: z.string(),
  /** `duplicate`: this idempotency key went out before; nothing was sent now. */
  status: z.enum(['sent', 'duplicate']),
  providerMessageId: z.string().optional(),
});
export type TestSendResult = z.infer<typeof TestSendResult>;
