import postgres, { type Sql } from 'postgres';

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
  return postgres(url, {
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
}
