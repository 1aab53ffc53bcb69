import type { Condition } from '@sopflow/core';
import { call } from './flows';

/** Campaigns: an audience enrolled into a flow page by page (engine/server/src/api/routes/campaigns.ts). */

export interface CampaignRequest {
  flowId: string;
  /** A list of contact ids, or everyone matching a condition; the flow's own audience when left out. */
  audience?: { contactIds?: string[]; where?: Condition };
  /** When to start, ISO-8601; now when left out. */
  at?: string;
}

export interface CampaignProgress {
  after: string | null;
  scanned: number;
  enrolled: number;
  skipped: number;
  done: boolean;
  cancelled: boolean;
}

export interface CampaignStatus {
  campaignId: string;
  /** Temporal's execution status: RUNNING, COMPLETED, CANCELED, FAILED, TERMINATED… */
  status: string;
  /** Missing before a scheduled campaign starts, or when its worker has not answered yet. */
  progress?: CampaignProgress;
  temporalUrl: string;
}

const campaignPath = (id: string) => `/api/campaigns/${encodeURIComponent(id)}`;

export async function startCampaign(
  request: CampaignRequest,
): Promise<{ campaignId: string; startsAt: string }> {
  return (await call('POST', '/api/campaigns', request)) as { campaignId: string; startsAt: string };
}

export async function getCampaign(id: string, signal?: AbortSignal): Promise<CampaignStatus> {
  return (await call('GET', campaignPath(id), undefined, signal)) as CampaignStatus;
}

export async function cancelCampaign(id: string): Promise<void> {
  await call('POST', `${campaignPath(id)}/cancel`, {});
}
