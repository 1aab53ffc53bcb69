import type { CompileError, CompileWarning } from '@sopflow/core';
import { FlowDocument } from '@sopflow/core';
import type {
  FlowControlled,
  FlowExport,
  FlowStats,
  FlowSummary,
  MigrationBody,
  MigrationReport,
  NodeContacts,
  SimulateAnswer,
  SimulateBody,
  TemplateSummary,
  VersionSummary,
  WebhookInfo,
  WebhookTestAnswer,
} from '@sopflow/core/api';
import { ApiError, answer, api, setCsrfToken } from './client';

/**
 * Flows, templates and the session: the slice of the sopflow HTTP API the builder uses
 * (engine/server/src/api/routes/flows.ts and auth.ts), through the contract-typed client.
 */

export type {
  ContactAtNode,
  FlowStatus,
  FlowSummary,
  MigrationReport,
  NodeContacts,
  SimulateAnswer,
  SimulateBody as SimulateRequest,
  TemplateSummary,
  VersionSummary,
  WebhookInfo,
  WebhookTestAnswer,
} from '@sopflow/core/api';
export { ApiError, onUnauthorized } from './client';

const flow = (id: string) => ({ params: { path: { id } } });

export async function listFlows(signal?: AbortSignal): Promise<FlowSummary[]> {
  return (await answer(api.GET('/api/flows', { signal }))).flows;
}

/**
 * How many contacts each flow has in it now, from Temporal's visibility; null for a flow whose
 * count Temporal did not answer.
 */
export async function listRunningNow(signal?: AbortSignal): Promise<Map<string, number | null>> {
  const body = await answer(api.GET('/api/flows', { params: { query: { counts: 'true' } }, signal }));
  return new Map(body.flows.map((f) => [f.id, f.runningNow ?? null]));
}

export type FlowDraft = { ok: true; doc: FlowDocument; raw: unknown } | { ok: false; raw: unknown };

/**
 * The stored draft, parsed with the engine's schema so defaults are filled in. A draft the
 * schema refuses still comes back raw: the compiler reports what is wrong with it.
 */
export async function getDraft(id: string, signal?: AbortSignal): Promise<FlowDraft> {
  // Typed as the contract's document, but stored drafts may predate today's schema: check it.
  const raw: unknown = (await answer(api.GET('/api/flows/{id}', { ...flow(id), signal }))).draft;
  const parsed = FlowDocument.safeParse(raw);
  return parsed.success ? { ok: true, doc: parsed.data, raw } : { ok: false, raw };
}

/**
 * Saves the draft; the API answers the compile errors it sees (it may know more channels) and the
 * warnings only it can give (frequency caps, quiet hours, channel quotas, service windows).
 */
export async function saveDraft(
  doc: FlowDocument,
): Promise<{ errors: CompileError[]; warnings: CompileWarning[] }> {
  const body = await answer(api.PUT('/api/flows/{id}', { ...flow(doc.id), body: doc }));
  return { errors: body.errors ?? [], warnings: (body.warnings ?? []) as CompileWarning[] };
}

/** Publishes the draft; `unchanged` when it is the latest version already (no version is made). */
export async function publishFlow(
  id: string,
  note: string,
): Promise<{ version: number; unchanged: boolean }> {
  const body = await answer(api.POST('/api/flows/{id}/publish', { ...flow(id), body: note ? { note } : {} }));
  return { version: body.version, unchanged: body.unchanged === true };
}

/** The stored draft's compile warnings (the server's: caps, quiet hours, quotas, service windows). */
export async function validateDraft(id: string, signal?: AbortSignal): Promise<CompileWarning[]> {
  const body = await answer(api.POST('/api/flows/{id}/validate', { ...flow(id), signal }));
  return body.warnings as CompileWarning[];
}

/** A published version's statistics: live counts per step from Temporal, recorded ones from journeys. */
export async function getStats(id: string, version: number, signal?: AbortSignal): Promise<FlowStats> {
  return answer(api.GET('/api/flows/{id}/stats', { params: { path: { id }, query: { version } }, signal }));
}

/** Who stands in a step of a published version now. */
export async function getNodeContacts(
  id: string,
  nodeId: string,
  version: number,
  signal?: AbortSignal,
): Promise<NodeContacts> {
  return answer(
    api.GET('/api/flows/{id}/nodes/{nodeId}/contacts', {
      params: { path: { id, nodeId }, query: { version } },
      signal,
    }),
  );
}

export async function listVersions(id: string, signal?: AbortSignal): Promise<VersionSummary[]> {
  return (await answer(api.GET('/api/flows/{id}/versions', { ...flow(id), signal }))).versions;
}

/** A published version's document, parsed with the engine's schema like the draft. */
export async function getVersionDocument(
  id: string,
  version: number,
  signal?: AbortSignal,
): Promise<FlowDocument> {
  const body = await answer(
    api.GET('/api/flows/{id}/versions/{version}', {
      params: { path: { id, version: String(version) } },
      signal,
    }),
  );
  return FlowDocument.parse(body.document);
}

