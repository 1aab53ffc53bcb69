import type { Condition } from '@sopflow/core/interpreter';
import {
  continueAsNew,
  defineQuery,
  defineSignal,
  proxyActivities,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import type { SopflowActivities } from './activities';

export interface CampaignInput {
  flowId: string;
  /**
   * Everyone matching `where`, exactly `contactIds`, or everyone (`everyone`, or naming neither, as
   * campaigns started before audiences had to be explicit do).
   */
  audience: { where?: Condition; contactIds?: string[]; everyone?: true };
  /** @default 200 */
  pageSize?: number;
  /** Pause between pages so a large audience does not crowd out running flows. @default 0 */
  pauseMs?: number;
  /** Carried across continue-as-new. */
  progress?: CampaignProgress;
}

export interface CampaignProgress {
  /** The last contact id handled (pages go in id order). */
  after: string | null;
  scanned: number;
  enrolled: number;
  skipped: number;
  done: boolean;
  cancelled: boolean;
}

export const campaignProgressQuery = defineQuery<CampaignProgress>('sopflow.campaign.progress');
export const cancelCampaignSignal = defineSignal('sopflow.campaign.cancel');

/** Pages per run before continuing as new: history stays small for any audience size. */
const PAGES_PER_RUN = 50;

const { enrollPage } = proxyActivities<SopflowActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

/**
 * Enrolls an audience into a flow page by page. Each page is one activity that enrolls its
 * contacts (a duplicate is a no-op, so a retried page enrolls nobody twice).
 */
export async function campaign(input: CampaignInput): Promise<CampaignProgress> {
  const progress: CampaignProgress = input.progress ?? {
    after: null,
    scanned: 0,
    enrolled: 0,
    skipped: 0,
    done: false,
    cancelled: false,
  };
  setHandler(campaignProgressQuery, () => progress);
  setHandler(cancelCampaignSignal, () => {
    progress.cancelled = true;
  });
  for (let page = 0; page < PAGES_PER_RUN; page++) {
    if (progress.cancelled) return progress;
    const result = await enrollPage({
      flowId: input.flowId,
      audience: input.audience,
      after: progress.after,
      limit: input.pageSize ?? 200,
    });
    progress.after = result.last;
    progress.scanned += result.scanned;
    progress.enrolled += result.enrolled;
    progress.skipped += result.skipped;
    if (result.last === null) {
      progress.done = true;
      return progress;
    }
    if (input.pauseMs) await sleep(input.pauseMs);
  }
  return continueAsNew<typeof campaign>({ ...input, progress });
}
