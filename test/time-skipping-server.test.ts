import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { localStack } from '@sopflow/server';
import { Client, Connection } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type WorkflowBundle,
} from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTimeSkippingEnv, sleepyWorkflowsPath } from './support/time-skipping';

const {
  ensureSearchAttributes,
  ensureTemporalTestServer,
  findFreePort,
  isPortFree,
  startTemporalTestServer,
  temporalTestServerVersion,
} = localStack;
type TemporalTestServer = Awaited<ReturnType<typeof startTemporalTestServer>>;

const THREE_DAYS_MS = 3 * 24 * 60 * 60 * 1000;

const FlowIdKey = defineSearchAttributeKey('SopflowFlowId', SearchAttributeType.KEYWORD);
const FlowVersionKey = defineSearchAttributeKey('SopflowFlowVersion', SearchAttributeType.INT);
const ContactIdKey = defineSearchAttributeKey('SopflowContactId', SearchAttributeType.KEYWORD);
const NodeKey = defineSearchAttributeKey('SopflowNode', SearchAttributeType.KEYWORD);
const sopflowAttributes = [
  { key: FlowIdKey, value: 'vip-welcome' },
  { key: FlowVersionKey, value: 3 },
  { key: ContactIdKey, value: 'c1' },
  { key: NodeKey, value: 'entry' },
];

let bundle: WorkflowBundle;

beforeAll(async () => {
  // First use fetches the jars with Maven (seconds when Maven Central is near); .ci/run does it up front.
  await ensureTemporalTestServer({ onProgress: (line) => console.log(`[temporal-test-server] ${line}`) });
  try {
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed in this worker process.
  }
  bundle = await bundleWorkflowCode({
    workflowsPath: sleepyWorkflowsPath,
    logger: new DefaultLogger('WARN'),
  });
}, 300_000);

