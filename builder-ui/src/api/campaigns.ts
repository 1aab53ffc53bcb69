import type { CampaignRequest, CampaignStarted, CampaignStatus } from '@sopflow/core/api';
import { answer, api } from './client';

/** Campaigns: an audience enrolled into a flow page by page (engine/server/src/api/routes/campaigns.ts). */

export type { CampaignProgress, CampaignRequest, CampaignStatus } from '@sopflow/core/api';

export async function startCampaign(request: CampaignRequest): Promise<CampaignStarted> {
  return answer(api.POST('/api/campaigns', { body: request }));
}

export async function getCampaign(id: string, signal?: AbortSignal): Promise<CampaignStatus> {
  return answer(api.GET('/api/campaigns/{id}', { params: { path: { id } }, signal }));
}

export async function cancelCampaign(id: string): Promise<void> {
  await answer(api.POST('/api/campaigns/{id}/cancel', { params: { path: { id } }, body: {} }));
}
