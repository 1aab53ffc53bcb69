import { randomUUID } from 'node:crypto';
import {
  AccountError,
  type Accounts,
  loadConfig,
  localStack,
  type RunningApp,
  signWebhook,
  startApp,
} from '@sopflow/server';
import { inject } from 'vitest';

// biome-ignore lint/suspicious/noExplicitAny: tests read API answers field by field and assert on them.
type JsonBody = any;

/** A unique suffix so test files and tests never share flows, contacts or task queues. */
export const uniqueId = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/**
 * The payload keys every test app encrypts Temporal payloads with (one run shares one Temporal, so
 * every app must open every other's histories); a test of rotation gives its own.
 */
export const TEST_PAYLOAD_KEYS = `e2e-1:${Buffer.alloc(32, 7).toString('base64')}`;

/** The first admin every test app's database gets (created at the first start). */
export const TEST_ADMIN = { email: 'admin@e2e.test', password: 'e2e-admin-password' } as const;

export interface TestApp extends RunningApp {
  url: string;
  taskQueue: string;
  env: Record<string, string>;
  /** An admin API token, created at start; `request` sends it. */
  token: string;
  /** JSON request to the API as an admin (with `token`); answers status and parsed body. */
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: JsonBody }>;
  /**
   * A request with the given credentials: a bearer token, a session cookie (with the CSRF token
   * header when given), or none. Answers status, parsed body (when JSON) and headers.
   */
  requestWith(
    auth: { token?: string; cookie?: string; csrfToken?: string },
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: JsonBody; headers: Headers }>;
  /** Logs in (the test admin by default): the session cookie and CSRF token, for a browser or requestWith. */
  login(email?: string, password?: string): Promise<{ cookie: string; csrfToken: string }>;
  /** Posts a signed delivery to a flow's webhook. */
  webhook(
    flowId: string,
    payload: unknown,
    options?: { secret?: string; signature?: string },
  ): Promise<{ status: number; body: JsonBody }>;
  /**
   * Stops the app. Its connector-job runs are terminated unless `handOver`: a later app on the same
   * task queue is to finish them (a restart).
   */
  stop(options?: { handOver?: boolean }): Promise<void>;
}

