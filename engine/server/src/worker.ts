import type { SopflowActivities } from '@sopflow/workflows';
import { failureConverterPath, workflowsPath } from '@sopflow/workflows';
import type { DataConverter } from '@temporalio/common';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type WorkflowBundle,
} from '@temporalio/worker';
import type { TemporalConnectionOptions } from './config';

export interface WorkerOptions {
  /** Where Temporal is, with TLS and an API key when configured. */
  connection: TemporalConnectionOptions;
  namespace: string;
  taskQueue: string;
  /** How payloads are encoded: sopflow's encrypting one (`encryptingDataConverter`). */
  dataConverter: DataConverter;
  activities: SopflowActivities;
  /** @default 100 */
  maxConcurrentActivities?: number;
  /**
   * Runs kept in memory between their steps (`maxCachedWorkflows`); 0 keeps none.
   * @default the SDK's, from the heap limit
   */
  maxCachedRuns?: number;
  /** A bundle built before; saves a few seconds per worker start. */
  bundle?: WorkflowBundle;
}

export interface RunningWorker {
  worker: Worker;
  /** Resolves once the worker has shut down. */
  done: Promise<void>;
  stop(): Promise<void>;
}

let cachedBundle: Promise<WorkflowBundle> | undefined;

/**
 * The workflow code bundled once per process. The SDK's reusable V8 context (on by default) shares
 * the compiled code, but evaluates the workflow's modules once per run it caches: the workflow code
 * imports `@sopflow/core/interpreter` rather than the whole engine to keep that cost small
 * (worker.test.ts checks the bundle).
 */
export function workflowBundle(): Promise<WorkflowBundle> {
  cachedBundle ??= bundleWorkflowCode({
    workflowsPath,
    // Failures made inside the sandbox carry their message as a payload too (encrypted).
    failureConverterPath,
    logger: new DefaultLogger('WARN'),
  });
  return cachedBundle;
}

let runtimeInstalled = false;

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  if (!runtimeInstalled) {
    runtimeInstalled = true;
    try {
      // Temporal's core logs at INFO by default; operators need its warnings, not its chatter.
      Runtime.install({ logger: new DefaultLogger('WARN') });
    } catch {
      // Already installed by the host process.
    }
  }
  const connection = await NativeConnection.connect(options.connection);
  const worker = await Worker.create({
    connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    dataConverter: options.dataConverter,
    workflowBundle: options.bundle ?? (await workflowBundle()),
    activities: options.activities,
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities ?? 100,
    ...(options.maxCachedRuns === undefined ? {} : { maxCachedWorkflows: options.maxCachedRuns }),
  });
  const done = worker.run().finally(() => connection.close());
  return {
    worker,
    done,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
    },
  };
}
