import type { ConnectorRegistry } from '@sopflow/connectors';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import type { Contact } from '../../index';
import type { Accounts, Principal } from '../accounts';
import type { Campaigns } from '../campaigns';
import type { ChannelRoutes } from '../channel-routes';
import type { Contacts } from '../contacts';
import type { Enroller } from '../enroll';
import type { EventRouter } from '../events';
import type { FlowControl } from '../flow-control';
import type { Stats } from '../stats';
import type { FlowRecord, Store } from '../store';
import type { VersionMigrator } from '../version-migration';

declare module 'hono' {
  interface ContextVariableMap {
    /** Who is calling; unset on public routes. */
    principal: Principal | undefined;
  }
}

/** What the API is built from. */
export interface ApiOptions {
  store: Store;
  enroller: Enroller;
  events: EventRouter;
  migrator: VersionMigrator;
  campaigns: Campaigns;
  accounts: Accounts;
  contacts: Contacts;
  flowControl: FlowControl;
  stats: Stats;
  registry: ConnectorRegistry;
  channelRoutes: ChannelRoutes;
  /** Signs unsubscribe links; unsubscribe routes answer 404 without it. */
  secretKey?: string;
  /** The channels sends may use (the registered connectors'). */
  channels: readonly string[];
  /** The URL the API is reached at, for webhook URLs. */
  publicUrl: string;
  /** The Temporal UI, for links to runs. */
  temporalUiUrl: string;
  namespace: string;
  /** A folder of built builder files to serve at `/`; none when undefined. */
  builderDir?: string;
  /** @default 1 MiB */
  maxBodyBytes?: number;
  /** The limit for bulk contact imports, which are streamed. @default 50 MiB */
  importMaxBytes?: number;
  /** Requests per token or user: sustained per minute, and at once. @default 1200 a minute, 300 at once */
  rateLimit?: { perMinute: number; burst: number };
  /** How long a login lasts. @default 12 hours */
  sessionTtlMs?: number;
}

/** What every route module gets: the options and the links and views routes share. */
export interface ApiContext {
  options: ApiOptions;
  enrollOrExplain(
    c: Context,
    flowId: string,
    contact: Contact,
    event: Record<string, unknown>,
  ): Promise<Response>;
  webhookUrl(flowId: string): string;
  runUrl(workflowId: string, runId?: string): string;
  /** The Temporal UI's list of runs matching a visibility query. */
  listUrl(query: string): string;
  flowView(flow: FlowRecord): Record<string, unknown>;
}

/** The JSON every error answers with: a stable code and a message a person can act on. */
export function apiError(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  details?: unknown,
) {
  return c.json({ error: { code, message, ...(details === undefined ? {} : { details }) } }, status);
}

/** The request body as JSON (undefined when empty), or the 400 answer to give. */
export async function readJson(
  c: Context,
): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  const text = await c.req.text();
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, response: apiError(c, 400, 'invalid_json', 'The request body is not valid JSON.') };
  }
}

export function issuesOf(error: z.ZodError) {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

/** Temporal's client reports an unreachable server as gRPC UNAVAILABLE (code 14). */
export function isUnavailable(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === 14) return true;
    if (/UNAVAILABLE|ECONNREFUSED|Connection refused/i.test(String((e as Error).message))) return true;
  }
  return false;
}
