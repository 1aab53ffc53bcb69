import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultRegistry } from '@sopflow/connectors';
import { Database, localStack } from '@sopflow/server';
import postgres from 'postgres';

/**
 * A new database on the e2e run's Postgres with the migrations before `migration` (a file-name
 * prefix such as '016') applied, to fill with rows of the old shape and then migrate. `drop`
 * closes and removes it.
 */
export async function databaseBefore(
  databaseUrl: string,
  migration: string,
): Promise<{ db: Database; drop(): Promise<void> }> {
  const admin = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const name = `migrate_${randomUUID().slice(0, 8)}`;
  await admin.unsafe(`create database ${name}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  const db = Database.open(url.toString(), { addressMatchKey: defaultRegistry().matchKey });
  const migrations = path.join(localStack.repoRoot(), 'engine/server/src/persistence/migrations');
  const before = mkdtempSync(path.join(tmpdir(), 'sopflow-migrations-'));
  const drop = async () => {
    await db.end();
    rmSync(before, { recursive: true, force: true });
    await admin.unsafe(`drop database ${name}`);
    await admin.end();
  };
  try {
    for (const file of readdirSync(migrations).filter((f) => f < migration))
      copyFileSync(path.join(migrations, file), path.join(before, file));
    await localStack.migrate(db.sql, { dir: before });
  } catch (error) {
    await drop();
    throw error;
  }
  return { db, drop };
}
