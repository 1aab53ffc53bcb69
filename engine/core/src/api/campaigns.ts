import { z } from 'zod';
import { Condition } from '../flow/conditions';
import { wholeNumber } from './numbers';

/** `POST /api/campaigns`: enroll an audience into a published flow, now or later. */
export const CampaignRequest = z.object({
  flowId: z.string().min(1),
  /** Who: a list of contact ids, or everyone matching a condition; the flow's own audience by default. */
  audience: z
    .object({ contactIds: z.array(z.string().min(1)).max(100_000).optional(), where: Condition.optional() })
    .optional(),
  /** When to start, ISO-8601; now by default. */
  at: z.iso.datetime({ offset: true }).optional(),
  pageSize: wholeNumber(1, 1000).optional(),
});
export type CampaignRequest = z.infer<typeof CampaignRequest>;

export const CampaignStarted = z.object({ campaignId: z.string(), startsAt: z.string() });
export type CampaignStarted = z.infer<typeof CampaignStarted>;

/** How far a campaign has paged through its audience (the campaign workflow's query). */
export const CampaignProgress = z.object({
  /** The last contact id handled (pages go in id order). */
  after: z.string().nullable(),
  scanned: z.number(),
  enrolled: z.number(),
  skipped: z.number(),
  done: z.boolean(),
  cancelled: z.boolean(),
});
export type CampaignProgress = z.infer<typeof CampaignProgress>;

/** `GET /api/campaigns/{id}`. */
export const CampaignStatus = z.object({
  campaignId: z.string(),
  /** Temporal's execution status: RUNNING, COMPLETED, CANCELED, FAILED, TERMINATED… */
  status: z.string(),
  /** Missing before a scheduled campaign starts, or when its worker has not answered yet. */
  progress: CampaignProgress.optional(),
  temporalUrl: z.string(),
});
export type CampaignStatus = z.infer<typeof CampaignStatus>;

/** `POST /api/campaigns/{id}/cancel`. */
export const CampaignCancelled = z.object({ campaignId: z.string(), cancelling: z.literal(true) });
export type CampaignCancelled = z.infer<typeof CampaignCancelled>;
