import type { ConnectorRegistry, RecipientLimit } from '@sopflow/connectors';
import type { CompileOptions, Contact } from '@sopflow/core';
import { checkIssues } from '@sopflow/core/api';
import type { PayloadCodec } from '@temporalio/common';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { errorCauses } from '../error-causes';
import type { Database, FlowRecord } from '../persistence';
import type { Accounts, Principal } from '../persistence/accounts';
import type { Campaigns } from '../services/campaigns';
import type { ChannelCodes } from '../services/channel-codes';
import type { ChannelRoutes } from '../services/channel-routes';
import type { ConnectorJobs } from '../services/connector-jobs';
import type { ContactEvents } from '../services/contact-events';
import type { Contacts } from '../services/contacts';
import type { Enroller } from '../services/enroll';
import type { ContactErasure } from '../services/erasure';
import type { EventRouter } from '../services/events';
import type { FlowControl } from '../services/flow-control';
import type { Groups } from '../services/groups';
import type { InboundFacts } from '../services/inbound-facts';
import type { MessageStatuses } from '../services/message-status';
import type { Messages } from '../services/messages';
import type { Retention } from '../services/retention';
import type { Stats } from '../services/stats';
import type { VersionMigrator } from '../services/version-migration';
import type { ContactAddressRules } from './contact-addresses';

declare module 'hono' {
  interface ContextVariableMap {
    /** Who is calling; unset on public routes. */
    principal: Principal | undefined;
    /** What a bulk read of contact data gave (counts, never the data): its audit entry's details. */
    bulkRead: Record<string, number> | undefined;
    /** Ids of erased contacts a refused request named: its audit entry names them `erased`. */
    erasedContactIds: string[] | undefined;
  }
}

/** What the API is built from. */
export interface ApiOptions {
  store: Database;
  enroller: Enroller;
  events: EventRouter;
  migrator: VersionMigrator;
  campaigns: Campaigns;
  accounts: Accounts;
  contacts: Contacts;
  /** Erasing contacts: their runs, their data everywhere, a tombstone. */
  erasure: ContactErasure;
  /** How long records are kept (the purge itself runs on the worker). */
  retention: Retention;
  flowControl: FlowControl;
  stats: Stats;
  /** Transactional sends (`POST /api/messages`). */
  messages: Messages;
  registry: ConnectorRegistry;
  channelRoutes: ChannelRoutes;
  /** Channel codes (渠道活码) on the provider, and their counts. */
  channelCodes: ChannelCodes;
  /** Signs unsubscribe links; unsubscribe routes answer 404 without it. */
  secretKey?: string;
  /** The customer groups watched: member changes from callbacks become events. */
  groups: Groups;
  /** Events providers report about contacts named by an address: they change the contact, then are posted. */
  contactEvents: ContactEvents;
  /** The jobs connectors declare: their schedules follow the routes, and inbound calls may run one now. */
  connectorJobs: ConnectorJobs;
  /** What providers' callbacks report: contact events kept before the answer, processed after. */
  inboundFacts: InboundFacts;
  /** Where providers' reports of what became of each message are recorded. */
  messageStatuses: MessageStatuses;
  /**
   * The server's settings for connectors' inbound handlers, by connector name (WeCom's callback
   * token and AES key); a handler whose settings are missing answers 404.
   */
  inboundSettings: Readonly<Record<string, Readonly<Record<string, string>> | undefined>>;
  /** The channels sends may use (the registered connectors'). */
  channels: readonly string[];
  /** The quotas per recipient the registered connectors declare, for the compile warnings. */
  limits: readonly RecipientLimit[];
  /** The URL the API is reached at, for webhook URLs. */
  publicUrl: string;
  /** The Temporal UI, for links to runs. */
  temporalUiUrl: string;
  namespace: string;
  /** Encrypts and decrypts Temporal payloads, for the Temporal UI's codec calls. */
  payloadCodec: PayloadCodec;
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
  /** The contact address kinds the connectors declare: the shorthand, and the check of addresses. */
  addressRules: ContactAddressRules;
  /** What flows are compiled against: the channels and whom they reach, from the connectors. */
  compileOptions: Pick<CompileOptions, 'channels' | 'reach' | 'limits' | 'freeFormWindows'>;
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

/**
 * How deep a request's JSON may nest. Far beyond any real body (a flow document with conditions
 * nested the most they may be is about 70 deep); the bound keeps a small hostile body from
 * overflowing the stack of whatever walks it next (zod, postgres.js, Postgres itself).
 */
export const MAX_JSON_DEPTH = 128;

/** An unpaired UTF-16 surrogate: in `u` mode a well-formed pair is one code point and never matches. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Why Postgres would refuse a text (a NUL, a lone surrogate), or undefined when it takes it. */
function textProblem(text: string): string | undefined {
  return text.includes('\u0000')
    ? 'contains a NUL character (\\u0000)'
    : LONE_SURROGATE.test(text)
      ? 'contains an unpaired UTF-16 surrogate'
      : undefined;
}

/** Text as Postgres can store it: each NUL and unpaired surrogate replaced with U+FFFD. */
export function storableText(text: string): string {
  return text.replaceAll('\u0000', '\ufffd').replace(/\p{Cs}/gu, '\ufffd');
}

/**
 * Why a parsed JSON value cannot be taken, or undefined when it can: nested past `MAX_JSON_DEPTH`,
 * or holding text Postgres refuses (NUL, lone surrogates) in a string or a key. Walked without
 * recursion, so the check itself cannot overflow.
 */
export function jsonValueProblem(
  value: unknown,
): { code: string; status: 400 | 422; message: string; path?: string } | undefined {
  // Each value with the keys that lead to it: its depth, and the field a refusal names.
  const pending: [unknown, string[]][] = [[value, []]];
  while (pending.length > 0) {
    const [current, path] = pending.pop()!;
    if (typeof current === 'string') {
      const problem = textProblem(current);
      if (problem)
        return {
          code: 'invalid_text',
          status: 422,
          message: `A string in the body ${problem}.`,
          path: path.join('.'),
        };
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (path.length >= MAX_JSON_DEPTH)
      return {
        code: 'json_too_deep',
        status: 400,
        message: `The JSON body nests more than ${MAX_JSON_DEPTH} levels deep.`,
      };
    for (const [key, item] of Object.entries(current)) {
      const problem = textProblem(key);
      if (problem)
        return {
          code: 'invalid_text',
          status: 422,
          message: `A key in the body ${problem}.`,
          path: [...path, key].join('.'),
        };
      pending.push([item, [...path, key]]);
    }
  }
  return undefined;
}

/** Text parsed as a JSON body, or why it cannot be taken (not JSON, too deep, text Postgres refuses). */
export function jsonBody(
  text: string,
):
  | { ok: true; value: unknown }
  | { ok: false; code: string; status: 400 | 422; message: string; path?: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: 'invalid_json', status: 400, message: 'The request body is not valid JSON.' };
  }
  const problem = jsonValueProblem(value);
  return problem ? { ok: false, ...problem } : { ok: true, value };
}

