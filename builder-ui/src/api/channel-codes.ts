import type { ChannelCode, ChannelCodeBody } from '@sopflow/core/api';
import { answer, api } from './client';

/** Channel codes (渠道活码): engine/server/src/api/routes/channel-codes.ts. */

export type { ChannelCode, ChannelCodeBody } from '@sopflow/core/api';

/** Every code with its counts, newest first. */
export async function listChannelCodes(signal?: AbortSignal): Promise<ChannelCode[]> {
  return (await answer(api.GET('/api/channel-codes', { signal }))).channelCodes;
}

export async function createChannelCode(body: ChannelCodeBody): Promise<ChannelCode> {
  return answer(api.POST('/api/channel-codes', { body }));
}

export async function updateChannelCode(id: string, body: ChannelCodeBody): Promise<ChannelCode> {
  return answer(api.PUT('/api/channel-codes/{id}', { params: { path: { id } }, body }));
}

export async function deleteChannelCode(id: string): Promise<void> {
  await answer(api.DELETE('/api/channel-codes/{id}', { params: { path: { id } } }));
}
