import type { OutboundMessage } from '@sopflow/connectors';
import type { DeliverInput } from '@sopflow/workflows';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { DeliveryRepository } from '../persistence';
import { deliver, type Route } from './deliver';

const contact = {
  id: 'c1',
  addresses: { wecomExternalUserId: 'wm1' },
  attributes: {},
  tags: [],
  points: 0,
  unsubscribed: [],
};
const input = (otherwise: 'message' | 'failed'): DeliverInput => ({
  idempotencyKey: 'wf/run/hello#1',
  workflowId: 'wf',
  flowId: 'welcome',
  flowName: 'Welcome',
  flowVersion: 1,
  nodeId: 'hello',
  at: 0,
  channel: 'wechat',
  message: { text: 'Welcome!' },
  recipient: { kind: 'contact' },
  data: {
    contact,
    event: {},
    lastEvent: null,
    http: {},
    flow: { id: 'welcome', name: 'Welcome', version: 1 },
  },
  welcome: { code: 'CODE', addedAt: 0, otherwise },
});

/** A route whose connector records what it was asked to send, and deliveries that always let it. */
function routeTo(capabilities: Route['capabilities']) {
  const sent: OutboundMessage[] = [];
  const route: Route = {
    connector: 'test',
    capabilities,
    instance: {
      send: async (message) => {
        sent.push(message);
        return { status: 'sent' };
      },
    },
  };
  const deliveries = {
    deliveries: {
      claim: async () => ({ kind: 'send' }),
      markSent: async () => undefined,
    } as unknown as DeliveryRepository,
    statuses: { recordMessageStatus: async () => ({ kind: 'recorded' as const, moved: true }) },
  };
  return { sent, route, deliveries };
}

describe('deliver, for a new-friend welcome', () => {
  it('hands the welcome code to a connector that can send welcomes', async () => {
    const { sent, route, deliveries } = routeTo(['welcome']);
    await deliver(deliveries, route, input('failed'));
    expect(sent[0]?.welcome).toEqual({ code: 'CODE', addedAt: 0, otherwise: 'failed' });
  });

  it('sends an ordinary message, or fails for good, on a channel whose connector cannot', async () => {
    const { sent, route, deliveries } = routeTo(['articles']);
    await deliver(deliveries, route, input('message'));
    expect(sent).toHaveLength(1);
    expect(sent[0]?.welcome).toBeUndefined();
    const failure = await deliver(deliveries, route, input('failed')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({
      nonRetryable: true,
      message: expect.stringContaining('cannot send a new-friend welcome'),
    });
    expect(sent).toHaveLength(1);
  });
});
