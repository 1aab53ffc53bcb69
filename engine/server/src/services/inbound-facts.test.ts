import type { Connector, ConnectorRegistry, InboundFact } from '@sopflow/connectors';
import { describe, expect, it } from 'vitest';
import type { Database } from '../persistence';
import type { ContactEvents } from './contact-events';
import { InboundFacts } from './inbound-facts';

type ContactEventFact = Extract<InboundFact, { kind: 'contact-event' }>;

const connector = { name: 'wecom-mass' } as Connector<unknown>;

const added = (id: string, customer: string): ContactEventFact => ({
  kind: 'contact-event',
  id,
  address: { kind: 'wecomExternalUserId', value: customer },
  newContactId: `wecom:${customer}`,
  name: 'wecom.customer_added',
  payload: {},
});

/** inbound_facts in memory, as the repository keeps them (a lease, a processed mark, a retry). */
function keptFacts() {
  const rows = new Map<
    string,
    { key: string; fact: ContactEventFact; leaseUntil: number; processed: boolean; attempts: number }
  >();
  let next = 1;
  const repository = {
    async keep(_connector: string, key: string, fact: ContactEventFact, leaseMs: number) {
      if ([...rows.values()].some((r) => r.key === key)) return { id: '', fresh: false };
      const id = String(next++);
      rows.set(id, { key, fact, leaseUntil: Date.now() + leaseMs, processed: false, attempts: 0 });
      return { id, fresh: true };
    },
    async markProcessed(id: string) {
      rows.get(id)!.processed = true;
    },
    async retryLater(id: string, _error: string, retryInMs: number) {
      const row = rows.get(id)!;
      row.attempts++;
      row.leaseUntil = Date.now() + retryInMs;
    },
    async claimDue(limit: number, leaseMs: number, except: readonly string[]) {
      return [...rows.entries()]
        .filter(([id, r]) => !r.processed && r.leaseUntil < Date.now() && !except.includes(id))
        .slice(0, limit)
        .map(([id, r]) => {
          r.leaseUntil = Date.now() + leaseMs;
          return { id, connector: connector.name, fact: r.fact, attempts: r.attempts };
        });
    },
  };
  return { rows, repository };
}

function inboundFacts(
  take: (fact: ContactEventFact) => Promise<void>,
  options = {},
  jobs: { runNow?: () => Promise<string[]>; startNow?: () => Promise<string[]> } = {},
) {
  const kept = keptFacts();
  const facts = new InboundFacts(
    {
      store: { inboundFacts: kept.repository } as unknown as Pick<Database, 'contacts' | 'inboundFacts'>,
      contacts: {} as never,
      events: {} as never,
      messageStatuses: {} as never,
      contactEvents: {
        take: async (fact: ContactEventFact) => {
          await take(fact);
          return {} as Awaited<ReturnType<ContactEvents['take']>>;
        },
      },
      connectorJobs: {
        startNow: jobs.startNow ?? (async () => ['wechat']),
        runNow: jobs.runNow ?? (async () => ['wechat']),
      },
      groups: {} as never,
      registry: { get: () => connector } as unknown as ConnectorRegistry,
    },
    options,
  );
  return { facts, rows: kept.rows };
}

describe('contact events from a callback', () => {
  it('are answered for once kept, processed after, and a redelivery is not processed again', async () => {
    let release!: () => void;
    const taken: string[] = [];
    const { facts, rows } = inboundFacts(async (fact) => {
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      taken.push(fact.id);
    });

    await facts.accept(connector, added('e1', 'c1'));
    expect(taken).toEqual([]);
    expect([...rows.values()].map((r) => r.processed)).toEqual([false]);
    await facts.accept(connector, added('e1', 'c1'));

    release();
    await facts.settled();
    expect(taken).toEqual(['e1']);
    expect([...rows.values()].map((r) => r.processed)).toEqual([true]);
  });

  it("of one contact are processed in the order they came, others' alongside", async () => {
    const log: string[] = [];
    const { facts } = inboundFacts(async (fact) => {
      log.push(`start ${fact.id}`);
      await new Promise((resolve) => setTimeout(resolve, fact.id === 'a1' ? 30 : 1));
      log.push(`end ${fact.id}`);
    });
    await facts.accept(connector, added('a1', 'a'));
    await facts.accept(connector, added('a2', 'a'));
    await facts.accept(connector, added('b1', 'b'));
    await facts.settled();
    expect(log.indexOf('start a2')).toBeGreaterThan(log.indexOf('end a1'));
    expect(log.indexOf('end b1')).toBeLessThan(log.indexOf('end a1'));
  });

  it('that failed are taken again by a sweep, and processed once', async () => {
    let tries = 0;
    const { facts, rows } = inboundFacts(async () => {
      tries++;
      if (tries === 1) throw new Error('Temporal is down');
    });
    await facts.accept(connector, added('e1', 'c1'));
    await facts.settled();
    expect([...rows.values()]).toMatchObject([{ processed: false, attempts: 1 }]);

    // Its retry is due (the first waits 2 s): the next sweep takes it.
    for (const row of rows.values()) row.leaseUntil = Date.now() - 1;
    facts.startSweeping();
    await expect.poll(() => [...rows.values()][0]?.processed).toBe(true);
    await facts.stop();
    expect(tries).toBe(2);
  });

  it("run their job (WeCom's read of the customer) after the event, and start it as a workflow when it fails", async () => {
    const log: string[] = [];
    const { facts, rows } = inboundFacts(
      async (fact) => {
        log.push(`event ${fact.id}`);
      },
      {},
      {
        runNow: async () => {
          log.push('read here');
          throw new Error('WeCom answered 45009');
        },
        startNow: async () => {
          log.push('read started as a workflow');
          return ['wechat'];
        },
      },
    );
    await facts.accept(connector, { ...added('e1', 'c1'), runJob: 'read-customer' });
    await facts.settled();
    expect(log).toEqual(['event e1', 'read here', 'read started as a workflow']);
    expect([...rows.values()]).toMatchObject([{ processed: true }]);
  });
});
