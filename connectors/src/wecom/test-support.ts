import type { OutboundMessage } from '../connector';

/** An outbound message for tests, with the fields a runtime always sets. */
export function outbound(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    idempotencyKey: `key-${Math.random().toString(36).slice(2)}`,
    channel: 'wechat',
    to: { id: 'contact-1' },
    text: 'Hello',
    origin: { workflowId: 'wf-1', flowId: 'flow-1', flowVersion: 1, nodeId: 'node-1' },
    ...overrides,
  };
}

/** Runs `fn` and returns what it threw. */
export async function thrown(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('Expected a throw');
}
