import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { defaultRegistry } from '@sopflow/connectors';
import { SEARCH_ATTRIBUTES } from '@sopflow/workflows';
import type { WorkflowBundle } from '@temporalio/worker';
import type { Hono } from 'hono';
import { createActivities } from './activities';
import { createApi } from './api/app';
import {
  type Config,
  localApiUrl,
  messageRules,
  officialAccountCallbackSettings,
  payloadKeys,
  publicApiUrl,
  temporalConnection,
  weComCallbackSettings,
} from './config';
import { Database } from './persistence';
import type { Accounts } from './persistence/accounts';
import { SecretBox } from './secrets';
import { Campaigns } from './services/campaigns';
import { ChannelCodes } from './services/channel-codes';
import { ChannelRoutes } from './services/channel-routes';
import { ConnectorJobs, tagChangeAddressKinds } from './services/connector-jobs';
import { ContactChanges } from './services/contact-changes';
import { ContactEvents } from './services/contact-events';
import { Contacts } from './services/contacts';
import { Enroller } from './services/enroll';
import { ContactErasure } from './services/erasure';
import { EventRouter } from './services/events';
import { FlowControl } from './services/flow-control';
import { Groups } from './services/groups';
import { InboundFacts } from './services/inbound-facts';
import { IntegratorWebhookDispatcher } from './services/integrator-webhooks';
import { MessageStatuses } from './services/message-status';
import { Messages } from './services/messages';
import { tagsPortOf } from './services/provider-tags';
import { Retention } from './services/retention';
import { Stats } from './services/stats';
import { VersionMigrator } from './services/version-migration';
import { TemporalGateway, welcomeTaskQueue } from './temporal/gateway';
import { temporalLinks } from './temporal/links';
import { encryptingDataConverter, PayloadEncryptionCodec } from './temporal/payload-encryption';
import { type RunningWorker, startWorker } from './worker';

export interface AppOptions {
  config: Config;
  databaseUrl: string;
  temporalAddress: string;
  temporalUiUrl: string;
  /** Run the HTTP API. @default true */
  api?: boolean;
  /** Run a Temporal worker. @default true */
  worker?: boolean;
  /** Built builder files to serve at `/`. */
  builderDir?: string;
  /**
   * The worker's workflow code, when not the product's (the benchmarks add their hand-written baseline).
   * @default the bundle of `@sopflow/workflows`
   */
  workflowBundle?: WorkflowBundle;
}

