import { defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ConnectorJobInput, SopflowActivities } from './activities';

const { runConnectorJob } = proxyActivities<SopflowActivities>({
  startToCloseTimeout: '10 minutes',
  // The next scheduled pass tries again; piling retries on a failing provider helps nobody.
  retry: { initialInterval: '10 seconds', maximumAttempts: 3 },
});

/**
 * Sent to a run that is going when an inbound call asks for the job again: the run's read may
 * predate what the call reports, so it does one more pass when done.
 */
export const runAgainSignal = defineSignal('runAgain');

/**
 * One pass of a job a connector declares, for one channel account, started by the Temporal
 * Schedule the server keeps for it (e.g. reading back the customer groups sopflow watches), or
 * by an inbound call for one item; asked again while running, it does one more pass after.
 */
export async function connectorJob(input: ConnectorJobInput): Promise<Record<string, unknown>> {
  let again = false;
  setHandler(runAgainSignal, () => {
    again = true;
  });
  let report = await runConnectorJob(input);
  while (again) {
    again = false;
    report = await runConnectorJob(input);
  }
  return report;
}
