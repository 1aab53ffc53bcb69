import type {
  AddressKindInfo,
  ChannelRoute,
  ChannelsAnswer,
  ConnectorInfo as ConnectorAnswer,
  TestRecipient,
  TestSendResult,
} from '@sopflow/core/api';
import type { JsonSchema } from '../editor/schema-form';
import { answer, api } from './client';

/** Connectors and channel routes (engine/server/src/api/routes/channels.ts). */

export type {
  AddressKindInfo,
  ChannelRoute,
  ChannelsAnswer,
  TestRecipient,
  TestSendResult,
} from '@sopflow/core/api';

/** A connector, its config schema read as the schema forms read JSON Schema. */
export type ConnectorInfo = Omit<ConnectorAnswer, 'configSchema'> & {
  configSchema: JsonSchema;
};

const channel = (name: string) => ({ params: { path: { channel: name } } });

/** The registered connectors, and the address kinds they declare (what contacts carry). */
export interface ConnectorCatalogue {
  connectors: ConnectorInfo[];
  addressKinds: AddressKindInfo[];
  /** Channel → the contact address kinds that reach someone on it (compile's `reach`). */
  reach: Record<string, string[]>;
}

export async function listConnectors(signal?: AbortSignal): Promise<ConnectorCatalogue> {
  const list = await answer(api.GET('/api/connectors', { signal }));
  return {
    connectors: list.connectors as ConnectorInfo[],
    addressKinds: list.addressKinds,
    reach: list.reach,
  };
}

export async function listChannels(signal?: AbortSignal): Promise<ChannelsAnswer> {
  return answer(api.GET('/api/channels', { signal }));
}

/** Routes a channel; a 422 `invalid_config` carries `{ path, message }[]` as its details. */
export async function saveRoute(name: string, connector: string, config: unknown): Promise<ChannelRoute> {
  return answer(api.PUT('/api/channels/{channel}', { ...channel(name), body: { connector, config } }));
}

export async function removeRoute(name: string): Promise<boolean> {
  return (await answer(api.DELETE('/api/channels/{channel}', channel(name)))).removed;
}

/** Sends a test message through the channel's stored route; a provider's refusal is a 502. */
export async function testSend(name: string, to: TestRecipient): Promise<TestSendResult> {
  return answer(api.POST('/api/channels/{channel}/test', { ...channel(name), body: { to } }));
}