/** Starts the API (and a worker, unless told not to) against the e2e run's Temporal and Postgres. */
export async function startTestApp(
  options: {
    worker?: boolean;
    taskQueue?: string;
    temporalAddress?: string;
    env?: Record<string, string>;
    /** Built builder files for the API to serve at `/` (builder-ui/dist). */
    builderDir?: string;
  } = {},
): Promise<TestApp> {
  const taskQueue = options.taskQueue ?? uniqueId('e2e');
  const env = {
    SOPFLOW_PORT: String(await localStack.findFreePort()),
    TEMPORAL_ADDRESS: options.temporalAddress ?? inject('temporalAddress'),
    TEMPORAL_UI_URL: inject('temporalUiUrl'),
    DATABASE_URL: inject('databaseUrl'),
    TEMPORAL_TASK_QUEUE: taskQueue,
    SOPFLOW_SECRET_KEY: 'e2e-secret-key-not-for-production',
    SOPFLOW_PAYLOAD_KEYS: TEST_PAYLOAD_KEYS,
    SOPFLOW_ADMIN_EMAIL: TEST_ADMIN.email,
    SOPFLOW_ADMIN_PASSWORD: TEST_ADMIN.password,
    ...options.env,
  };
  const config = loadConfig(env);
  const app = await startApp({
    config,
    databaseUrl: env.DATABASE_URL,
    temporalAddress: env.TEMPORAL_ADDRESS,
    temporalUiUrl: env.TEMPORAL_UI_URL,
    worker: options.worker ?? true,
    builderDir: options.builderDir,
  });
  const url = app.url!;
  // The run's database is shared, so its first admin came from whichever file started first: make
  // sure the admin this app was configured with can log in too.
  await ensureAdmin(app.accounts, env.SOPFLOW_ADMIN_EMAIL, env.SOPFLOW_ADMIN_PASSWORD);
  const { token } = await app.accounts.createToken({ name: `e2e ${taskQueue}`, role: 'admin' });
  // The run's database is shared by every file: flows this app made live are archived when it
  // stops, so a later file's events start only its own flows (an event trigger takes any contact).
  const madeLive = new Set<string>();
  const requestWith: TestApp['requestWith'] = async (auth, method, path, body, headers = {}) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(auth.token ? { authorization: `Bearer ${auth.token}` } : {}),
        ...(auth.cookie ? { cookie: auth.cookie } : {}),
        ...(auth.csrfToken ? { 'x-csrf-token': auth.csrfToken } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: JsonBody = text || undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON (an HTML page, TwiML): the text itself.
    }
    const live = /^\/api\/flows\/([^/?]+)\/(publish|rollback|resume)$/.exec(path);
    if (method === 'POST' && live && response.ok) madeLive.add(decodeURIComponent(live[1]!));
    return { status: response.status, body: parsed, headers: response.headers };
  };
  const request: TestApp['request'] = async (method, path, body) => {
    const { status, body: answer } = await requestWith({ token }, method, path, body);
    return { status, body: answer };
  };
  const login: TestApp['login'] = async (email = TEST_ADMIN.email, password = TEST_ADMIN.password) => {
    const response = await requestWith({}, 'POST', '/api/auth/login', { email, password });
    if (response.status !== 200) throw new Error(`login as ${email}: ${JSON.stringify(response.body)}`);
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0]!;
    return { cookie, csrfToken: response.body.csrfToken as string };
  };
  const secrets = new Map<string, string>();
  const webhook: TestApp['webhook'] = async (flowId, payload, opts = {}) => {
    let secret = opts.secret ?? secrets.get(flowId);
    if (!secret) {
      secret = (await request('GET', `/api/flows/${flowId}/webhook`)).body.secret as string;
      secrets.set(flowId, secret);
    }
    const raw = JSON.stringify(payload);
    const response = await fetch(`${url}/api/hooks/${flowId}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-sopflow-signature': opts.signature ?? signWebhook(secret, raw),
      },
      body: raw,
    });
    return { status: response.status, body: await response.json() };
  };
  const stop: TestApp['stop'] = async ({ handOver = false } = {}) => {
    try {
      await withinSeconds(10, async () => {
        // Only the run's shared database and Temporal need tidying: a file's own are gone with it.
        if (env.DATABASE_URL !== inject('databaseUrl') || env.TEMPORAL_ADDRESS !== inject('temporalAddress'))
          return;
        if (madeLive.size > 0)
          await app.sql`update flows set status = 'archived' where id in ${app.sql([...madeLive])}`;
        // A connector job's workflow id names the job, not the app: one left on this app's task
        // queue, which no worker polls once it stops, would hold that id for every later file.
        if (handOver) return;
        for await (const run of app.client.workflow.list({
          query: `WorkflowType = 'connectorJob' AND ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue}'`,
        }))
          await app.client.workflow.getHandle(run.workflowId, run.runId).terminate('test app stopped');
      });
    } catch (error) {
      // A file that took Postgres or Temporal down stops anyway; what it leaves may touch later files.
      console.warn(`could not tidy up after this app: ${(error as Error).message}`);
    } finally {
      await app.stop();
    }
  };
  return { ...app, url, taskQueue, env, token, request, requestWith, login, webhook, stop };
}

/** Runs `work`, or fails once `seconds` have passed. */
async function withinSeconds(seconds: number, work: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not done within ${seconds} s`)), seconds * 1000);
  });
  try {
    await Promise.race([work(), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** An admin account with this email and password: created, or made so. */
async function ensureAdmin(accounts: Accounts, email: string, password: string): Promise<void> {
  try {
    await accounts.createUser({ email, password, role: 'admin' });
  } catch (error) {
    if (!(error instanceof AccountError) || error.code !== 'email_taken') throw error;
    const user = (await accounts.listUsers()).find((u) => u.email.toLowerCase() === email.toLowerCase())!;
    if (user.role === 'admin' && (await accounts.checkPassword(email, password))) return;
    await accounts.updateUser(user.id, { password, role: 'admin', disabled: false });
  }
}

/** Saves a flow document as a draft and publishes it; fails the test on any error. */
export async function publishFlow(
  app: TestApp,
  document: { id: string; [key: string]: unknown },
): Promise<number> {
  const saved = await app.request('PUT', `/api/flows/${document.id}`, document);
  if (saved.status !== 200) throw new Error(`saving ${document.id}: ${JSON.stringify(saved.body)}`);
  const published = await app.request('POST', `/api/flows/${document.id}/publish`, { note: 'test' });
  if (published.status !== 201)
    throw new Error(`publishing ${document.id}: ${JSON.stringify(published.body)}`);
  return published.body.version as number;
}
