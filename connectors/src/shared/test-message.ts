import { randomUUID } from 'node:crypto';
import type { OutboundMessage, Recipient } from '../connector';

/**
 * The message a connector's test-send (the builder's button) delivers through its own `send`: a
 * fresh idempotency key, so every press sends, and an origin no flow has.
 */
export function testMessage(channel: string, to: Recipient, text: string): OutboundMessage {
  return {
    idempotencyKey: `test:${randomUUID()}`,
    channel,
    to,
    text,
    origin: { workflowId: 'test', flowId: 'test', flowVersion: 0, nodeId: 'test' },
  };
}
