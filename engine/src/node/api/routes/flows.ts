import type { Hono } from 'hono';
import { z } from 'zod';
import {
  Contact,
  compile,
  FlowDocument,
  FlowId,
  findTemplate,
  flowDocumentJsonSchema,
  formatTimeline,
  type Plan,
  simulate,
  TEMPLATE_LOCALES,
  TEMPLATES,
} from '../../../index';
import { MigrationError, MigrationRequest } from '../../version-migration';
import { SIGNATURE_HEADER } from '../../webhook-signature';
import { type ApiContext, apiError, issuesOf, readJson } from '../http';

const PublishBody = z.object({ note: z.string().max(2000).optional() }).default({});

const FromTemplateBody = z.object({
  template: z.string().min(1),
  locale: z.enum(['zh', 'en']),
  id: FlowId,
});

const EnrollBody = z.object({ contact: Contact, event: z.record(z.string(), z.unknown()).optional() });

const SimulateBody = z.object({
  contact: Contact,
  event: z.record(z.string(), z.unknown()).optional(),
  events: z
    .array(
      z.object({
        at: z.union([z.number().min(0), z.string()]),
        name: z.string().min(1),
        payload: z.record(z.string(), z.unknown()).optional(),
      }),
    )
    .max(1000)
    .optional(),
  /** When the contact enters, ISO-8601; now by default. */
  startAt: z.iso.datetime({ offset: true }).optional(),
  /** A published version to simulate; the draft by default. */
  version: z.number().int().positive().optional(),
});

