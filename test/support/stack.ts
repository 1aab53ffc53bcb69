import { randomUUID } from 'node:crypto';
import { loadConfig, type RunningApp, services, signWebhook, startApp } from '@sopflow/engine/node';
import { inject } from 'vitest';

// biome-ignore lint/suspicious/noExplicitAny: tests read API answers field by field and assert on them.
type JsonBody = any;

/** A unique suffix so test files and tests never share flows, contacts or task queues. */
export const uniqueId = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

export interface TestApp extends RunningApp {
  url: string;
  taskQueue: string;
  env: Record<string, string>;
  /** JSON request to the API; answers status and parsed body. */
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: JsonBody }>;
  /** Posts a signed delivery to a flow's webhook. */
  webhook(
    flowId: string,
    payload: unknown,
    options?: { secret?: string; signature?: string },
  ): Promise<{ status: number; body: JsonBody }>;
}

/** Starts the API (and a worker, unless told not to) against the e2e run's Temporal and Postgres. */
export async function startTestApp(
  options: {
    worker?: boolean;
    taskQueue?: string;
    temporalAddress?: string;
    env?: Record<string, string>;
  } = {},
): Promise<TestApp> {
  const taskQueue = options.taskQueue ?? uniqueId('e2e');
  const env = {
    SOPFLOW_PORT: String(await services.findFreePort()),
    TEMPORAL_ADDRESS: options.temporalAddress ?? inject('temporalAddress'),
    TEMPORAL_UI_URL: inject('temporalUiUrl'),
    DATABASE_URL: inject('databaseUrl'),
    TEMPORAL_TASK_QUEUE: taskQueue,
    SOPFLOW_SECRET_KEY: 'e2e-secret-key-not-for-production',
    ...options.env,
  };
  const config = loadConfig(env);
  const app = await startApp({
    config,
    databaseUrl: env.DATABASE_URL,
    temporalAddress: env.TEMPORAL_ADDRESS,
    temporalUiUrl: env.TEMPORAL_UI_URL,
    worker: options.worker ?? true,
  });
  const url = app.url!;
  const request: TestApp['request'] = async (method, path, body) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
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
  return { ...app, url, taskQueue, env, request, webhook };
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
