import { describe, expect, it } from 'vitest';
import type { Database } from '../persistence';
import type { TemporalGateway } from '../temporal/gateway';
import type { Enroller } from './enroll';
import { EventRouter } from './events';

describe('an event for a contact in several flows', () => {
  it('is handed to all its runs at once, so runs that cannot answer cost one deadline, not one each', async () => {
    const runs = ['sopflow:a:c1', 'sopflow:b:c1', 'sopflow:c:c1'];
    let inFlight = 0;
    let mostInFlight = 0;
    const answers = new Map([
      ['sopflow:a:c1', 'used'],
      ['sopflow:b:c1', 'pending'],
      ['sopflow:c:c1', undefined],
    ]);
    const temporal = {
      async deliverEvent(workflowId: string) {
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 10));
        inFlight--;
        return answers.get(workflowId);
      },
    } as unknown as TemporalGateway;
    const store = {
      events: { record: async () => ({ id: 7, duplicate: false }), markProcessed: async () => {} },
      contacts: {
        ensure: async () => ({ contact: { id: 'c1', attributes: {}, tags: [], points: 0 }, revision: 1 }),
      },
      enrollments: { workflowsOfContact: async () => runs },
      flows: { livePlans: async () => [] },
    } as unknown as Database;
    const router = new EventRouter(store, temporal, {} as Enroller);

    const outcome = await router.post({ contactId: 'c1', name: 'order.paid', payload: {} });

    expect(mostInFlight).toBe(runs.length);
    // In the runs' order; an ended run (no answer) is left out.
    expect(outcome).toMatchObject({
      use: 'used',
      delivered: 2,
      runs: [
        { workflowId: 'sopflow:a:c1', use: 'used' },
        { workflowId: 'sopflow:b:c1', use: 'pending' },
      ],
    });
  });
});
