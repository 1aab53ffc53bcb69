import { proxyActivities } from '@temporalio/workflow';
import type { SopflowActivities, WeComReconcileReport } from './activities';

const { reconcileWeComGroups } = proxyActivities<SopflowActivities>({
  startToCloseTimeout: '10 minutes',
  // The next scheduled pass tries again; piling retries on a failing WeCom helps nobody.
  retry: { initialInterval: '10 seconds', maximumAttempts: 3 },
});

/**
 * One pass over the WeCom customer groups sopflow watches, started by a Temporal Schedule: joins
 * and leaves WeCom's callbacks lost become events, once.
 */
export async function wecomReconcile(): Promise<WeComReconcileReport> {
  return reconcileWeComGroups();
}