/** Text parsed as a JSON body, or the 400/422 answer to give. */
export function parseJsonBody(
  c: Context,
  text: string,
): { ok: true; value: unknown } | { ok: false; response: Response } {
  const body = jsonBody(text);
  if (body.ok) return body;
  const details = body.path === undefined ? undefined : [{ path: body.path, message: body.message }];
  return { ok: false, response: apiError(c, body.status, body.code, body.message, details) };
}

/** The request body as JSON (undefined when empty), or the 400/422 answer to give. */
export async function readJson(
  c: Context,
): Promise<{ ok: true; value: unknown } | { ok: false; response: Response }> {
  const text = await c.req.text();
  if (text.trim() === '') return { ok: true, value: undefined };
  return parseJsonBody(c, text);
}

/** A request part checked with its contract schema: the data, or the 4xx answer to give. */
export type Checked<T> = { ok: true; data: T } | { ok: false; response: Response };

/**
 * A value checked with a contract schema; a mismatch answers 422 with `code`, `message` and the
 * issues naming the fields (each in English and Chinese, see `checkIssues`).
 */
export function checkValue<S extends z.ZodType>(
  c: Context,
  schema: S,
  value: unknown,
  code: string,
  message: string,
): Checked<z.output<S>> {
  const parsed = checkIssues(schema, value);
  return parsed.success
    ? { ok: true, data: parsed.data }
    : { ok: false, response: apiError(c, 422, code, message, parsed.issues) };
}

/**
 * The JSON body checked with a contract schema: 400/422 when it is not JSON we can take (see
 * `jsonBody`), 422 with `code` (default `invalid_body`) and the issues when it does not match.
 */
export async function checkBody<S extends z.ZodType>(
  c: Context,
  schema: S,
  message: string,
  code = 'invalid_body',
): Promise<Checked<z.output<S>>> {
  const body = await readJson(c);
  return body.ok ? checkValue(c, schema, body.value, code, message) : body;
}

