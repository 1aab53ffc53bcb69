import type { CompileError, ContactInput, RunOutcome, TimelineEntry } from '@sopflow/core';
import { FlowDocument } from '@sopflow/core';
import type { FlowStatsAnswer } from '../editor/watch';

/**
 * The slice of the sopflow HTTP API the builder uses (engine/server/src/api/app.ts). Paths are
 * relative so the same build works behind the API server and behind Vite's dev proxy.
 */

export type FlowStatus = 'draft' | 'live' | 'paused' | 'stopped' | 'archived';

export interface FlowSummary {
  id: string;
  name: string;
  status: FlowStatus;
  latestVersion: number | null;
  updatedAt: string;
}

/** What the API answers with when it refuses: a stable code, a readable message, maybe details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The compile errors a 422 `compile_failed` carries (publish, simulate), else none. */
  get compileErrors(): CompileError[] {
    if (this.code !== 'compile_failed' || !Array.isArray(this.details)) return [];
    return this.details as CompileError[];
  }
}

/**
 * The session's CSRF token, sent on every write when the API has accounts (a login answers it,
 * and `/api/auth/me` after a reload). An API without accounts never asks for one.
 */
let csrfToken: string | undefined;

/** Told when the API answers 401 (logged out, session expired), so the builder can ask to log in. */
const unauthorizedListeners = new Set<() => void>();
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** One API request with the session's CSRF token; other API modules (channels) share it. */
export async function call(
  method: string,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<unknown> {
  const headers: Record<string, string> = { accept: 'application/json' };
  // A Blob (a file to import) goes as it is, under its own type; anything else as JSON.
  if (body !== undefined) headers['content-type'] = body instanceof Blob ? body.type : 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : body instanceof Blob ? body : JSON.stringify(body),
    signal,
    credentials: 'same-origin',
  });
  const answer: unknown = await response.json().catch(() => undefined);
  if (response.status === 401 && !path.startsWith('/api/auth/'))
    for (const listener of unauthorizedListeners) listener();
  if (!response.ok) {
    const error = (answer as { error?: { code?: string; message?: string; details?: unknown } } | undefined)
      ?.error;
    throw new ApiError(
      response.status,
      error?.code ?? 'http_error',
      error?.message ?? `${response.status} ${response.statusText}`.trim(),
      error?.details,
    );
  }
  return answer;
}

const flowPath = (id: string) => `/api/flows/${encodeURIComponent(id)}`;

export async function listFlows(signal?: AbortSignal): Promise<FlowSummary[]> {
  const body = (await call('GET', '/api/flows', undefined, signal)) as { flows: FlowSummary[] };
  return body.flows;
}

/**
 * How many contacts each flow has in it now, from Temporal's visibility; null for a flow whose
 * count Temporal did not answer.
 */
export async function listRunningNow(signal?: AbortSignal): Promise<Map<string, number | null>> {
  const body = (await call('GET', '/api/flows?counts=true', undefined, signal)) as {
    flows: { id: string; runningNow?: number | null }[];
  };
  return new Map(body.flows.map((f) => [f.id, f.runningNow ?? null]));
}

export type FlowDraft = { ok: true; doc: FlowDocument; raw: unknown } | { ok: false; raw: unknown };

/**
 * The stored draft, parsed with the engine's schema so defaults are filled in. A draft the
 * schema refuses still comes back raw: the compiler reports what is wrong with it.
 */
export async function getDraft(id: string, signal?: AbortSignal): Promise<FlowDraft> {
  const body = (await call('GET', flowPath(id), undefined, signal)) as { draft: unknown };
  const parsed = FlowDocument.safeParse(body.draft);
  return parsed.success ? { ok: true, doc: parsed.data, raw: body.draft } : { ok: false, raw: body.draft };
}

/** Saves the draft; the API answers the compile errors it sees (it may know more channels). */
export async function saveDraft(doc: FlowDocument): Promise<{ errors: CompileError[] }> {
  const body = (await call('PUT', flowPath(doc.id), doc)) as { errors?: CompileError[] };
  return { errors: body.errors ?? [] };
}

export async function publishFlow(id: string, note: string): Promise<{ version: number }> {
  const body = (await call('POST', `${flowPath(id)}/publish`, note ? { note } : {})) as { version: number };
  return { version: body.version };
}

/** A published version's statistics: live counts per step from Temporal, recorded ones from journeys. */
export async function getStats(id: string, version: number, signal?: AbortSignal): Promise<FlowStatsAnswer> {
  return (await call(
    'GET',
    `${flowPath(id)}/stats?version=${version}`,
    undefined,
    signal,
  )) as FlowStatsAnswer;
}

