import {
  compile,
  FlowDocument,
  findTemplate,
  flowDocumentJsonSchema,
  formatTimeline,
  type Plan,
  simulate,
  TEMPLATE_LOCALES,
  TEMPLATES,
} from '@sopflow/core';
import {
  EnrollAnswer,
  EnrollBody,
  FlowAnswer,
  FlowControlled,
  FlowExport,
  FlowImportBody,
  FlowImported,
  FlowImportQuery,
  FlowList,
  FlowListQuery,
  FlowSaved,
  FlowStats,
  FlowValidation,
  FlowVersion,
  FlowVersionPath,
  FromTemplateBody,
  MigrationReport,
  MigrationRequest,
  NodeContacts,
  NodeContactsQuery,
  PublishBody,
  Published,
  RollbackBody,
  RolledBack,
  SimulateAnswer,
  SimulateBody,
  StatsQuery,
  StopBody,
  TemplateList,
  VersionList,
  WebhookInfo,
} from '@sopflow/core/api';
import type { Context, Hono } from 'hono';
import { FlowControlError } from '../../services/flow-control';
import { MigrationError } from '../../services/version-migration';
import { SIGNATURE_HEADER } from '../../webhook-signature';
import { parseWithAddresses } from '../contact-addresses';
import { doc } from '../docs';
import {
  type ApiContext,
  answerWith,
  apiError,
  auditBulkRead,
  checkBody,
  checkPath,
  checkQuery,
  checkValue,
  codedError,
  isUnavailable,
  readJson,
} from '../http';

const controlStatus = {
  flow_not_found: 404,
  version_not_found: 404,
  flow_archived: 409,
  not_published: 409,
  invalid_state: 409,
  compile_failed: 422,
} as const;

const controlError = codedError(FlowControlError, controlStatus);

/** What compiling a draft found, as save, import and validate answer it: errors, or limit warnings. */
const findings = (result: ReturnType<typeof compile>) =>
  result.ok ? { errors: [], warnings: result.warnings } : { errors: result.errors, warnings: [] };
const migrationError = codedError(MigrationError, (code) => (code === 'version_not_found' ? 404 : 422));
const INVALID_FLOW = 'The flow document does not match the schema.';

const flowNotFound = (c: Context) =>
  apiError(c, 404, 'flow_not_found', `There is no flow "${c.req.param('id')}".`);
const flowArchived = (c: Context, id: string) =>
  apiError(c, 409, 'flow_archived', `Flow "${id}" is archived; restore it first.`);

/**
 * Flows: drafts, templates, publishing, versions, rollback, dry-runs, enrollment, live migration,
 * pause / resume / stop, archive / restore, export / import and statistics.
 */
