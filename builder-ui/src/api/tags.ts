import type { ProviderTagList } from '@sopflow/core/api';
import { answer, api } from './client';

/** The tags providers keep (WeCom corp tags), by group (engine/server/src/api/routes/tags.ts). */

export type { ProviderTagGroupItem, ProviderTagList } from '@sopflow/core/api';

export async function listProviderTags(signal?: AbortSignal): Promise<ProviderTagList> {
  return answer(api.GET('/api/tags', { signal }));
}
