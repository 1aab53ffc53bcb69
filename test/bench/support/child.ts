import { defaultRegistry, outboxConnector } from '@sopflow/connectors';
import {
  ChannelRoutes,
  ConnectorJobs,
  ContactChanges,
  ContactEvents,
  createActivities,
  Database,
  Enroller,
  EventRouter,
  encryptingDataConverter,
  Groups,
  loadConfig,
  localStack,
  PayloadEncryptionCodec,
  parsePayloadKeys,
  Retention,
  type RunningApp,
  TemporalGateway,
  tagsPortOf,
  workflowBundle,
} from '@sopflow/server';
import { Client, Connection } from '@temporalio/client';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  Runtime,
  Worker,
  type WorkflowBundle,
} from '@temporalio/worker';
import type { ChildReady } from './stack';

/**
 * A benchmark child process (forked by stack.ts with `--import tsx`), configured by the same
 * environment variables as `sopflow api` / `sopflow worker`:
 * - `api`: `startApp` with the API only (BENCH_BUILDER_DIR serves the builder);
 * - `worker`: `startApp` with the worker only: the production worker with its default settings,
 *   bundling the product's workflows plus the benchmarks' baseline;
 * - `custom-worker`: the same worker built by hand (same bundle, activities and
 *   maxConcurrentActivityTaskExecutions as startWorker) plus BENCH_WORKER_OVERRIDES (JSON Worker
 *   options), for the tuning experiments, and BENCH_WORKFLOWS_PATH to bundle another workflows
 *   file. Deliveries go to the outbox, as with no channel routes.
 */

const kind = process.argv[2];

/** The product's workflows plus the benchmarks' hand-written baseline, which the product bundle leaves out. */
function benchBundle(): Promise<WorkflowBundle> {
  const workflowsPath = new URL('../workflows/bundle.ts', import.meta.url).pathname;
  return bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
}
const send = (message: ChildReady | { type: 'error'; message: string }) => process.send?.(message);

async function main() {
  const config = loadConfig(process.env);
  const databaseUrl = process.env.DATABASE_URL!;
  const temporalAddress = process.env.TEMPORAL_ADDRESS!;
  let stop: () => Promise<void>;
  let ready: ChildReady = { type: 'ready', pid: process.pid };

  if (kind === 'api' || kind === 'worker') {
    const { startApp } = await import('@sopflow/server');
    const app: RunningApp = await startApp({
      config,
      databaseUrl,
      temporalAddress,
      temporalUiUrl: 'http://127.0.0.1:1',
      api: kind === 'api',
      worker: kind === 'worker',
      builderDir: process.env.BENCH_BUILDER_DIR || undefined,
      workflowBundle: kind === 'worker' ? await benchBundle() : undefined,
    });
    stop = () => app.stop();
    const options = app.worker?.worker.options;
    ready = {
      ...ready,
      url: app.url,
      bundleBytes: app.worker ? (await workflowBundle()).code.length : undefined,
      maxCachedWorkflows: options?.maxCachedWorkflows,
      workerOptions: options ? describeOptions(options as unknown as Record<string, unknown>) : undefined,
    };
  } else if (kind === 'custom-worker') {
    const overrides = JSON.parse(process.env.BENCH_WORKER_OVERRIDES ?? '{}') as Record<string, unknown>;
    try {
      Runtime.install({ logger: new DefaultLogger('WARN') });
    } catch {
      // Installed already.
    }
    const sql = localStack.connectDatabase(databaseUrl);
    const store = new Database(sql, { addressMatchKey: defaultRegistry().matchKey });
    const connection = await Connection.connect({ address: temporalAddress });
    const dataConverter = encryptingDataConverter(
      new PayloadEncryptionCodec(parsePayloadKeys(config.SOPFLOW_PAYLOAD_KEYS ?? '')),
    );
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
    const temporal = new TemporalGateway(client, config.TEMPORAL_TASK_QUEUE);
    const contactChanges = new ContactChanges(store, temporal);
    const enroller = new Enroller(store, temporal, contactChanges);
    const events = new EventRouter(store, temporal, enroller);
    const connectorContext = (connector: string) => ({ storage: store.connectorStorage(connector) });
    const outbox = {
      connector: 'outbox',
      instance: outboxConnector.create({}, { storage: store.connectorStorage('outbox') }),
      dedup: true,
    };
    const native = await NativeConnection.connect({ address: temporalAddress });
    const bundle = process.env.BENCH_WORKFLOWS_PATH
      ? await bundleWorkflowCode({
          workflowsPath: process.env.BENCH_WORKFLOWS_PATH,
          logger: new DefaultLogger('WARN'),
        })
      : await benchBundle();
    const worker = await Worker.create({
      connection: native,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      dataConverter,
      workflowBundle: bundle,
      activities: createActivities({
        routes: async () => outbox,
        http: { allowedHosts: config.SOPFLOW_HTTP_ALLOWED_HOSTS },
        store,
        enroller,
        contactChanges,
        retention: new Retention(store),
        connectorJobs: new ConnectorJobs(
          defaultRegistry(),
          new ChannelRoutes(store.channelRoutes, defaultRegistry(), undefined, connectorContext),
          new Groups(store, events),
          connectorContext,
          temporal,
          new ContactEvents(store, events, contactChanges),
          (connector) => tagsPortOf(store.providerTags, connector),
        ),
      }),
      maxConcurrentActivityTaskExecutions: config.SOPFLOW_WORKER_ACTIVITIES,
      ...overrides,
    });
    const done = worker.run().finally(() => native.close());
    stop = async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await done;
      await connection.close();
      await sql.end({ timeout: 5 });
    };
    ready = {
      ...ready,
      maxCachedWorkflows: worker.options.maxCachedWorkflows,
      bundleBytes: bundle.code.length,
      workerOptions: describeOptions(worker.options as unknown as Record<string, unknown>),
    };
  } else {
    throw new Error(`unknown child kind ${kind}`);
  }

  const shutdown = () =>
    stop()
      .catch((error) => console.error('bench child stop:', error))
      .finally(() => process.exit(0));
  process.on('message', (message: { type: string }) => {
    if (message.type === 'stop') void shutdown();
  });
  // The bench process went away: do not outlive it.
  process.on('disconnect', () => void shutdown());
  send(ready);
}

/** The worker settings that matter for throughput and memory, as the SDK compiled them. */
function describeOptions(options: Record<string, unknown>) {
  const pick = (key: string) => options[key];
  return {
    maxCachedWorkflows: pick('maxCachedWorkflows'),
    tuner: pick('tuner'),
    workflowTaskPollerBehavior: pick('workflowTaskPollerBehavior'),
    activityTaskPollerBehavior: pick('activityTaskPollerBehavior'),
    nonStickyToStickyPollRatio: pick('nonStickyToStickyPollRatio'),
    reuseV8Context: pick('reuseV8Context'),
    workflowThreadPoolSize: pick('workflowThreadPoolSize'),
  };
}

main().catch((error: Error) => {
  console.error(error);
  send({ type: 'error', message: error.message });
  process.exit(1);
});
