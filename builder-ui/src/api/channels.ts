import type { JsonSchema } from '../editor/schema-form';
import { call } from './flows';

/** Connectors and channel routes (engine/server/src/api/routes/channels.ts). */

export interface ConnectorInfo {
  name: string;
  description: string;
  channels: string[];
  capabilities: string[];
  /** Dotted config paths holding credentials; the API answers them masked. */
  secretFields: string[];
  configSchema: JsonSchema;
}

export interface ChannelRoute {
  channel: string;
  connector: string;
  /** Secrets masked. */
  config: Record<string, unknown>;
  updatedAt: string;
}

export interface ChannelsAnswer {
  /** Every channel some connector delivers. */
  channels: string[];
  routes: ChannelRoute[];
}

/** Whom a test message goes to: one of the recipient's addresses, by the channel. */
export type TestRecipient = Partial<
  Record<'phone' | 'email' | 'wecomUserId' | 'wecomExternalUserId' | 'openId' | 'groupId', string>
>;

export interface TestSendResult {
  connector: string;
  status: 'sent' | 'duplicate';
  providerMessageId?: string;
}

const channelPath = (channel: string) => `/api/channels/${encodeURIComponent(channel)}`;

export async function listConnectors(signal?: AbortSignal): Promise<ConnectorInfo[]> {
  const body = (await call('GET', '/api/connectors', undefined, signal)) as { connectors: ConnectorInfo[] };
  return body.connectors;
}

export async function listChannels(signal?: AbortSignal): Promise<ChannelsAnswer> {
  return (await call('GET', '/api/channels', undefined, signal)) as ChannelsAnswer;
}

/** Routes a channel; a 422 `invalid_config` carries `{ path, message }[]` as its details. */
export async function saveRoute(channel: string, connector: string, config: unknown): Promise<ChannelRoute> {
  return (await call('PUT', channelPath(channel), { connector, config })) as ChannelRoute;
}

export async function removeRoute(channel: string): Promise<boolean> {
  const body = (await call('DELETE', channelPath(channel))) as { removed: boolean };
  return body.removed;
}

/** Sends a test message through the channel's stored route; a provider's refusal is a 502. */
export async function testSend(channel: string, to: TestRecipient): Promise<TestSendResult> {
  return (await call('POST', `${channelPath(channel)}/test`, { to })) as TestSendResult;
}
