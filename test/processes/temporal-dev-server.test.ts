import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { localStack } from '@sopflow/server';
import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const { ensureSearchAttributes, findFreePort, isPortFree, startTemporalDevServer } = localStack;
type TemporalDevServer = localStack.TemporalDevServer;

describe('temporal dev server', () => {
  let dir: string;
  let server: TemporalDevServer | undefined;
  let connection: Connection | undefined;
  let starting: Promise<TemporalDevServer> | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sopflow-temporal-'));
    starting = startTemporalDevServer({
      port: await findFreePort(),
      ui: false,
      namespace: 'sopflow-test',
      logFile: path.join(dir, 'temporal.log'),
    });
    server = await starting;
    connection = await Connection.connect({ address: server.address });
  }, 120_000);

  afterAll(async () => {
    await connection?.close();
    // A start cut off by the hook's timeout (a first start builds the CLI) goes on in the
    // background: stop the server it brings up rather than leave it running.
    await (server ?? (await starting?.catch(() => undefined)))?.stop();
    await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it('serves the requested namespace headless', async () => {
    expect(server?.uiUrl).toBeUndefined();
    const described = await connection!.workflowService.describeNamespace({ namespace: 'sopflow-test' });
    expect(described.namespaceInfo?.name).toBe('sopflow-test');
  });

  it('adds missing search attributes once', async () => {
    const attrs = { SopflowFlowId: 'Keyword', SopflowFlowVersion: 'Int' } as const;
    expect(await ensureSearchAttributes(connection!, 'sopflow-test', attrs)).toEqual([
      'SopflowFlowId',
      'SopflowFlowVersion',
    ]);
    expect(await ensureSearchAttributes(connection!, 'sopflow-test', attrs)).toEqual([]);
    const listed = await connection!.operatorService.listSearchAttributes({ namespace: 'sopflow-test' });
    expect(listed.customAttributes).toMatchObject({ SopflowFlowId: 2, SopflowFlowVersion: 3 });
  }, 60_000);

  it('refuses an existing attribute with another type', async () => {
    await expect(
      ensureSearchAttributes(connection!, 'sopflow-test', { SopflowFlowId: 'Int' }),
    ).rejects.toThrow(/different type/);
  });

  it('stops and frees its port', async () => {
    const port = Number(server!.address.split(':')[1]);
    await connection!.close();
    connection = undefined;
    await server!.stop();
    await server!.stop();
    expect(await isPortFree(port)).toBe(true);
  }, 60_000);
});

describe('temporal dev server failing to start', () => {
  it('reports the exit and the log tail', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sopflow-temporal-fail-'));
    try {
      const fake = path.join(dir, 'temporal');
      await writeFile(fake, '#!/bin/sh\necho "boom: $*" >&2\nexit 3\n');
      await chmod(fake, 0o755);
      await expect(
        startTemporalDevServer({
          cliPath: fake,
          port: await findFreePort(),
          ui: false,
          logFile: path.join(dir, 'temporal.log'),
        }),
      ).rejects.toThrow(
        /exited with code 3 before it was ready[\s\S]*boom: server start-dev --ip 127\.0\.0\.1/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('persistent temporal dev server with UI', () => {
  it('keeps search attributes across restarts of the same SQLite file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sopflow-temporal-db-'));
    const start = async () =>
      startTemporalDevServer({
        port: await findFreePort(),
        uiPort: await findFreePort(),
        dbFile: path.join(dir, 'nested', 'temporal.sqlite'),
        logFile: path.join(dir, 'temporal.log'),
      });
    let server: TemporalDevServer | undefined;
    let connection: Connection | undefined;
    try {
      server = await start();
      const page = await fetch(server.uiUrl!);
      expect(page.ok).toBe(true);
      connection = await Connection.connect({ address: server.address });
      expect(await ensureSearchAttributes(connection, 'default', { SopflowContactId: 'Keyword' })).toEqual([
        'SopflowContactId',
      ]);
      await connection.close();
      await server.stop();

      server = await start();
      connection = await Connection.connect({ address: server.address });
      expect(await ensureSearchAttributes(connection, 'default', { SopflowContactId: 'Keyword' })).toEqual(
        [],
      );
    } finally {
      await connection?.close();
      await server?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
