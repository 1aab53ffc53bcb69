import type { Sql } from 'postgres';

/** A fact kept for processing: its row id, the connector it came through and the fact as read. */
export interface KeptFact<F> {
  id: string;
  connector: string;
  fact: F;
}

/**
 * Facts providers' callbacks report, kept before the callback is answered and processed after it
 * (migration 034). Each is kept once per connector and provider event id.
 */
export class InboundFactRepository {
  private keeps = 0;

  constructor(private readonly sql: Sql) {}

  /**
   * Keeps a fact, leased to the caller for `leaseMs`; `fresh: false` when the provider delivered it
   * before (it is kept already, processed or on its way).
   */
  async keep<F>(
    connector: string,
    key: string,
    fact: F,
    leaseMs: number,
  ): Promise<{ id: string; fresh: boolean }> {
    if (++this.keeps % 1000 === 0) await this.prune();
    const [row] = await this.sql<{ id: string }[]>`
      insert into inbound_facts (connector, fact_key, fact, lease_until)
      values (${connector}, ${key}, ${this.sql.json(fact as never)}, now() + make_interval(secs => ${leaseMs / 1000}))
      on conflict (connector, fact_key) do nothing returning id`;
    return row ? { id: row.id, fresh: true } : { id: '', fresh: false };
  }

  async markProcessed(id: string): Promise<void> {
    await this.sql`update inbound_facts set processed_at = now(), last_error = null where id = ${id}`;
  }

  /** A try failed: the fact is taken again by a sweep after `retryInMs`. */
  async retryLater(id: string, error: string, retryInMs: number): Promise<void> {
    await this.sql`
      update inbound_facts set attempts = attempts + 1, last_error = ${error},
        lease_until = now() + make_interval(secs => ${retryInMs / 1000})
      where id = ${id}`;
  }

  /**
   * Leases up to `limit` unprocessed facts whose lease has run out (their process stopped, or their
   * retry is due), oldest first, each for `leaseMs`, skipping `except` (taken in this process).
   */
  async claimDue<F>(
    limit: number,
    leaseMs: number,
    except: readonly string[],
  ): Promise<(KeptFact<F> & { attempts: number })[]> {
    return this.sql<(KeptFact<F> & { attempts: number })[]>`
      update inbound_facts f set lease_until = now() + make_interval(secs => ${leaseMs / 1000})
      from (
        select id from inbound_facts
        where processed_at is null and lease_until < now() and not (id = any(${except as string[]}::bigint[]))
        order by id limit ${limit} for update skip locked
      ) due
      where f.id = due.id
      returning f.id, f.connector, f.fact, f.attempts`;
  }

  /** Forgets facts processed more than a week ago: a provider redelivers within minutes. */
  private async prune(): Promise<void> {
    await this.sql`delete from inbound_facts where processed_at < now() - interval '7 days'`;
  }
}
