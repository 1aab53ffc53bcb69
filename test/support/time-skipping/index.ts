import {
  encryptingDataConverter,
  localStack,
  PayloadEncryptionCodec,
  parsePayloadKeys,
} from '@sopflow/server';
import { SEARCH_ATTRIBUTES } from '@sopflow/workflows';
import { type ClientOptionsForTestEnv, TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { afterAll, beforeAll } from 'vitest';
import { startTestApp, TEST_PAYLOAD_KEYS, type TestApp } from '../stack';

/** The workflows of `fixtures/sleepy-workflow.ts`, for a Worker's `workflowsPath`. */
export const sleepyWorkflowsPath: string = new URL('./fixtures/sleepy-workflow.ts', import.meta.url).pathname;

export interface CreateTimeSkippingEnvOptions {
  /**
   * Custom search attributes to register (the test server refuses unregistered ones); false for none.
   * @default sopflow's own (`SEARCH_ATTRIBUTES` from @sopflow/workflows)
   */
  searchAttributes?: Record<string, localStack.SearchAttributeKind> | false;
  /**
   * The environment's client options.
   * @default payloads sealed with the test apps' keys, so `env.client` reads their runs
   */
  client?: ClientOptionsForTestEnv;
  /** Progress lines while the server's jars are fetched on first use. */
  onProgress?: (line: string) => void;
}

/**
 * A `TestWorkflowEnvironment` on Temporal's Java time-skipping test server, fetched from Maven Central
 * instead of the GitHub download @temporalio/testing would attempt. `env.sleep()` skips server time, and
 * `env.client.workflow.execute()` / `handle.result()` skip time while the workflow waits on timers.
 * Create Workers with `connection: env.nativeConnection`; call `env.teardown()` when done.
 *
 * Time is global to one environment: run the tests that share it one at a time.
 */
export async function createTimeSkippingEnv(
  opts: CreateTimeSkippingEnvOptions = {},
): Promise<TestWorkflowEnvironment> {
  // The jars must exist before the SDK runs the launcher: it allows the server only 5 s to answer.
  await localStack.ensureTemporalTestServer({ onProgress: opts.onProgress });
  try {
    // The SDK's default runtime logs every worker state change; keep warnings only (as worker.ts does).
    Runtime.install({ logger: new DefaultLogger('WARN') });
  } catch {
    // Already installed.
  }
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    // sdk-core runs `<path> <port>` and kills that pid on teardown; the launcher execs java.
    server: { executable: { type: 'existing-path', path: localStack.temporalTestServerLauncher() } },
    client: opts.client ?? {
      dataConverter: encryptingDataConverter(new PayloadEncryptionCodec(parsePayloadKeys(TEST_PAYLOAD_KEYS))),
    },
  });
  const attrs = opts.searchAttributes ?? SEARCH_ATTRIBUTES;
  if (attrs) {
    try {
      await localStack.ensureSearchAttributes(env.connection, 'default', attrs);
    } catch (error) {
      await env.teardown();
      throw error;
    }
  }
  return env;
}

/**
 * A test app on its own time-skipping Temporal server, started before the file's tests and
 * stopped after them; its fields are set once `beforeAll` has run.
 */
export function useTimeSkippingApp(): { env: TestWorkflowEnvironment; app: TestApp } {
  const stack = {} as { env: TestWorkflowEnvironment; app: TestApp };
  beforeAll(async () => {
    stack.env = await createTimeSkippingEnv();
    stack.app = await startTestApp({ temporalAddress: stack.env.address });
  });
  afterAll(async () => {
    await stack.app?.stop();
    await stack.env?.teardown();
  });
  return stack;
}
