import { z } from 'zod';

/**
 * The kinds of address a message can go to (a contact's addresses, or a group). Connectors declare
 * theirs from the same list in the connector interface (connectors/src/connector.ts), which cannot
 * import the core.
 */
export const ADDRESS_KINDS = [
  'phone',
  'email',
  'wecomUserId',
  'wecomExternalUserId',
  'openId',
  'groupId',
] as const;
export type AddressKind = (typeof ADDRESS_KINDS)[number];

/** `GET /api/connectors`: one registered connector. */
export const ConnectorInfo = z.object({
  name: z.string(),
  description: z.string(),
  channels: z.array(z.string()),
  capabilities: z.array(z.string()),
  /** The kind of address it sends to (one of ADDRESS_KINDS); none for the outbox, which takes anyone. */
  address: z.string().optional(),
  /** Dotted config paths holding credentials; the API answers them masked. */
  secretFields: z.array(z.string()),
  /** The JSON Schema (draft 2020-12) of the connector's config, as it is written (input). */
  configSchema: z.record(z.string(), z.unknown()),
});
export type ConnectorInfo = z.infer<typeof ConnectorInfo>;

export const ConnectorList = z.object({ connectors: z.array(ConnectorInfo) });
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

/** Whom a test message goes to: one of the recipient's addresses, by the channel. */
export const TestRecipient = z.object({
  id: z.string().min(1).default('test'),
  name: z.string().optional(),
  ...(Object.fromEntries(ADDRESS_KINDS.map((kind) => [kind, z.string().optional()])) as Record<
    AddressKind,
    z.ZodOptional<z.ZodString>
  >),
});
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
