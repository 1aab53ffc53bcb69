import { randomUUID } from 'node:crypto';
import type { OutboundMessage } from '../../connector';
import { SendError } from '../../connector';

/** An outbound message for tests; override what the test is about. */
export function outbound(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    idempotencyKey: `wf-${randomUUID()}/run/cmd-1`,
    channel: 'sms',
    to: { id: 'contact-1', phone: '+8613800138000' },
    text: 'Hello',
    origin: { workflowId: 'wf-1', flowId: 'flow-1', flowVersion: 1, nodeId: 'node-1' },
    ...overrides,
  };
}

/** The `SendError` a send failed with (fails the test when it succeeded or threw something else). */
export async function sendFailure(promise: Promise<unknown>): Promise<SendError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SendError) return error;
    throw error;
  }
  throw new Error('Expected the send to fail.');
}
