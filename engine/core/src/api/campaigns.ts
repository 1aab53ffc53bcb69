import { z } from 'zod';
import { Condition, comparisonProblem, comparisonsOf } from '../flow/conditions';
import { wholeNumber } from './numbers';
import { pageLimit } from './query';

/** The most contact ids one campaign may name. */
export const MAX_CAMPAIGN_CONTACT_IDS = 100_000;

const AUDIENCE_REQUIRED =
  'Choose an audience: { "where": condition }, { "contactIds": [...] } or { "everyone": true }. / ' +
  '请选择受众：{ "where": 条件 }、{ "contactIds": [...] } 或 { "everyone": true }。';

/**
 * Who a campaign enrolls, chosen explicitly (there is no default, so a forgotten audience never
 * reaches every contact): everyone matching a condition (the condition language of branches,
 * evaluated in the database), exactly these contacts, or everyone as a deliberate choice.
 */
export const CampaignAudience = z
  .object(
    {
      where: Condition.optional(),
      contactIds: z.array(z.string().min(1).max(200)).min(1).max(MAX_CAMPAIGN_CONTACT_IDS).optional(),
      everyone: z.literal(true).optional(),
    },
    { error: AUDIENCE_REQUIRED },
  )
  .superRefine((audience, ctx) => {
    const chosen = (['where', 'contactIds', 'everyone'] as const).filter(
      (key) => audience[key] !== undefined,
    );
    if (chosen.length !== 1) ctx.addIssue({ code: 'custom', message: AUDIENCE_REQUIRED, input: audience });
    if (!audience.where) return;
    for (const comparison of comparisonsOf(audience.where)) {
      const problem = comparisonProblem(comparison);
      if (problem) ctx.addIssue({ code: 'custom', path: ['where'], message: problem, input: comparison });
    }
  });
export type CampaignAudience = z.infer<typeof CampaignAudience>;

/** `POST /api/campaigns`: enroll an audience into a published flow, now or later. */
export const CampaignRequest = z.object({
  flowId: z.string().min(1),
  audience: CampaignAudience,
  /** When to start, ISO-8601; now by default. */
  at: z.iso.datetime({ offset: true }).optional(),
  pageSize: wholeNumber(1, 1000).optional(),
});
export type CampaignRequest = z.infer<typeof CampaignRequest>;

/** `POST /api/campaigns/audience`: how many contacts an audience holds, before launching it. */
export const AudienceCountRequest = z.object({ audience: CampaignAudience });
export type AudienceCountRequest = z.infer<typeof AudienceCountRequest>;

/** The most unknown contact ids an answer lists (`unknownContactIdCount` counts them all). */
export const MAX_LISTED_UNKNOWN_IDS = 1000;

/** How many contacts an audience holds now, and which of its named ids name no contact. */
export const AudienceCount = z.object({
  count: z.number().int(),
  /** Ids in `contactIds` that name no contact, the first `MAX_LISTED_UNKNOWN_IDS` of them. */
  unknownContactIds: z.array(z.string()),
  unknownContactIdCount: z.number().int(),
});
export type AudienceCount = z.infer<typeof AudienceCount>;

export const CampaignStarted = z.object({
  campaignId: z.string(),
  startsAt: z.string(),
  /** The audience as counted at launch. */
  audience: AudienceCount,
});
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

/** Who a campaign enrolls, as its list shows it: the condition, how many ids were named, or everyone. */
export const AudienceSummary = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('where'), where: Condition }),
  z.object({ kind: z.literal('contactIds'), count: z.number().int() }),
  z.object({ kind: z.literal('everyone') }),
]);
export type AudienceSummary = z.infer<typeof AudienceSummary>;

/** Where a campaign stands, as the server records it. */
export const CampaignState = z.enum(['scheduled', 'running', 'done', 'cancelled', 'failed']);
export type CampaignState = z.infer<typeof CampaignState>;

/** A campaign as the server keeps it (`GET /api/campaigns`). */
export const CampaignRecord = z.object({
  campaignId: z.string(),
  flowId: z.string(),
  audience: AudienceSummary,
  /** The audience's size when it was launched, and how many named ids named no contact then. */
  audienceCount: z.number().int(),
  unknownContactIdCount: z.number().int(),
  state: CampaignState,
  /** The pages enrolled so far. */
  counts: z.object({ scanned: z.number().int(), enrolled: z.number().int(), skipped: z.number().int() }),
  /** Why it failed, when it did. */
  error: z.string().nullable(),
  startsAt: z.string(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type CampaignRecord = z.infer<typeof CampaignRecord>;

/** `GET /api/campaigns`: newest first. */
export const CampaignListQuery = z.object({
  flowId: z.string().min(1).max(200).optional(),
  limit: pageLimit(500).optional(),
});
export type CampaignListQuery = z.infer<typeof CampaignListQuery>;

export const CampaignList = z.object({
  campaigns: z.array(CampaignRecord.extend({ temporalUrl: z.string() })),
});
export type CampaignList = z.infer<typeof CampaignList>;

/**
 * `GET /api/campaigns/{id}`: Temporal's view (status, live progress) and, for a campaign launched
 * through the API, the server's record. A schedule's campaigns have no record.
 */
export const CampaignStatus = z.object({
  campaignId: z.string(),
  /** Temporal's execution status: RUNNING, COMPLETED, CANCELED, FAILED, TERMINATED… */
  status: z.string(),
  /** Missing before a scheduled campaign starts, or when its worker has not answered yet. */
  progress: CampaignProgress.optional(),
  temporalUrl: z.string(),
  record: CampaignRecord.optional(),
});
export type CampaignStatus = z.infer<typeof CampaignStatus>;

/** `POST /api/campaigns/{id}/cancel`. */
export const CampaignCancelled = z.object({ campaignId: z.string(), cancelling: z.literal(true) });
export type CampaignCancelled = z.infer<typeof CampaignCancelled>;