/** Moves the running contacts of one version to another at the mapped steps (or, with `preview`, counts them). */
export async function migrateContacts(id: string, request: MigrationBody): Promise<MigrationReport> {
  return answer(api.POST('/api/flows/{id}/migrate', { ...flow(id), body: request }));
}

/** Publishes an older version's document again, as the next version. */
export async function rollbackFlow(id: string, version: number): Promise<{ version: number }> {
  const body = await answer(api.POST('/api/flows/{id}/rollback', { ...flow(id), body: { version } }));
  return { version: body.version };
}

export async function listTemplates(signal?: AbortSignal): Promise<TemplateSummary[]> {
  return (await answer(api.GET('/api/templates', { signal }))).templates;
}

export async function createFromTemplate(
  template: string,
  locale: 'zh' | 'en',
  id: string,
): Promise<FlowDocument> {
  const body = await answer(api.POST('/api/flows/from-template', { body: { template, locale, id } }));
  return FlowDocument.parse(body.draft);
}

/** True when a flow with this id is stored already. */
export async function flowExists(id: string): Promise<boolean> {
  try {
    await answer(api.GET('/api/flows/{id}', flow(id)));
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return false;
    throw error;
  }
}

export async function getWebhook(id: string, signal?: AbortSignal): Promise<WebhookInfo> {
  return answer(api.GET('/api/flows/{id}/webhook', { ...flow(id), signal }));
}

/** Has the server sign a delivery with the flow's secret and post it to the flow's webhook. */
export async function testWebhook(
  id: string,
  body: { contact: { id: string }; event: Record<string, unknown> },
): Promise<WebhookTestAnswer> {
  return answer(api.POST('/api/flows/{id}/webhook/test', { ...flow(id), body }));
}

/** The dry-run of the saved draft for one contact, on a virtual clock. */
export async function simulateFlow(id: string, request: SimulateBody): Promise<SimulateAnswer> {
  return answer(api.POST('/api/flows/{id}/simulate', { ...flow(id), body: request }));
}

/** Who the builder acts as: nobody in particular (an API without accounts), a user, or not yet logged in. */
export type Session = { kind: 'open' } | { kind: 'user'; email: string; role: string } | { kind: 'login' };

export async function currentSession(signal?: AbortSignal): Promise<Session> {
  try {
    const me = await answer(api.GET('/api/auth/me', { signal }));
    setCsrfToken(me.csrfToken);
    return { kind: 'user', email: me.email ?? me.name ?? '', role: me.role ?? '' };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return { kind: 'login' };
    // No accounts on this API (no such route): everything is open, as on a trusted network.
    if (error instanceof ApiError && error.status === 404) return { kind: 'open' };
    throw error;
  }
}

export async function logIn(email: string, password: string): Promise<Session> {
  const session = await answer(api.POST('/api/auth/login', { body: { email, password } }));
  setCsrfToken(session.csrfToken);
  return { kind: 'user', email: session.user.email, role: session.user.role };
}

export async function logOut(): Promise<void> {
  await answer(api.POST('/api/auth/logout', { body: {} }));
  setCsrfToken(undefined);
}

export type FlowLifecycle = 'pause' | 'resume';

/** Pauses a live flow (no new enrollments; contacts in it carry on) or resumes it. */
export async function setFlowRunning(id: string, action: FlowLifecycle): Promise<FlowControlled> {
  return action === 'pause'
    ? answer(api.POST('/api/flows/{id}/pause', flow(id)))
    : answer(api.POST('/api/flows/{id}/resume', flow(id)));
}

/** Stops a flow: no new enrollments, and every contact in it is cancelled cleanly. */
export async function stopFlow(id: string, reason: string): Promise<FlowControlled> {
  return answer(api.POST('/api/flows/{id}/stop', { ...flow(id), body: reason ? { reason } : {} }));
}

/** Archives a flow: it leaves the list and enrolls nobody; contacts in it finish their journey. */
export async function archiveFlow(id: string): Promise<FlowControlled> {
  return answer(api.DELETE('/api/flows/{id}', flow(id)));
}

/** The export file (draft and latest published document), as the API serves it for download. */
export async function exportFlow(id: string): Promise<FlowExport> {
  return answer(api.GET('/api/flows/{id}/export', flow(id)));
}

/** A copy of a flow's draft under a new id and name, as a draft of its own. */
export async function duplicateFlow(id: string, copyId: string, copyName: string): Promise<void> {
  const exported = await exportFlow(id);
  await answer(
    api.POST('/api/flows/import', {
      params: { query: { id: copyId } },
      body: { ...(exported.draft as object), id: copyId, name: copyName } as never,
    }),
  );
}
