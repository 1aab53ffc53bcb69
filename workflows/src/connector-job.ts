import { proxyActivities } from '@temporalio/workflow';
import type { ConnectorJobInput, SopflowActivities } from './activities';

const { runConnectorJob } = proxyActivities<SopflowActivities>({
  startToCloseTimeout: '10 minutes',
  // The next scheduled pass tries again; piling retries on a failing provider helps nobody.
  retry: { initialInterval: '10 seconds', maximumAttempts: 3 },
});

/**
 * One pass of a job a connector declares, for one channel account, started by the Temporal
 * Schedule the server keeps for it (e.g. reading back the customer groups sopflow watches).
 */
export async function connectorJob(input: ConnectorJobInput): Promise<Record<string, unknown>> {
  return runConnectorJob(input);
}
