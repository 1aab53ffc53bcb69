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
    // Notices such as "relation already exists, skipping" are expected noise from idempotent DDL.
    onnotice: () => {},
    // An optional field left undefined should be stored as NULL rather than throwing.
    transform: { undefined: null },
  });
}
