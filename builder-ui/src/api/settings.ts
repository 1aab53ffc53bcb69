import type { RetentionSettings } from '@sopflow/core/api';
import { answer, api } from './client';

/** Server-wide settings an admin keeps (engine/server/src/api/routes/settings.ts). */

export type { RetentionSettings } from '@sopflow/core/api';

export async function getRetention(signal?: AbortSignal): Promise<RetentionSettings> {
  return answer(api.GET('/api/settings/retention', { signal }));
}

export async function saveRetention(settings: RetentionSettings): Promise<RetentionSettings> {
  return answer(api.PUT('/api/settings/retention', { body: settings }));
}