/** Text parameters (a query's, a path's) checked with a contract schema, and for text Postgres refuses. */
function checkParameters<S extends z.ZodType>(
  c: Context,
  schema: S,
  values: Record<string, string>,
  code: string,
  message: string,
): Checked<z.output<S>> {
  const unfit = Object.entries(values).flatMap(([name, value]) => {
    const problem = textProblem(value);
    return problem ? [{ path: name, message: `The value ${problem}.` }] : [];
  });
  if (unfit.length > 0) return { ok: false, response: apiError(c, 422, code, message, unfit) };
  return checkValue(c, schema, values, code, message);
}

/** The query checked with a contract schema: 422 `invalid_query` with the issues naming the parameters. */
export function checkQuery<S extends z.ZodType>(c: Context, schema: S): Checked<z.output<S>> {
  return checkParameters(c, schema, c.req.query(), 'invalid_query', 'The query is not valid.');
}

/** The path's parameters checked with a contract schema: 422 `invalid_path` with the issues naming them. */
export function checkPath<S extends z.ZodType>(c: Context, schema: S): Checked<z.output<S>> {
  return checkParameters(
    c,
    schema,
    c.req.param() as Record<string, string>,
    'invalid_path',
    'The path is not valid.',
  );
}

/** The answer to a failure a route knows, or undefined for any other (the app's error handler takes it). */
export type FailureAnswer = (c: Context, error: unknown) => Response | undefined;

/**
 * Notes, for the request's audit entry, how much contact data a bulk read or export gave: counts
 * only, so the audit log says who read how many contacts and never holds the data. The route is
 * declared `audit: true`.
 */
export function auditBulkRead(c: Context, counts: Record<string, number>): void {
  c.set('bulkRead', counts);
}

/** A service's error with a stable code: answered with the code's status, its message and details. */
export function codedError<E extends Error & { code: string; details?: unknown }>(
  type: abstract new (...args: never[]) => E,
  status: Readonly<Record<E['code'], ContentfulStatusCode>> | ((code: E['code']) => ContentfulStatusCode),
): FailureAnswer {
  const statusOf = typeof status === 'function' ? status : (code: E['code']) => status[code];
  return (c, error) =>
    error instanceof type
      ? apiError(c, statusOf(error.code), error.code, error.message, error.details)
      : undefined;
}

/** Temporal cannot be reached: 503 `temporal_unavailable` with what the caller should do. */
export const temporalUnavailable =
  (message: string): FailureAnswer =>
  (c, error) =>
    isUnavailable(error) ? apiError(c, 503, 'temporal_unavailable', message) : undefined;

/** What `work` answers, as JSON with `status`; a failure `failure` knows is answered so, any other is thrown on. */
export async function answerWith(
  c: Context,
  work: () => Promise<unknown>,
  failure: FailureAnswer,
  status: ContentfulStatusCode = 200,
): Promise<Response> {
  try {
    return c.json(await work(), status);
  } catch (error) {
    const answer = failure(c, error);
    if (answer) return answer;
    throw error;
  }
}

/** Temporal's client reports an unreachable server as gRPC UNAVAILABLE (code 14). */
export function isUnavailable(error: unknown): boolean {
  // postgres.js reports a refused connection as ECONNREFUSED too: that is the database, not Temporal.
  if (databaseFailure(error)) return false;
  for (const e of errorCauses(error)) {
    if (e.code === 14) return true;
    if (/UNAVAILABLE|ECONNREFUSED|Connection refused/i.test(String(e.message))) return true;
  }
  return false;
}

/**
 * Postgres cannot be reached: the server refused or dropped the connection (postgres.js codes),
 * or is shutting down or starting up (SQLSTATE class 57P, 53300 too many connections).
 */
const DATABASE_DOWN = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EPIPE',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

/** Text Postgres refuses to store (NUL, bad Unicode escapes in jsonb) or nests too deep to hold. */
const DATABASE_REFUSED_TEXT = new Set(['22P05', '22021', '22P02', '54001']);

/** How a database failure answers: 503 while Postgres is away (retry), 422 for text it refuses. */
export function databaseFailure(
  error: unknown,
): { status: 503 | 422; code: string; message: string } | undefined {
  for (const { code } of errorCauses(error)) {
    if (typeof code !== 'string') continue;
    if (DATABASE_DOWN.has(code))
      return { status: 503, code: 'database_unavailable', message: 'The database is unreachable; retry.' };
    if (DATABASE_REFUSED_TEXT.has(code))
      return { status: 422, code: 'invalid_text', message: 'The request holds text that cannot be stored.' };
  }
  return undefined;
}
