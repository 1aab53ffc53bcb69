import { FlowDocument } from '@sopflow/engine';

/**
 * The slice of the sopflow HTTP API the builder reads (engine/src/node/api/app.ts). Paths are
 * relative so the same build works behind the API server and behind Vite's dev proxy.
 */

export type FlowStatus = 'draft' | 'live' | 'paused' | 'archived';

export interface FlowSummary {
  id: string;
  name: string;
  status: FlowStatus;
  latestVersion: number | null;
  updatedAt: string;
}

/** What the API answers with when it refuses: a stable code and a readable message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function getJson(path: string, signal?: AbortSignal): Promise<unknown> {
  const response = await fetch(path, { headers: { accept: 'application/json' }, signal });
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(
      response.status,
      error?.code ?? 'http_error',
      error?.message ?? `${response.status} ${response.statusText}`.trim(),
    );
  }
  return body;
}

export async function listFlows(signal?: AbortSignal): Promise<FlowSummary[]> {
  const body = (await getJson('/api/flows', signal)) as { flows: FlowSummary[] };
  return body.flows;
}

/**
 * The stored draft, parsed with the engine's schema so defaults are filled in. A draft the
 * schema refuses still comes back raw: the compiler reports what is wrong with it.
 */
export async function getDraft(id: string, signal?: AbortSignal): Promise<FlowDraft> {
  const body = (await getJson(`/api/flows/${encodeURIComponent(id)}`, signal)) as { draft: unknown };
  const parsed = FlowDocument.safeParse(body.draft);
  return parsed.success ? { ok: true, doc: parsed.data, raw: body.draft } : { ok: false, raw: body.draft };
}

export type FlowDraft = { ok: true; doc: FlowDocument; raw: unknown } | { ok: false; raw: unknown };
