import type { CompileError } from '@sopflow/core';
import { type ApiPaths, CSRF_HEADER, type ErrorBody } from '@sopflow/core/api';
import createClient, { type Middleware } from 'openapi-fetch';

/**
 * The builder's client of the sopflow HTTP API: openapi-fetch typed with the API contract
 * (`ApiPaths` of `@sopflow/core/api`), so every path, parameter, body and answer is the
 * contract's. Paths are relative, so the same build works behind the API server and behind
 * Vite's dev proxy.
 */

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
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Told when the API answers 401 (logged out, session expired), so the builder can ask to log in. */
const unauthorizedListeners = new Set<() => void>();
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

const session: Middleware = {
  onRequest({ request }) {
    if (request.method !== 'GET' && csrfToken) request.headers.set(CSRF_HEADER, csrfToken);
    return request;
  },
  onResponse({ response, schemaPath }) {
    if (response.status === 401 && !schemaPath.startsWith('/api/auth/'))
      for (const listener of unauthorizedListeners) listener();
  },
};

export const api = createClient<ApiPaths>({
  headers: { accept: 'application/json' },
  credentials: 'same-origin',
  // Looked up on each request, not once, so a page that replaces fetch is still heard.
  fetch: (request) => globalThis.fetch(request),
});
api.use(session);

/** The answer of a request, or its refusal thrown as an `ApiError`. */
export async function answer<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T> {
  const { data, error, response } = await request;
  if (response.ok) return data as T;
  const refusal = (error as Partial<ErrorBody> | undefined)?.error;
  throw new ApiError(
    response.status,
    refusal?.code ?? 'http_error',
    refusal?.message ?? `${response.status} ${response.statusText}`.trim(),
    refusal?.details,
  );
}
