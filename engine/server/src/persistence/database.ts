import postgres, { type Sql, type TransactionSql } from 'postgres';

export interface ConnectDatabaseOptions {
  /**
   * Maximum pooled connections per process. Kept small because an API process and several workers share
   * one dev Postgres whose default limit is 100 connections.
   * @default 10
   */
  max?: number;
  /**
   * Seconds an unused connection stays open, so idle dev processes release their slots.
   * @default 30
   */
  idleTimeoutSeconds?: number;
}

/** Opens a postgres.js pool. Close it with `sql.end()`. */
export function connectDatabase(url: string, opts: ConnectDatabaseOptions = {}): Sql {
  const sql = postgres(url, {
    max: opts.max ?? 10,
    idle_timeout: opts.idleTimeoutSeconds ?? 30,
    // While Postgres is down, postgres.js waits longer and longer (up to 20 s, shared by the pool)
    // before each reconnect, and queries queue behind that: API requests hung instead of answering
    // 503, and sends ran past their activity timeout. Retrying at most a second apart keeps
    // failures fast during an outage and picks the database up within a second once it is back.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
    connect_timeout: 10,
    // Notices such as "relation already exists, skipping" are expected noise from idempotent DDL.
    onnotice: () => {},
    // An optional field left undefined should be stored as NULL rather than throwing.
    transform: { undefined: null },
  });
  return Object.assign(sql, { begin: beginOnReservedConnection(sql) });
}

/**
 * `sql.begin`, on a connection reserved before its BEGIN is sent. postgres.js 3.4 (3.4.10 too) can
 * send `sql.begin`'s BEGIN on a busy connection without reserving it: when that BEGIN is the query
 * that fills the connection's pipeline, the reservation is skipped (porsager/postgres#823, #1189).
 * The transaction then fails with UNSAFE_TRANSACTION, and its connection goes back to the pool
 * inside the open transaction, where other queries run uncommitted. Under 50 WeCom adds a second
 * every connection is busy, and POST /api/events answered 500. `sql.reserve()` hands over an idle
 * connection (waiting for one) already reserved, so the transaction is alone on it. `savepoint`
 * and `prepare` are not offered (sopflow uses neither).
 */
function beginOnReservedConnection(sql: Sql): Sql['begin'] {
  return (async (...args: unknown[]) => {
    const fn = args.at(-1) as (tx: TransactionSql) => unknown;
    // Only isolation-level words, as postgres.js allows.
    const mode = args.length > 1 ? String(args[0]).replace(/[^a-z ]/gi, '') : '';
    const tx = await sql.reserve();
    try {
      await tx.unsafe(`begin ${mode}`);
      try {
        const body = fn(tx as unknown as TransactionSql);
        const result = await (Array.isArray(body) ? Promise.all(body) : body);
        await tx`commit`;
        return result;
      } catch (error) {
        await tx`rollback`;
        throw error;
      }
    } finally {
      tx.release();
    }
  }) as Sql['begin'];
}