/** Flows: drafts, templates, publishing, versions, dry-runs, enrollment and live migration. */
export function registerFlowRoutes(app: Hono, ctx: ApiContext): void {
  app.get('/api/flow-schema', (c) => c.json(flowDocumentJsonSchema()));

  app.get('/api/flows', async (c) => {
    const flows = await ctx.options.store.listFlows();
    return c.json({
      flows: flows.map((f) => ({
        id: f.id,
        name: f.name,
        status: f.status,
        latestVersion: f.latestVersion,
        updatedAt: f.updatedAt,
      })),
    });
  });

  app.get('/api/templates', (c) =>
    c.json({
      templates: TEMPLATES.map((t) => ({
        id: t.id,
        name: t.name,
        description: t.description,
        locales: TEMPLATE_LOCALES,
      })),
    }),
  );

  app.post('/api/flows/from-template', async (c) => {
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const parsed = FromTemplateBody.safeParse(body.value);
    if (!parsed.success)
      return apiError(
        c,
        422,
        'invalid_body',
        'Name a template, a language and a flow id.',
        issuesOf(parsed.error),
      );
    const template = findTemplate(parsed.data.template);
    if (!template)
      return apiError(c, 404, 'template_not_found', `There is no template "${parsed.data.template}".`);
    if (await ctx.options.store.getFlow(parsed.data.id)) {
      return apiError(c, 409, 'flow_exists', `A flow "${parsed.data.id}" exists already; choose another id.`);
    }
    const document = FlowDocument.parse({ ...template.build(parsed.data.locale), id: parsed.data.id });
    const flow = await ctx.options.store.saveDraft(document);
    return c.json({ flow: ctx.flowView(flow), draft: flow.draft }, 201);
  });

  app.put('/api/flows/:id', async (c) => {
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const parsed = FlowDocument.safeParse(body.value);
    if (!parsed.success) {
      return apiError(
        c,
        422,
        'invalid_flow',
        'The flow document does not match the schema.',
        issuesOf(parsed.error),
      );
    }
    if (parsed.data.id !== c.req.param('id')) {
      return apiError(
        c,
        422,
        'id_mismatch',
        `The document's id "${parsed.data.id}" is not the id in the URL.`,
      );
    }
    const flow = await ctx.options.store.saveDraft(parsed.data);
    const check = compile(flow.draft, { channels: ctx.options.channels });
    return c.json({ flow: ctx.flowView(flow), errors: check.ok ? [] : check.errors });
  });

  app.get('/api/flows/:id', async (c) => {
    const flow = await ctx.options.store.getFlow(c.req.param('id'));
    if (!flow) return apiError(c, 404, 'flow_not_found', `There is no flow "${c.req.param('id')}".`);
    return c.json({ flow: ctx.flowView(flow), draft: flow.draft });
  });

  app.post('/api/flows/:id/validate', async (c) => {
    const flow = await ctx.options.store.getFlow(c.req.param('id'));
    if (!flow) return apiError(c, 404, 'flow_not_found', `There is no flow "${c.req.param('id')}".`);
    const result = compile(flow.draft, { channels: ctx.options.channels });
    return c.json(result.ok ? { ok: true, errors: [] } : { ok: false, errors: result.errors });
  });

  app.post('/api/flows/:id/publish', async (c) => {
    const flow = await ctx.options.store.getFlow(c.req.param('id'));
    if (!flow) return apiError(c, 404, 'flow_not_found', `There is no flow "${c.req.param('id')}".`);
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const parsedBody = PublishBody.safeParse(body.value);
    if (!parsedBody.success)
      return apiError(c, 422, 'invalid_body', 'Bad publish request.', issuesOf(parsedBody.error));
    const check = compile(flow.draft, { channels: ctx.options.channels });
    if (!check.ok) {
      return apiError(
        c,
        422,
        'compile_failed',
        'The flow has errors; fix them before publishing.',
        check.errors,
      );
    }
    const published = await ctx.options.store.publish(
      flow.id,
      flow.draft,
      (version) => {
        const result = compile(flow.draft, { channels: ctx.options.channels, version });
        if (!result.ok) throw new Error('A flow that compiled stopped compiling.');
        return result.plan;
      },
      parsedBody.data.note,
    );
    // The version is stored either way; a schedule that could not be synced is said, not hidden.
    const schedule = await ctx.options.campaigns.syncSchedule(published.plan).then(
      () => 'synced',
      (error: Error) => `not synced: ${error.message}`,
    );
    return c.json({ flowId: flow.id, version: published.version, schedule }, 201);
  });

  app.get('/api/flows/:id/versions/:version', async (c) => {
    const version = Number(c.req.param('version'));
    const record = Number.isInteger(version)
      ? await ctx.options.store.getVersion(c.req.param('id'), version)
      : undefined;
    if (!record) return apiError(c, 404, 'version_not_found', 'There is no such published version.');
    return c.json(record);
  });

  app.get('/api/flows/:id/webhook', async (c) => {
    const flow = await ctx.options.store.getFlow(c.req.param('id'));
    if (!flow) return apiError(c, 404, 'flow_not_found', `There is no flow "${c.req.param('id')}".`);
    return c.json({
      url: ctx.webhookUrl(flow.id),
      secret: flow.webhookSecret,
      signatureHeader: SIGNATURE_HEADER,
    });
  });

  app.post('/api/flows/:id/enroll', async (c) => {
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const parsed = EnrollBody.safeParse(body.value);
    if (!parsed.success)
      return apiError(c, 422, 'invalid_body', 'The enrollment is not valid.', issuesOf(parsed.error));
    return ctx.enrollOrExplain(c, c.req.param('id'), parsed.data.contact, parsed.data.event ?? {});
  });

  app.post('/api/flows/:id/migrate', async (c) => {
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const parsed = MigrationRequest.safeParse(body.value);
    if (!parsed.success)
      return apiError(c, 422, 'invalid_body', 'The migration is not valid.', issuesOf(parsed.error));
    try {
      return c.json(
        await ctx.options.migrator.migrate(c.req.param('id'), parsed.data),
        parsed.data.preview ? 200 : 202,
      );
    } catch (error) {
      if (error instanceof MigrationError) {
        return apiError(
          c,
          error.code === 'version_not_found' ? 404 : 422,
          error.code,
          error.message,
          error.details,
        );
      }
      throw error;
    }
  });

  app.post('/api/flows/:id/simulate', async (c) => {
    const flow = await ctx.options.store.getFlow(c.req.param('id'));
    if (!flow) return apiError(c, 404, 'flow_not_found', `There is no flow "${c.req.param('id')}".`);
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const parsed = SimulateBody.safeParse(body.value);
    if (!parsed.success) {
      return apiError(c, 422, 'invalid_body', 'The dry-run request is not valid.', issuesOf(parsed.error));
    }
    const { version, startAt, ...run } = parsed.data;
    let plan: Plan;
    if (version !== undefined) {
      const record = await ctx.options.store.getVersion(flow.id, version);
      if (!record) return apiError(c, 404, 'version_not_found', 'There is no such published version.');
      plan = record.plan;
    } else {
      const result = compile(flow.draft, { channels: ctx.options.channels });
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
      return c.json({ ...result, lines: formatTimeline(result, plan.settings.timezone) });
    } catch (error) {
      return apiError(c, 422, 'invalid_simulation', (error as Error).message);
    }
  });
}
