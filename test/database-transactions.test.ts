import { localStack } from '@sopflow/server';
import { expect, inject, it } from 'vitest';

/**
 * Transactions on sopflow's pool (`connectDatabase`) when every connection is busy, as under 50
 * WeCom adds a second: postgres.js 3.4 sends `sql.begin`'s BEGIN without reserving the connection
 * when that BEGIN is the query that fills a busy connection's pipeline (100 queries), so the
 * transaction failed with UNSAFE_TRANSACTION (POST /api/events answered 500) and left its
 * connection in the pool inside an open transaction.
 */
/** Connections to this database left inside a transaction, waiting. */
const idleInTransaction = async (sql: ReturnType<typeof localStack.connectDatabase>) => {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from pg_stat_activity
    where datname = current_database() and state like 'idle in transaction%'`;
  return row!.n;
};

it('a transaction begun while every pooled connection has a full pipeline commits, on a connection of its own', async () => {
  const sql = localStack.connectDatabase(inject('databaseUrl'), { max: 2 });
  const table = `tx_under_load_${process.pid}`;
  try {
    await sql`create table if not exists ${sql(table)} (n int)`;
    // Both connections open and idle; then each busy with a slow query and 99 queued behind it.
    await Promise.all([sql`select 1`, sql`select 1`]);
    const queued = [sql`select pg_sleep(0.3)`.execute(), sql`select pg_sleep(0.3)`.execute()];
    for (let i = 0; i < 2 * 99; i++) queued.push(sql`select 1`.execute());

    const committed = sql.begin(async (tx) => {
      await tx`insert into ${tx(table)} (n) values (1)`;
      await tx`insert into ${tx(table)} (n) values (2)`;
      return 'done';
    });
    await expect(committed).resolves.toBe('done');
    await Promise.all(queued);
    // Committed, and no connection of the pool was left inside a transaction.
    expect(await sql`select n from ${sql(table)} order by n`).toEqual([{ n: 1 }, { n: 2 }]);
    expect(await idleInTransaction(sql)).toBe(0);
  } finally {
    await sql`drop table if exists ${sql(table)}`;
    await sql.end();
  }
});

it('a transaction that throws is rolled back, and its connection goes back to the pool outside it', async () => {
  const sql = localStack.connectDatabase(inject('databaseUrl'), { max: 2 });
  const table = `tx_rollback_${process.pid}`;
  try {
    await sql`create table if not exists ${sql(table)} (n int)`;
    const failed = sql.begin(async (tx) => {
      await tx`insert into ${tx(table)} (n) values (1)`;
      throw new Error('changed my mind');
    });
    await expect(failed).rejects.toThrow('changed my mind');
    expect(await sql`select n from ${sql(table)}`).toEqual([]);
    expect(await idleInTransaction(sql)).toBe(0);
  } finally {
    await sql`drop table if exists ${sql(table)}`;
    await sql.end();
  }
});
