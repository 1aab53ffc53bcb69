import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sql } from 'postgres';

export interface MigrateOptions {
  /**
   * Directory of `*.sql` files, applied in file-name order.
   * @default the `migrations` folder beside this file
   */
  dir?: string;
}

// Arbitrary but fixed: every process must contend for the same advisory lock key.
const MIGRATION_LOCK_KEY = 7_261_044_913;

/**
 * Applies the not-yet-applied migrations, each in its own transaction, and returns their names.
 *
 * Each transaction first takes a transaction-scoped advisory lock and re-reads `schema_migrations`, so API and
 * worker processes starting together serialise instead of racing to apply the same file.
 */
export async function migrate(sql: Sql, opts: MigrateOptions = {}): Promise<string[]> {
  const dir = opts.dir ?? fileURLToPath(new URL('./migrations', import.meta.url));
  const files = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort();

  // Even `create table if not exists` races on the catalog when run concurrently, hence the lock here too.
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`;
    await tx`create table if not exists schema_migrations (
      name text primary key,
      applied_at timestamptz not null default now()
    )`;
  });

  const applied: string[] = [];
  for (const name of files) {
    const body = await readFile(path.join(dir, name), 'utf8');
    const didApply = await sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`;
      const [done] = await tx`select 1 from schema_migrations where name = ${name}`;
      if (done) return false;
      await tx.unsafe(body);
      await tx`insert into schema_migrations (name) values (${name})`;
      return true;
    });
    if (didApply) applied.push(name);
  }
  return applied;
}
