import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { localStack } from '@sopflow/server';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const { connectDatabase, findFreePort, migrate, repoRoot, startPostgres } = localStack;
type PostgresHandle = localStack.PostgresHandle;

describe('embedded postgres + migrations', () => {
  let dir: string;
  let pg: PostgresHandle | undefined;
  let sql: Sql | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sopflow-pg-'));
    // mkdtemp creates 0700; as root the server runs as `postgres` and must be able to enter it.
    await chmod(dir, 0o755);
    pg = await startPostgres({
      databaseUrl: '',
      dataDir: dir,
      port: await findFreePort(),
      database: 'sopflow_test',
    });
    sql = connectDatabase(pg.url, { max: 4 });
  }, 120_000);

  afterAll(async () => {
    await sql?.end();
    await pg?.stop();
    await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it('starts a real server on the requested database', async () => {
    expect(pg?.external).toBe(false);
    const [row] = await sql!`select current_database() as db, current_user as who`;
    expect(row).toEqual({ db: 'sopflow_test', who: 'sopflow' });
  });

  it('migrates once, even when callers race', async () => {
    const [first, second] = await Promise.all([migrate(sql!), migrate(sql!)]);
    const files = readdirSync(path.join(repoRoot(), 'engine/server/src/persistence/migrations'))
      .filter((f) => f.endsWith('.sql'))
      .sort();
    expect(files.length).toBeGreaterThan(0);
    // Each file applied once in all, whichever caller won the lock.
    expect([...first!, ...second!].sort()).toEqual(files);
    expect(await migrate(sql!)).toEqual([]);
    const tables = await sql!`select tablename from pg_tables where schemaname = 'public' order by tablename`;
    expect(tables.map((t) => t.tablename)).toEqual([
      'api_tokens',
      'audit_log',
      'campaigns',
      'channel_codes',
      'channel_routes',
      'connector_records',
      'contact_addresses',
      'contact_erasures',
      'contact_tag_changes',
      'contact_updates',
      'contacts',
      'deliveries',
      'enrollments',
      'events',
      'flow_versions',
      'flows',
      'group_join_ways',
      'group_welcome_templates',
      'inbound_facts',
      'integrator_deliveries',
      'integrator_events',
      'integrator_subscriptions',
      'journey_batches',
      'journey_steps',
      'message_statuses',
      'outbox',
      'points_ledger',
      'provider_tags',
      'retention_settings',
      'schema_migrations',
      'sessions',
      'users',
      'webhook_deliveries',
      'webhook_signatures_seen',
      'wecom_groups',
    ]);
  });

  it('rejects a duplicate outbox idempotency key', async () => {
    const row = {
      idempotency_key: 'wf-1/node-1/1',
      workflow_id: 'wf-1',
      flow_id: 'flow-1',
      flow_version: 1,
      node_id: 'node-1',
      contact_id: 'contact-1',
      channel: 'email',
      body: 'hello',
    };
    await sql!`insert into outbox ${sql!(row)}`;
    await expect(sql!`insert into outbox ${sql!(row)}`).rejects.toMatchObject({ code: '23505' });
    const [count] = await sql!`select count(*)::int as n from outbox`;
    expect(count?.n).toBe(1);
  });

  it('keeps data across a restart, past a stale postmaster.pid', async () => {
    const port = await findFreePort();
    await sql!.end();
    await pg!.stop();
    // Simulates a crash followed by pid reuse: the recorded pid is alive but is not a postgres.
    // Postgres alone would refuse to start here.
    const impostor = spawn('sleep', ['60'], { stdio: 'ignore' });
    const pidFile = path.join(dir, 'postgres', 'postmaster.pid');
    await writeFile(pidFile, `${impostor.pid}\n${path.join(dir, 'postgres')}\n0\n${port}\n\n`);
    try {
      pg = await startPostgres({ databaseUrl: '', dataDir: dir, port, database: 'sopflow_test' });
    } finally {
      impostor.kill();
    }
    sql = connectDatabase(pg.url, { max: 2 });
    const [count] = await sql`select count(*)::int as n from outbox`;
    expect(count?.n).toBe(1);
    expect(await migrate(sql)).toEqual([]);
  }, 120_000);

  it('passes an external database URL through without starting anything', async () => {
    const external = await startPostgres({ databaseUrl: 'postgres://elsewhere/db' });
    expect(external).toMatchObject({ url: 'postgres://elsewhere/db', external: true });
    await external.stop();
  });

  it('keeps a failing exit code: the package exit hook would end the process with 0', async () => {
    // A process that used the embedded server and recorded a failure (as a test run does) must
    // still exit with it; async-exit-hook, loaded with the package, calls process.exit(0).
    const childDir = await mkdtemp(path.join(tmpdir(), 'sopflow-pg-exit-'));
    await chmod(childDir, 0o755);
    const script = `
      import { startPostgres } from ${JSON.stringify(path.join(repoRoot(), 'engine/server/src/persistence/embedded-postgres.ts'))};
      const pg = await startPostgres({ databaseUrl: '', dataDir: ${JSON.stringify(childDir)}, port: ${await findFreePort()}, database: 'exit_code' });
      await pg.stop();
      process.exitCode = 3;`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repoRoot(),
      stdio: 'ignore',
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    await rm(childDir, { recursive: true, force: true });
    expect(code).toBe(3);
  }, 120_000);
});