describe('ensureTemporalTestServer', () => {
  it('answers the cached classpath without running Maven again', async () => {
    const libDir = await ensureTemporalTestServer({ mvn: '/nonexistent/mvn' });
    const jars = await readdir(libDir);
    expect(jars).toContain(`temporal-test-server-${temporalTestServerVersion()}.jar`);
    expect(jars).toContain(`temporal-sdk-${temporalTestServerVersion()}.jar`);
  });

  it('says Maven is needed when it is missing', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sopflow-test-server-nomvn-'));
    try {
      await expect(
        ensureTemporalTestServer({ libDir: path.join(dir, 'lib'), mvn: 'sopflow-no-such-mvn' }),
      ).rejects.toThrow(/`sopflow-no-such-mvn` was not found: Maven is needed/);
      expect(existsSync(path.join(dir, 'lib'))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('temporal test server with automatic time skipping', () => {
  let server: TemporalTestServer;
  let connection: Connection;
  let client: Client;

  beforeAll(async () => {
    server = await startTemporalTestServer();
    connection = await Connection.connect({ address: server.address });
    client = new Client({ connection });
  }, 120_000);

  afterAll(async () => {
    await connection?.close();
    await server?.stop();
  }, 60_000);

  it('refuses unregistered custom search attributes and cannot list them', async () => {
    const refused = await client.workflow
      .start('sleepyWorkflow', {
        taskQueue: 'unused',
        workflowId: 'unregistered-attributes',
        args: ['1 day'],
        typedSearchAttributes: [{ key: FlowIdKey, value: 'x' }],
      })
      .then(
        () => undefined,
        (error: Error) => error,
      );
    expect(refused?.message).toBe('Failed to start Workflow');
    expect((refused?.cause as Error | undefined)?.message).toMatch(
      /INVALID_ARGUMENT: search attribute SopflowFlowId is not defined/,
    );
    // The server cannot list attributes; ensureSearchAttributes falls back to adding them one by one.
    await expect(connection.operatorService.listSearchAttributes({ namespace: 'default' })).rejects.toThrow(
      /UNIMPLEMENTED/,
    );
  });

  it('registers search attributes once', async () => {
    const attrs = {
      SopflowFlowId: 'Keyword',
      SopflowFlowVersion: 'Int',
      SopflowContactId: 'Keyword',
    } as const;
    expect(await ensureSearchAttributes(connection, 'default', attrs)).toEqual(Object.keys(attrs));
    expect(await ensureSearchAttributes(connection, 'default', { ...attrs, SopflowNode: 'Keyword' })).toEqual(
      ['SopflowNode'],
    );
  });

  it('runs a 3-day timer for a plain client, carrying the search attributes', async () => {
    const nativeConnection = await NativeConnection.connect({ address: server.address });
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue: 'auto-skip',
      workflowBundle: bundle,
    });
    try {
      await worker.runUntil(async () => {
        const handle = await client.workflow.start('sleepyNodeWorkflow', {
          taskQueue: 'auto-skip',
          workflowId: 'auto-skip-3-days',
          args: ['3 days'],
          typedSearchAttributes: sopflowAttributes,
        });
        // The test's timeout is the guard on real time: no assertion on wall-clock speed.
        expect(await handle.result()).toBeGreaterThanOrEqual(THREE_DAYS_MS);
        const described = await handle.describe();
        expect(described.typedSearchAttributes.get(FlowVersionKey)).toBe(3);
        expect(described.typedSearchAttributes.get(NodeKey)).toBe('done');
      });
    } finally {
      await nativeConnection.close();
    }
  }, 60_000);

  it('stops and frees its port', async () => {
    await connection.close();
    await server.stop();
    await server.stop();
    expect(await isPortFree(server.port)).toBe(true);
  }, 60_000);
});

describe('temporal test server failing to start', () => {
  it('reports the exit and the log tail', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sopflow-test-server-fail-'));
    try {
      const fake = path.join(dir, 'java');
      await writeFile(fake, '#!/bin/sh\necho "boom: $*" >&2\nexit 3\n');
      await chmod(fake, 0o755);
      await expect(
        startTemporalTestServer({ java: fake, libDir: dir, logFile: path.join(dir, 'server.log') }),
      ).rejects.toThrow(
        /exited with code 3 before it was ready[\s\S]*boom: .*io\.temporal\.testserver\.TestServer \d+ --enable-time-skipping/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says java is missing', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sopflow-test-server-nojava-'));
    try {
      await expect(
        startTemporalTestServer({
          java: 'sopflow-no-such-java',
          libDir: dir,
          port: await findFreePort(),
          logFile: path.join(dir, 'server.log'),
        }),
      ).rejects.toThrow(/`sopflow-no-such-java` was not found \(install a Java 8\+ runtime/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('TestWorkflowEnvironment on the test server', () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    // The SDK's plain converter: this file's worker runs Temporal's own sample, not sopflow.
    env = await createTimeSkippingEnv({ client: {} });
  }, 120_000);

  afterAll(async () => {
    await env?.teardown();
  }, 60_000);

  it('skips time on sleep', async () => {
    expect(env.supportsTimeSkipping).toBe(true);
    const before = await env.currentTimeMs();
    await env.sleep('2 days');
    expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(2 * 24 * 60 * 60 * 1000);
  });

  it('skips a workflow through a 3-day timer while awaiting its result', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'time-skipping-env',
      workflowBundle: bundle,
    });
    await worker.runUntil(async () => {
      const observed = await env.client.workflow.execute('sleepyNodeWorkflow', {
        taskQueue: 'time-skipping-env',
        workflowId: 'env-3-days',
        args: ['3 days'],
        // createTimeSkippingEnv registered sopflow's search attributes.
        typedSearchAttributes: sopflowAttributes,
      });
      expect(observed).toBeGreaterThanOrEqual(THREE_DAYS_MS);
    });
  }, 60_000);
});