export interface RunningApp {
  /** The API's address, when it runs. */
  url?: string;
  store: Database;
  /** Users, API tokens, sessions and the audit log. */
  accounts: Accounts;
  /** Every change of a message's status goes through it (`recordMessageStatus`); `onChange` hears each. */
  messageStatuses: MessageStatuses;
  /** The server's door to Temporal. */
  temporal: TemporalGateway;
  /** The SDK client inside it, for tests that read histories. */
  client: TemporalGateway['client'];
  /** What encrypts and decrypts Temporal payloads with the configured keys. */
  payloadCodec: PayloadEncryptionCodec;
  /** The connection pool, for tests that read tables directly. */
  sql: Database['sql'];
  /** The HTTP API, when it runs. */
  api?: Hono;
  worker?: RunningWorker;
  /**
   * Resolves once the contact events providers' callbacks reported so far have been processed (a
   * callback is answered before): for tests, which check what an event did.
   */
  inboundSettled(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the parts of sopflow that are ours: migrations, then the worker and/or the API. */
export async function startApp(options: AppOptions): Promise<RunningApp> {
  const { config } = options;
  const registry = defaultRegistry();
  const store = Database.open(options.databaseUrl, {
    addressMatchKey: registry.matchKey,
    tagChangeAddressKinds: tagChangeAddressKinds(registry),
    erasureKey: config.SOPFLOW_SECRET_KEY,
  });
  const { sql } = store;
  const cleanups: (() => Promise<unknown>)[] = [() => store.end()];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((e) => console.error('stop:', e));
  };
  try {
    const payloadCodec = new PayloadEncryptionCodec(payloadKeys(config));
    const dataConverter = encryptingDataConverter(payloadCodec);
    await store.migrate();
    const temporal = temporalConnection(config, options.temporalAddress);
    const gateway = await TemporalGateway.connect(
      temporal,
      config.TEMPORAL_NAMESPACE,
      config.TEMPORAL_TASK_QUEUE,
      SEARCH_ATTRIBUTES,
      dataConverter,
    );
    cleanups.push(() => gateway.close());
    const box = config.SOPFLOW_SECRET_KEY ? new SecretBox(config.SOPFLOW_SECRET_KEY) : undefined;
    const connectorContext = (connector: string) => ({ storage: store.connectorStorage(connector) });
    const channelRoutes = new ChannelRoutes(store.channelRoutes, registry, box, connectorContext);
    cleanups.push(() => channelRoutes.close());
    const publicUrl = publicApiUrl(config);
    const unsubscribe = config.SOPFLOW_SECRET_KEY
      ? { publicUrl, secret: config.SOPFLOW_SECRET_KEY }
      : undefined;

    const contactChanges = new ContactChanges(store, gateway);
    const enroller = new Enroller(store, gateway, contactChanges);
    const events = new EventRouter(store, gateway, enroller);
    const groups = new Groups(store, events);
    const links = temporalLinks(options.temporalUiUrl, config.TEMPORAL_NAMESPACE);
    const contactEvents = new ContactEvents(store, events, contactChanges);
    const messageStatuses = new MessageStatuses(store.messageStatuses);
    const connectorJobs = new ConnectorJobs(
      registry,
      channelRoutes,
      groups,
      connectorContext,
      gateway,
      contactEvents,
      (c) => tagsPortOf(store.providerTags, c),
    );
    const retention = new Retention(store, gateway);
    let worker: RunningWorker | undefined;
    if (options.worker ?? true) {
      const activities = createActivities({
        routes: (channel) => channelRoutes.route(channel),
        unsubscribe,
        http: { allowedHosts: config.SOPFLOW_HTTP_ALLOWED_HOSTS },
        store,
        enroller,
        contactChanges,
        connectorJobs,
        messageStatuses,
        retention,
      });
      const polling = {
        connection: temporal,
        namespace: config.TEMPORAL_NAMESPACE,
        dataConverter,
        activities,
        maxCachedRuns: config.SOPFLOW_WORKER_CACHED_RUNS,
        bundle: options.workflowBundle,
      };
      worker = await startWorker({
        ...polling,
        taskQueue: config.TEMPORAL_TASK_QUEUE,
        maxConcurrentActivities: config.SOPFLOW_WORKER_ACTIVITIES,
      });
      cleanups.push(() => worker!.stop());
      // Welcome flows' runs and their welcome sends have slots of their own (see welcomeTaskQueue).
      const welcomeWorker = await startWorker({
        ...polling,
        taskQueue: welcomeTaskQueue(config.TEMPORAL_TASK_QUEUE),
        maxConcurrentActivities: config.SOPFLOW_WELCOME_WORKER_ACTIVITIES,
      });
      cleanups.push(() => welcomeWorker.stop());
      // Integrators' webhooks are delivered beside the worker, never in its activity slots: a slow
      // endpoint holds none of the flows' work.
      const dispatcher = new IntegratorWebhookDispatcher(store.integratorWebhooks, {
        timeoutMs: config.SOPFLOW_WEBHOOK_TIMEOUT_MS,
        concurrency: config.SOPFLOW_WEBHOOK_CONCURRENCY,
        retryBaseMs: config.SOPFLOW_WEBHOOK_RETRY_BASE_MS,
        maxAttempts: config.SOPFLOW_WEBHOOK_MAX_ATTEMPTS,
      });
      dispatcher.start();
      cleanups.push(() => dispatcher.stop());
    }

    const { accounts } = store;
    let url: string | undefined;
    let api: Hono | undefined;
    let inboundSettled = () => Promise.resolve();
    if (options.api ?? true) {
      await bootstrapAdmin(accounts, config);
      url = localApiUrl(config);
      const campaigns = new Campaigns(gateway, store);
      const contacts = new Contacts(
        store.contacts,
        links.run,
        gateway,
        contactChanges,
        connectorJobs,
        store.flows,
      );
      const inboundFacts = new InboundFacts({
        store,
        contacts,
        events,
        contactEvents,
        connectorJobs,
        groups,
        messageStatuses,
        registry,
      });
      inboundSettled = () => inboundFacts.settled();
      api = createApi({
        store,
        enroller,
        events,
        groups,
        contactEvents,
        connectorJobs,
        messageStatuses,
        migrator: new VersionMigrator(store, gateway),
        campaigns,
        accounts,
        contacts,
        inboundFacts,
        erasure: new ContactErasure(store, gateway),
        retention,
        flowControl: new FlowControl(store, gateway, campaigns, {
          channels: registry.channels(),
          reach: registry.reach(),
          limits: registry.limits(),
          freeFormWindows: registry.freeFormWindows(),
        }),
        stats: new Stats(store, gateway, links.list),
        messages: new Messages(
          store,
          (channel) => channelRoutes.route(channel),
          registry.reach(),
          messageRules(config),
          messageStatuses,
          unsubscribe,
        ),
        rateLimit: {
          perMinute: config.SOPFLOW_RATE_LIMIT_PER_MINUTE,
          burst: config.SOPFLOW_RATE_LIMIT_BURST,
        },
        sessionTtlMs: config.SOPFLOW_SESSION_HOURS * 3_600_000,
        registry,
        channelRoutes,
        channelCodes: new ChannelCodes(store, channelRoutes),
        secretKey: config.SOPFLOW_SECRET_KEY,
        inboundSettings: {
          'wecom-mass': weComCallbackSettings(config),
          'wechat-oa': officialAccountCallbackSettings(config),
        },
        channels: registry.channels(),
        limits: registry.limits(),
        publicUrl,
        temporalUiUrl: options.temporalUiUrl,
        namespace: config.TEMPORAL_NAMESPACE,
        payloadCodec,
        builderDir: options.builderDir,
      });
      await connectorJobs.syncSchedules();
      await retention.schedule();
      const server = await listen(api.fetch, config.SOPFLOW_PORT, config.SOPFLOW_HOST);
      // Stopped after the server: a callback taken while stopping is processed, or left for a sweep.
      cleanups.push(() => inboundFacts.stop());
      cleanups.push(() => new Promise((resolve) => server.close(resolve)));
      inboundFacts.startSweeping();
    }
    return {
      url,
      store,
      accounts,
      messageStatuses,
      temporal: gateway,
      client: gateway.client,
      payloadCodec,
      sql,
      api,
      worker,
      inboundSettled,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** On first start (no user at all), creates the admin from the settings, or with a password shown once. */
async function bootstrapAdmin(accounts: Accounts, config: Config): Promise<void> {
  const created = await accounts.bootstrapAdmin({
    email: config.SOPFLOW_ADMIN_EMAIL,
    password: config.SOPFLOW_ADMIN_PASSWORD,
  });
  if (!created) return;
  if (!created.generated) {
    console.log(`Created the admin account ${created.email} (password from SOPFLOW_ADMIN_PASSWORD).`);
    return;
  }
  console.log(`
  First start: created the admin account. This password is shown once; change it after logging in.
    email     ${created.email}
    password  ${created.password}
  (Set SOPFLOW_ADMIN_EMAIL and SOPFLOW_ADMIN_PASSWORD before the first start to choose them.)
`);
}

function listen(
  fetch: Parameters<typeof serve>[0]['fetch'],
  port: number,
  hostname: string,
): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port, hostname }, () => resolve(server as Server)) as Server;
    server.once('error', reject);
  });
}
