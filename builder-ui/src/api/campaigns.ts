import type {
  AudienceCount,
  CampaignAudience,
  CampaignList,
  CampaignRequest,
  CampaignStarted,
} from '@sopflow/core/api';
import { answer, api } from './client';

/** Campaigns: an audience enrolled into a flow page by page (engine/server/src/api/routes/campaigns.ts). */

export type {
  AudienceCount,
  CampaignAudience,
  CampaignList,
  CampaignRequest,
  CampaignState,
} from '@sopflow/core/api';
export type CampaignListed = CampaignList['campaigns'][number];

/** How many contacts an audience holds now, and which of its named ids name nobody. */
export async function countAudience(audience: CampaignAudience): Promise<AudienceCount> {
  return answer(api.POST('/api/campaigns/audience', { body: { audience } }));
}

export async function startCampaign(request: CampaignRequest): Promise<CampaignStarted> {
  return answer(api.POST('/api/campaigns', { body: request }));
}

/** The server's campaigns, newest first. */
export async function listCampaigns(signal?: AbortSignal): Promise<CampaignListed[]> {
  return (await answer(api.GET('/api/campaigns', { params: { query: {} }, signal }))).campaigns;
}

export async function cancelCampaign(id: string): Promise<void> {
  await answer(api.POST('/api/campaigns/{id}/cancel', { params: { path: { id } }, body: {} }));
}