export interface ContactAtNode {
  contactId: string;
  name: string | null;
  workflowId: string;
  runId: string;
  startedAt: string;
  /** This run in the Temporal UI. */
  temporalUrl: string;
}

export interface NodeContacts {
  version: number;
  nodeId: string;
  total: number;
  contacts: ContactAtNode[];
  temporalUrl: string;
}

/** Who stands in a step of a published version now. */
export async function getNodeContacts(
  id: string,
  nodeId: string,
  version: number,
  signal?: AbortSignal,
): Promise<NodeContacts> {
  return (await call(
    'GET',
    `${flowPath(id)}/nodes/${encodeURIComponent(nodeId)}/contacts?version=${version}`,
    undefined,
    signal,
  )) as NodeContacts;
}

export interface VersionSummary {
  version: number;
  note: string | null;
  publishedAt: string;
}

export async function listVersions(id: string, signal?: AbortSignal): Promise<VersionSummary[]> {
  const body = (await call('GET', `${flowPath(id)}/versions`, undefined, signal)) as {
    versions: VersionSummary[];
  };
  return body.versions;
}

/** A published version's document, parsed with the engine's schema like the draft. */
export async function getVersionDocument(
  id: string,
  version: number,
  signal?: AbortSignal,
): Promise<FlowDocument> {
  const body = (await call('GET', `${flowPath(id)}/versions/${version}`, undefined, signal)) as {
    document: unknown;
  };
  return FlowDocument.parse(body.document);
}

/** Publishes an older version's document again, as the next version. */
export async function rollbackFlow(id: string, version: number): Promise<{ version: number }> {
  const body = (await call('POST', `${flowPath(id)}/rollback`, { version })) as { version: number };
  return { version: body.version };
}

export interface TemplateSummary {
  id: string;
  name: Record<'zh' | 'en', string>;
  description: Record<'zh' | 'en', string>;
}

export async function listTemplates(signal?: AbortSignal): Promise<TemplateSummary[]> {
  const body = (await call('GET', '/api/templates', undefined, signal)) as { templates: TemplateSummary[] };
  return body.templates;
}

export async function createFromTemplate(
  template: string,
  locale: 'zh' | 'en',
  id: string,
): Promise<FlowDocument> {
  const body = (await call('POST', '/api/flows/from-template', { template, locale, id })) as {
    draft: unknown;
  };
  return FlowDocument.parse(body.draft);
}

/** True when a flow with this id is stored already. */
export async function flowExists(id: string): Promise<boolean> {
  try {
    await call('GET', flowPath(id));
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return false;
    throw error;
  }
}

export interface WebhookInfo {
  url: string;
  secret: string;
  signatureHeader: string;
}

export async function getWebhook(id: string, signal?: AbortSignal): Promise<WebhookInfo> {
  return (await call('GET', `${flowPath(id)}/webhook`, undefined, signal)) as WebhookInfo;
}

export interface SimulateRequest {
  contact: ContactInput;
  event?: Record<string, unknown>;
  events?: { at: string; name: string; payload?: Record<string, unknown> }[];
  startAt?: string;
}

export interface SimulateAnswer {
  timeline: TimelineEntry[];
  lines: string[];
  outcome: RunOutcome | null;
  startAt: number;
  endAt: number;
}

/** The dry-run of the saved draft for one contact, on a virtual clock. */
export async function simulateFlow(id: string, request: SimulateRequest): Promise<SimulateAnswer> {
  return (await call('POST', `${flowPath(id)}/simulate`, request)) as SimulateAnswer;
}

/** Who the builder acts as: nobody in particular (an API without accounts), a user, or not yet logged in. */
export type Session = { kind: 'open' } | { kind: 'user'; email: string; role: string } | { kind: 'login' };

export async function currentSession(signal?: AbortSignal): Promise<Session> {
  try {
    const me = (await call('GET', '/api/auth/me', undefined, signal)) as {
      name?: string;
      email?: string;
      role?: string;
      csrfToken?: string;
    };
    csrfToken = me.csrfToken;
    return { kind: 'user', email: me.email ?? me.name ?? '', role: me.role ?? '' };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return { kind: 'login' };
    // No accounts on this API (no such route): everything is open, as on a trusted network.
    if (error instanceof ApiError && error.status === 404) return { kind: 'open' };
    throw error;
  }
}

export async function logIn(email: string, password: string): Promise<Session> {
  const answer = (await call('POST', '/api/auth/login', { email, password })) as {
    user: { email: string; role: string };
    csrfToken: string;
  };
  csrfToken = answer.csrfToken;
  return { kind: 'user', email: answer.user.email, role: answer.user.role };
}

export async function logOut(): Promise<void> {
  await call('POST', '/api/auth/logout', {});
  csrfToken = undefined;
}