export function registerFlowRoutes(app: Hono, ctx: ApiContext): void {
  const { store, flowControl } = ctx.options;
  /** A move of the flow between its states that takes no body: restore, pause, resume. */
  const lifecycleRoute = (
    action: string,
    summary: string,
    done: string,
    refused: string,
    act: (flowId: string) => Promise<unknown>,
  ) =>
    app.post(
      `/api/flows/:id/${action}`,
      doc({
        summary,
        tags: ['flows'],
        access: 'operator',
        responses: {
          200: { description: done, schema: FlowControlled },
          404: 'No such flow.',
          409: refused,
        },
      }),
      (c) => answerWith(c, () => act(c.req.param('id')), controlError),
    );
  app.get(
    '/api/flow-schema',
    doc({
      summary: "The flow document's JSON Schema",
      tags: ['flows'],
      access: 'viewer',
      responses: { 200: 'A JSON Schema (draft 2020-12).' },
    }),
    (c) => c.json(flowDocumentJsonSchema()),
  );

  app.get(
    '/api/flows',
    doc({
      summary: 'List flows',
      tags: ['flows'],
      access: 'viewer',
      query: FlowListQuery,
      responses: {
        200: { description: 'The flows, most recently changed first.', schema: FlowList },
        422: 'Bad query.',
      },
    }),
    async (c) => {
      const parsed = checkQuery(c, FlowListQuery);
      if (!parsed.ok) return parsed.response;
      const flows = await store.flows.list({ archived: parsed.data.archived === 'true' });
      const running = parsed.data.counts === 'true' ? await flowControl.runningNow(flows) : undefined;
      return c.json({
        flows: flows.map((f) => ({
          id: f.id,
          name: f.name,
          status: f.status,
          latestVersion: f.latestVersion,
          updatedAt: f.updatedAt,
          ...(running ? { runningNow: running.get(f.id) ?? null } : {}),
        })),
      });
    },
  );

  app.get(
    '/api/templates',
    doc({
      summary: 'The five SOP templates',
      tags: ['flows'],
      access: 'viewer',
      responses: { 200: { description: 'The templates.', schema: TemplateList } },
    }),
    (c) =>
      c.json({
        templates: TEMPLATES.map((t) => ({
          id: t.id,
          name: t.name,
          description: t.description,
          locales: TEMPLATE_LOCALES,
        })),
      }),
  );

  app.post(
    '/api/flows/from-template',
    doc({
      summary: 'Create a flow from a template',
      tags: ['flows'],
      access: 'operator',
      body: FromTemplateBody,
      responses: {
        201: { description: 'Created as a draft.', schema: FlowAnswer },
        404: 'No such template.',
        409: 'The id is taken.',
        422: 'Invalid.',
      },
    }),
    async (c) => {
      const parsed = await checkBody(c, FromTemplateBody, 'Name a template, a language and a flow id.');
      if (!parsed.ok) return parsed.response;
      const template = findTemplate(parsed.data.template);
      if (!template)
        return apiError(c, 404, 'template_not_found', `There is no template "${parsed.data.template}".`);
      if (await store.flows.get(parsed.data.id)) {
        return apiError(
          c,
          409,
          'flow_exists',
          `A flow "${parsed.data.id}" exists already; choose another id.`,
        );
      }
      const document = FlowDocument.parse({ ...template.build(parsed.data.locale), id: parsed.data.id });
      const flow = await store.flows.saveDraft(document);
      return c.json({ flow: ctx.flowView(flow), draft: flow.draft }, 201);
    },
  );

  app.post(
    '/api/flows/import',
    doc({
      summary: 'Import a flow: an export file or a bare flow document',
      description:
        "Saved as the draft; with publish=true an export's published version is published (not its draft), a bare document is published as it is.",
      tags: ['flows'],
      access: 'operator',
      query: FlowImportQuery,
      body: FlowImportBody,
      responses: {
        201: { description: 'Imported.', schema: FlowImported },
        409: 'A flow with this id exists (use overwrite=true), it is archived, or (with publish) the export has no published version.',
        422: 'Not a flow document, or (with publish) it does not compile.',
      },
    }),
    async (c) => {
      const query = checkQuery(c, FlowImportQuery);
      if (!query.ok) return query.response;
      const body = await readJson(c);
      if (!body.ok) return body.response;
      const value = body.value as
        | { sopflowExport?: unknown; draft?: unknown; published?: { document?: unknown } | null }
        | undefined;
      const exported = Boolean(value && typeof value === 'object' && 'sopflowExport' in value);
      const renamed = (raw: unknown) =>
        query.data.id && raw && typeof raw === 'object' ? { ...raw, id: query.data.id } : raw;
      const parsed = checkValue(
        c,
        FlowDocument,
        renamed(exported ? value?.draft : value),
        'invalid_flow',
        INVALID_FLOW,
      );
      if (!parsed.ok) return parsed.response;
      // Promoting an export publishes what was published where it came from, never its draft
      // (unreviewed edits); a bare document is its own published version.
      let toPublish = parsed.data;
      if (query.data.publish === 'true' && exported) {
        const document = value?.published?.document;
        if (!document)
          return apiError(
            c,
            409,
            'not_published',
            'The export has no published version to publish; import it without publish=true and publish its draft once reviewed.',
          );
        const publishedDoc = checkValue(c, FlowDocument, renamed(document), 'invalid_flow', INVALID_FLOW);
        if (!publishedDoc.ok) return publishedDoc.response;
        toPublish = publishedDoc.data;
      }
      const existing = await store.flows.get(parsed.data.id);
      if (existing?.status === 'archived') return flowArchived(c, existing.id);
      if (existing && query.data.overwrite !== 'true')
        return apiError(
          c,
          409,
          'flow_exists',
          `A flow "${parsed.data.id}" exists; import with overwrite=true or another id.`,
        );
      const flow = await store.flows.saveDraft(parsed.data);
      const check = compile(flow.draft, ctx.compileOptions);
      let published: unknown;
      if (query.data.publish === 'true') {
        try {
          published = await flowControl.publishDocument(flow, toPublish, 'Imported');
        } catch (error) {
          const answer = controlError(c, error);
          if (answer) return answer;
          throw error;
        }
      }
      const current = (await store.flows.get(flow.id)) ?? flow;
      return c.json(
        {
          flow: ctx.flowView(current),
          ...findings(check),
          ...(published ? { published } : {}),
        },
        201,
      );
    },
  );

  app.put(
    '/api/flows/:id',
    doc({
      summary: "Save a flow's draft (creates the flow)",
      description:
        'Answers the compile errors and limit warnings of the draft too; a draft with errors is saved.',
      tags: ['flows'],
      access: 'operator',
      body: FlowDocument,
      responses: {
        200: { description: 'Saved, with its compile errors.', schema: FlowSaved },
        409: 'The flow is archived.',
        422: 'Not a flow document, or the id differs from the path.',
      },
    }),
    async (c) => {
      const parsed = await checkBody(c, FlowDocument, INVALID_FLOW, 'invalid_flow');
      if (!parsed.ok) return parsed.response;
      if (parsed.data.id !== c.req.param('id')) {
        return apiError(
          c,
          422,
          'id_mismatch',
          `The document's id "${parsed.data.id}" is not the id in the URL.`,
        );
      }
      const existing = await store.flows.get(parsed.data.id);
      if (existing?.status === 'archived') return flowArchived(c, existing.id);
      const flow = await store.flows.saveDraft(parsed.data);
      const check = compile(flow.draft, ctx.compileOptions);
      return c.json({ flow: ctx.flowView(flow), ...findings(check) });
    },
  );

  app.get(
    '/api/flows/:id',
    doc({
      summary: 'A flow and its draft',
      tags: ['flows'],
      access: 'viewer',
      responses: {
        200: { description: 'The flow and its draft.', schema: FlowAnswer },
        404: 'No such flow.',
      },
    }),
    async (c) => {
      const flow = await store.flows.get(c.req.param('id'));
      if (!flow) return flowNotFound(c);
      return c.json({ flow: ctx.flowView(flow), draft: flow.draft });
    },
  );

  app.delete(
    '/api/flows/:id',
    doc({
      summary: 'Archive (delete) a flow',
      description:
        'It leaves the list, enrolls nobody and its schedule is paused; contacts in it finish their journey ' +
        '(stop the flow first to cancel them). POST /api/flows/{id}/restore brings it back.',
      tags: ['flows'],
      access: 'operator',
      responses: { 200: { description: 'Archived.', schema: FlowControlled }, 404: 'No such flow.' },
    }),
    (c) => answerWith(c, () => flowControl.archive(c.req.param('id')), controlError),
  );

  lifecycleRoute(
    'restore',
    'Restore an archived flow (paused when it has versions)',
    'Restored.',
    'Not archived.',
    (id) => flowControl.restore(id),
  );

  app.post(
    '/api/flows/:id/validate',
    doc({
      summary: 'Compile the draft',
      tags: ['flows'],
      access: 'viewer',
      audit: false,
      responses: {
        200: { description: 'ok, the compile errors, and the limit warnings.', schema: FlowValidation },
        404: 'No such flow.',
      },
    }),
    async (c) => {
      const flow = await store.flows.get(c.req.param('id'));
      if (!flow) return flowNotFound(c);
      const result = compile(flow.draft, ctx.compileOptions);
      return c.json({ ok: result.ok, ...findings(result) });
    },
  );

  app.post(
    '/api/flows/:id/publish',
    doc({
      summary: 'Publish the draft as the next version',
      description: 'A draft flow becomes live; a paused or stopped one stays so until resumed.',
      tags: ['flows'],
      access: 'operator',
      body: PublishBody,
      responses: {
        201: { description: 'Published.', schema: Published },
        200: {
          description: 'The draft is the latest version already: no version is made (`unchanged`).',
          schema: Published,
        },
        404: 'No such flow.',
        409: 'The flow is archived.',
        422: 'The draft has compile errors (in details).',
      },
    }),
    async (c) => {
      const flow = await store.flows.get(c.req.param('id'));
      if (!flow) return flowNotFound(c);
      if (flow.status === 'archived') return flowArchived(c, flow.id);
      const body = await checkBody(c, PublishBody, 'Bad publish request.');
      if (!body.ok) return body.response;
      try {
        const published = await flowControl.publishDocument(flow, flow.draft, body.data.note);
        return c.json(published, published.unchanged ? 200 : 201);
      } catch (error) {
        const answer = controlError(c, error);
        if (answer) return answer;
        throw error;
      }
    },
  );

  app.post(
    '/api/flows/:id/rollback',
    doc({
      summary: "Roll back: publish an older version's document again as the next version",
      description: 'Running contacts stay on their versions; the draft is left as it is.',
      tags: ['flows'],
      access: 'operator',
      body: RollbackBody,
      responses: {
        201: { description: 'Published as the next version.', schema: RolledBack },
        404: 'No such flow or version.',
        409: 'The flow is archived.',
        422: 'The old document no longer compiles (e.g. its channel is gone).',
      },
    }),
    async (c) => {
      const parsed = await checkBody(c, RollbackBody, 'Name the version to roll back to.');
      if (!parsed.ok) return parsed.response;
      return answerWith(
        c,
        () => flowControl.rollback(c.req.param('id'), parsed.data.version, parsed.data.note),
        controlError,
        201,
      );
    },
  );

  lifecycleRoute(
    'pause',
    'Pause: no new enrollments (and its schedule pauses); running contacts go on',
    'Paused.',
    'Not live.',
    (id) => flowControl.pause(id),
  );

  lifecycleRoute(
    'resume',
    'Resume a paused or stopped flow: it enrolls again',
    'Live.',
    'Archived or never published.',
    (id) => flowControl.resume(id),
  );

  app.post(
    '/api/flows/:id/stop',
    doc({
      summary: 'Stop: no new enrollments, and every running contact is cancelled cleanly',
      description: 'Each running run gets the sopflow.cancel signal and ends as cancelled.',
      tags: ['flows'],
      access: 'operator',
      body: StopBody,
      responses: {
        200: { description: 'Stopped: how many runs were told.', schema: FlowControlled },
        404: 'No such flow.',
        409: 'Archived.',
      },
    }),
    async (c) => {
      const parsed = await checkBody(c, StopBody, 'Bad stop request.');
      if (!parsed.ok) return parsed.response;
      return answerWith(c, () => flowControl.stop(c.req.param('id'), parsed.data.reason), controlError);
    },
  );

  app.get(
    '/api/flows/:id/export',
    doc({
      summary: 'Export a flow as JSON (its draft and latest published document)',
      tags: ['flows'],
      access: 'viewer',
      responses: { 200: { description: 'The export file.', schema: FlowExport }, 404: 'No such flow.' },
    }),
    async (c) => {
      const flow = await store.flows.get(c.req.param('id'));
      if (!flow) return flowNotFound(c);
      const published = await store.flows.getVersion(flow.id);
      c.header('content-disposition', `attachment; filename="${flow.id}.sopflow.json"`);
      return c.json({
        sopflowExport: 1,
        exportedAt: new Date().toISOString(),
        flow: { id: flow.id, name: flow.name, status: flow.status, latestVersion: flow.latestVersion },
        draft: flow.draft,
        published: published
          ? {
              version: published.version,
              note: published.note,
              publishedAt: published.publishedAt,
              document: published.document,
            }
          : null,
      });
    },
  );

  app.get(
    '/api/flows/:id/stats',
    doc({
      summary:
        'Statistics of a version: per step entered, left by exit, ended, converted, waiting now; messages per channel',
      description:
        'Steps and ends count journeys as they hand their records over (at the end, before continuing as ' +
        'new, and every 500 steps); waitingNow is live, from Temporal visibility.',
      tags: ['flows'],
      access: 'viewer',
      query: StatsQuery,
      responses: {
        200: { description: 'The statistics.', schema: FlowStats },
        404: 'No such flow or version.',
        422: 'Bad query.',
      },
    }),
    async (c) => {
      const parsed = checkQuery(c, StatsQuery);
      if (!parsed.ok) return parsed.response;
      const stats = await ctx.options.stats.flow(c.req.param('id'), parsed.data);
      if (!stats) return apiError(c, 404, 'version_not_found', 'There is no such published version.');
      return c.json(stats);
    },
  );

  app.get(
    '/api/flows/:id/nodes/:nodeId/contacts',
    doc({
      summary: 'The contacts standing in a step now, with links to their runs in the Temporal UI',
      description:
        "Running journeys of one version (the latest by default) whose SopflowNode is the step, from Temporal's " +
        'visibility: the same query that counts waitingNow in the statistics.',
      tags: ['flows'],
      access: 'viewer',
      // Who stands in a step, by contact: who read how many is audited.
      audit: true,
      query: NodeContactsQuery,
      responses: {
        200: {
          description: 'The contacts there (at most `limit`), how many there are, and links.',
          schema: NodeContacts,
        },
        404: 'No such flow, version or step.',
        422: 'Bad query.',
        503: 'Temporal is unreachable.',
      },
    }),
    async (c) => {
      const parsed = checkQuery(c, NodeContactsQuery);
      if (!parsed.ok) return parsed.response;
      const flowId = c.req.param('id');
      const nodeId = c.req.param('nodeId');
      if (!(await store.flows.get(flowId))) return flowNotFound(c);
      try {
        const answer = await ctx.options.stats.contactsAt(flowId, nodeId, parsed.data);
        if (!answer.found)
          return answer.reason === 'version_not_found'
            ? apiError(c, 404, 'version_not_found', 'There is no such published version.')
            : apiError(c, 404, 'node_not_found', `The version has no step "${nodeId}".`);
        auditBulkRead(c, { contacts: answer.contacts.length, total: answer.total });
        return c.json({
          flowId,
          version: answer.version,
          nodeId,
          total: answer.total,
          contacts: answer.contacts.map((contact) => ({
            ...contact,
            temporalUrl: ctx.runUrl(contact.workflowId, contact.runId),
          })),
          temporalUrl: answer.temporalUrl,
        });
      } catch (error) {
        if (isUnavailable(error))
          return apiError(c, 503, 'temporal_unavailable', 'Temporal cannot be reached; try again shortly.');
        throw error;
      }
    },
  );

  app.get(
    '/api/flows/:id/versions',
    doc({
      summary: 'The published versions of a flow, newest first, with their notes and dates',
      tags: ['flows'],
      access: 'viewer',
      responses: {
        200: {
          description: 'The versions (no documents: GET a version for its document and plan).',
          schema: VersionList,
        },
        404: 'No such flow.',
      },
    }),
    async (c) => {
      const flow = await store.flows.get(c.req.param('id'));
      if (!flow) return flowNotFound(c);
      return c.json({ versions: await ctx.options.stats.versions(flow.id) });
    },
  );

  app.get(
    '/api/flows/:id/versions/:version',
    doc({
      summary: 'A published version and its plan',
      tags: ['flows'],
      access: 'viewer',
      responses: {
        200: { description: 'The version.', schema: FlowVersion },
        404: 'No such version.',
        422: 'The version is not a whole number from 1 to 2147483647.',
      },
    }),
    async (c) => {
      const path = checkPath(c, FlowVersionPath);
      if (!path.ok) return path.response;
      const record = await store.flows.getVersion(path.data.id, path.data.version);
      if (!record) return apiError(c, 404, 'version_not_found', 'There is no such published version.');
      return c.json(record);
    },
  );

  app.get(
    '/api/flows/:id/webhook',
    doc({
      summary: "The flow's webhook URL and signing secret",
      tags: ['flows'],
      access: 'operator',
      responses: {
        200: { description: 'URL, secret and signature header.', schema: WebhookInfo },
        404: 'No such flow.',
      },
    }),
    async (c) => {
      const flow = await store.flows.get(c.req.param('id'));
      if (!flow) return flowNotFound(c);
      return c.json({
        url: ctx.webhookUrl(flow.id),
        secret: flow.webhookSecret,
        signatureHeader: SIGNATURE_HEADER,
      });
    },
  );

  app.post(
    '/api/flows/:id/enroll',
    doc({
      summary: 'Enroll one contact',
      tags: ['flows'],
      access: 'operator',
      body: EnrollBody,
      responses: {
        202: { description: 'Enrolled (Temporal recorded the start).', schema: EnrollAnswer },
        200: { description: 'Already in the flow.', schema: EnrollAnswer },
        404: 'No such flow.',
        409: 'The flow is not live (paused, stopped, draft), or the contact may not re-enter.',
        503: 'Temporal is unreachable.',
      },
    }),
    async (c) => {
      const body = await readJson(c);
      if (!body.ok) return body.response;
      const parsed = parseWithAddresses(ctx, EnrollBody, body.value);
      if (!parsed.ok) return apiError(c, 422, 'invalid_body', 'The enrollment is not valid.', parsed.issues);
      return ctx.enrollOrExplain(c, c.req.param('id'), parsed.data.contact, parsed.data.event ?? {});
    },
  );

  app.post(
    '/api/flows/:id/migrate',
    doc({
      summary: 'Move waiting contacts of one version to another (or preview how many)',
      tags: ['flows'],
      access: 'operator',
      body: MigrationRequest,
      responses: {
        200: { description: 'Preview.', schema: MigrationReport },
        202: { description: 'Signalled.', schema: MigrationReport },
        404: 'No such version.',
        422: 'Invalid mapping.',
      },
    }),
    async (c) => {
      const parsed = await checkBody(c, MigrationRequest, 'The migration is not valid.');
      if (!parsed.ok) return parsed.response;
      return answerWith(
        c,
        () => ctx.options.migrator.migrate(c.req.param('id'), parsed.data),
        migrationError,
        parsed.data.preview ? 200 : 202,
      );
    },
  );

  app.post(
    '/api/flows/:id/simulate',
    doc({
      summary: 'Dry-run: the timeline one contact would live, on a virtual clock',
      tags: ['flows'],
      access: 'viewer',
      audit: false,
      body: SimulateBody,
      responses: {
        200: { description: 'The timeline and outcome.', schema: SimulateAnswer },
        404: 'No such flow or version.',
        422: 'Invalid or does not compile.',
      },
    }),
    async (c) => {
      const flow = await store.flows.get(c.req.param('id'));
      if (!flow) return flowNotFound(c);
      const body = await readJson(c);
      if (!body.ok) return body.response;
      const parsed = parseWithAddresses(ctx, SimulateBody, body.value);
      // A scripted contact change's addresses are checked as a contact write's are.
      const changeIssues = parsed.ok
        ? (parsed.data.events ?? []).flatMap((e, i) => {
            if (!('contact' in e)) return [];
            const checked = ctx.addressRules.check(e.contact.addresses, `events.${i}.contact.addresses`);
            return checked.ok ? [] : checked.issues;
          })
        : [];
      if (!parsed.ok || changeIssues.length > 0)
        return apiError(
          c,
          422,
          'invalid_body',
          'The dry-run request is not valid.',
          parsed.ok ? changeIssues : parsed.issues,
        );
      const { version, startAt, ...run } = parsed.data;
      let plan: Plan;
      if (version !== undefined) {
        const record = await store.flows.getVersion(flow.id, version);
        if (!record) return apiError(c, 404, 'version_not_found', 'There is no such published version.');
        plan = record.plan;
      } else {
        const result = compile(flow.draft, ctx.compileOptions);
        if (!result.ok) {
          return apiError(
            c,
            422,
            'compile_failed',
            'The flow has errors; fix them to preview it.',
            result.errors,
          );
        }
        plan = result.plan;
      }
      try {
        const result = simulate(plan, { ...run, startAt: startAt ? Date.parse(startAt) : Date.now() });
        return c.json({ ...result, lines: formatTimeline(result, plan) });
      } catch (error) {
        return apiError(c, 422, 'invalid_simulation', (error as Error).message);
      }
    },
  );
}
