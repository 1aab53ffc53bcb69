import type { Contact, MessageContent, RenderData } from '@sopflow/core/interpreter';
import type { DeliverInput, SopflowActivities } from '@sopflow/workflows';
import { proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';

/**
 * The benchmark's baseline (`npm run bench`, test/bench/execution.ts): send → wait → branch →
 * send (or wait → branch → send) written by hand as a plain Temporal workflow, with the same `deliver` activity and
 * activity options as `contactFlow`, so the benchmark measures what the interpreter shell adds.
 * Not used by the product.
 */

export interface BenchBaselineInput {
  flowId: string;
  flowName: string;
  contact: Contact;
  channel: string;
  /** The wait between the two sends (ms). */
  waitMs: number;
  /** Send the greeting before the wait. @default true */
  greetFirst?: boolean;
  /** The attribute `tier` value that takes the first arm. */
  vipTier: string;
  messages: { greet: MessageContent; vip: MessageContent; other: MessageContent };
}

const activities = proxyActivities<SopflowActivities>({
  startToCloseTimeout: '30 seconds',
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

export async function benchBaseline(input: BenchBaselineInput): Promise<{ sent: number }> {
  const info = workflowInfo();
  const data: RenderData = {
    contact: input.contact,
    event: {},
    lastEvent: null,
    http: {},
    flow: { id: input.flowId, name: input.flowName, version: 1 },
  };
  const send = (nodeId: string, message: MessageContent) => {
    const request: DeliverInput = {
      idempotencyKey: `${info.workflowId}/${info.firstExecutionRunId}/${nodeId}#1`,
      workflowId: info.workflowId,
      flowId: input.flowId,
      flowName: input.flowName,
      flowVersion: 1,
      nodeId,
      at: Date.now(),
      channel: input.channel,
      message,
      recipient: { kind: 'contact' },
      data,
    };
    return activities.deliver(request);
  };
  let sent = 0;
  if (input.greetFirst !== false && (await send('greet', input.messages.greet)).ok) sent++;
  await sleep(input.waitMs);
  const vip = input.contact.attributes.tier === input.vipTier;
  const second = vip ? await send('vip-perk', input.messages.vip) : await send('intro', input.messages.other);
  if (second.ok) sent++;
  return { sent };
}
