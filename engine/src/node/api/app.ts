import { serveStatic } from '@hono/node-server/serve-static';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
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
  payloadProblems,
  simulate,
  TEMPLATE_LOCALES,
  TEMPLATES,
} from '../../index';
import { CampaignRequest, type Campaigns } from '../campaigns';
import { EnrollError, type Enroller, type EnrollResult } from '../enroll';
import { type EventRouter, PostedEvent } from '../events';
import type { Store } from '../store';
import { MigrationError, MigrationRequest, type VersionMigrator } from '../version-migration';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../webhook-signature';

export interface ApiOptions {
  store: Store;
  enroller: Enroller;
  events: EventRouter;
  migrator: VersionMigrator;
  campaigns: Campaigns;
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

const WebhookBody = z.object({
  contact: Contact,
  event: z.record(z.string(), z.unknown()).optional(),
});

const PublishBody = z.object({ note: z.string().max(2000).optional() }).default({});

const FromTemplateBody = z.object({
  template: z.string().min(1),
  locale: z.enum(['zh', 'en']),
  id: FlowId,
});

const EnrollBody = z.object({ contact: Contact, event: z.record(z.string(), z.unknown()).optional() });

const EventsBody = z.union([PostedEvent, z.object({ events: z.array(PostedEvent).min(1).max(500) })]);

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

/** How an enrollment answers over HTTP. */
function enrollStatus(result: EnrollResult): 202 | 200 | 409 {
  if (result.status === 'enrolled') return 202;
  return result.status === 'already-enrolled' ? 200 : 409;
}

async function readJson(
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

function issuesOf(error: z.ZodError) {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

export function createApi(options: ApiOptions): Hono {
  const { store, enroller } = options;
  const app = new Hono();

  app.onError((error, c) => {
    console.error('API error:', error);
    return apiError(c, 500, 'internal', 'Something went wrong on the server; the request was not completed.');
  });

  app.use(
    '/api/*',
    bodyLimit({
      maxSize: options.maxBodyBytes ?? 1024 * 1024,
      onError: (c) => apiError(c, 413, 'body_too_large', 'The request body is too large.'),
    }),
  );

  app.get('/api/health', (c) => c.json({ ok: true }));

  app.get('/api/flow-schema', (c) => c.json(flowDocumentJsonSchema()));

  app.get('/api/flows', async (c) => {
    const flows = await store.listFlows();
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
    if (await store.getFlow(parsed.data.id)) {
      return apiError(c, 409, 'flow_exists', `A flow "${parsed.data.id}" exists already; choose another id.`);
    }
    const document = FlowDocument.parse({ ...template.build(parsed.data.locale), id: parsed.data.id });
    const flow = await store.saveDraft(document);
    return c.json({ flow: flowView(flow), draft: flow.draft }, 201);
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
    const flow = await store.saveDraft(parsed.data);
    const check = compile(flow.draft, { channels: options.channels });
    return c.json({ flow: flowView(flow), errors: check.ok ? [] : check.errors });
  });

  app.get('/api/flows/:id', async (c) => {
    const flow = await store.getFlow(c.req.param('id'));
    if (!flow) return apiError(c, 404, 'flow_not_found', `There is no flow "${c.req.param('id')}".`);
    return c.json({ flow: flowView(flow), draft: flow.draft });
  });

  app.post('/api/flows/:id/validate', async (c) => {
    const flow = await store.getFlow(c.req.param('id'));
    if (!flow) return apiError(c, 404, 'flow_not_found', `There is no flow "${c.req.param('id')}".`);
    const result = compile(flow.draft, { channels: options.channels });
    return c.json(result.ok ? { ok: true, errors: [] } : { ok: false, errors: result.errors });
  });

  app.post('/api/flows/:id/publish', async (c) => {
    const flow = await store.getFlow(c.req.param('id'));
    if (!flow) return apiError(c, 404, 'flow_not_found', `There is no flow "${c.req.param('id')}".`);
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const parsedBody = PublishBody.safeParse(body.value);
    if (!parsedBody.success)
      return apiError(c, 422, 'invalid_body', 'Bad publish request.', issuesOf(parsedBody.error));
    const check = compile(flow.draft, { channels: options.channels });
    if (!check.ok) {
      return apiError(
        c,
        422,
        'compile_failed',
        'The flow has errors; fix them before publishing.',
        check.errors,
      );
    }
    const published = await store.publish(
      flow.id,
      flow.draft,
      (version) => {
        const result = compile(flow.draft, { channels: options.channels, version });
        if (!result.ok) throw new Error('A flow that compiled stopped compiling.');
        return result.plan;
      },
      parsedBody.data.note,
    );
    // The version is stored either way; a schedule that could not be synced is said, not hidden.
    const schedule = await options.campaigns.syncSchedule(published.plan).then(
      () => 'synced',
      (error: Error) => `not synced: ${error.message}`,
    );
    return c.json({ flowId: flow.id, version: published.version, schedule }, 201);
  });

  app.get('/api/flows/:id/versions/:version', async (c) => {
    const version = Number(c.req.param('version'));
    const record = Number.isInteger(version) ? await store.getVersion(c.req.param('id'), version) : undefined;
    if (!record) return apiError(c, 404, 'version_not_found', 'There is no such published version.');
    return c.json(record);
  });

  app.get('/api/flows/:id/webhook', async (c) => {
    const flow = await store.getFlow(c.req.param('id'));
    if (!flow) return apiError(c, 404, 'flow_not_found', `There is no flow "${c.req.param('id')}".`);
    return c.json({
      url: webhookUrl(flow.id),
      secret: flow.webhookSecret,
      signatureHeader: SIGNATURE_HEADER,
    });
  });

  app.post('/api/hooks/:flowId', async (c) => {
    const flowId = c.req.param('flowId');
    const flow = await store.getFlow(flowId);
    if (!flow || flow.status === 'archived')
      return apiError(c, 404, 'flow_not_found', `There is no flow "${flowId}".`);
    const raw = await c.req.text();
    const signature = verifyWebhookSignature(flow.webhookSecret, raw, c.req.header(SIGNATURE_HEADER));
    if (!signature.ok) return apiError(c, 401, 'bad_signature', signature.reason);
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return apiError(c, 400, 'invalid_json', 'The request body is not valid JSON.');
    }
    const body = WebhookBody.safeParse(json);
    if (!body.success)
      return apiError(c, 422, 'invalid_payload', 'The webhook body is not valid.', issuesOf(body.error));
    const published = await store.getVersion(flowId);
    const trigger = published && Object.values(published.plan.nodes).find((n) => n.type === 'trigger');
    if (published && (trigger?.type !== 'trigger' || trigger.trigger.kind !== 'webhook')) {
      return apiError(c, 409, 'not_a_webhook_flow', `Flow "${flowId}" is not started by a webhook.`);
    }
    const problems =
      trigger?.type === 'trigger' && trigger.trigger.kind === 'webhook'
        ? payloadProblems(trigger.trigger.payload, body.data.event)
        : [];
    if (problems.length > 0) return apiError(c, 422, 'invalid_payload', problems.join(' '), problems);
    return enrollOrExplain(c, flowId, body.data.contact, body.data.event ?? {});
  });

  app.post('/api/flows/:id/enroll', async (c) => {
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const parsed = EnrollBody.safeParse(body.value);
    if (!parsed.success)
      return apiError(c, 422, 'invalid_body', 'The enrollment is not valid.', issuesOf(parsed.error));
    return enrollOrExplain(c, c.req.param('id'), parsed.data.contact, parsed.data.event ?? {});
  });

  app.post('/api/events', async (c) => {
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const parsed = EventsBody.safeParse(body.value);
    if (!parsed.success)
      return apiError(c, 422, 'invalid_event', 'The event is not valid.', issuesOf(parsed.error));
    const list = 'events' in parsed.data ? parsed.data.events : [parsed.data];
    try {
      const results = [];
      for (const event of list) results.push(await options.events.post(event));
      return c.json('events' in parsed.data ? { results } : results[0], 202);
    } catch (error) {
      if (isUnavailable(error)) {
        return apiError(
          c,
          503,
          'temporal_unavailable',
          'The workflow server is unreachable; post the events again.',
        );
      }
      throw error;
    }
  });

  app.post('/api/flows/:id/migrate', async (c) => {
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const parsed = MigrationRequest.safeParse(body.value);
    if (!parsed.success)
      return apiError(c, 422, 'invalid_body', 'The migration is not valid.', issuesOf(parsed.error));
    try {
      return c.json(
        await options.migrator.migrate(c.req.param('id'), parsed.data),
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

  app.post('/api/campaigns', async (c) => {
    const body = await readJson(c);
    if (!body.ok) return body.response;
    const parsed = CampaignRequest.safeParse(body.value);
    if (!parsed.success)
      return apiError(c, 422, 'invalid_campaign', 'The campaign is not valid.', issuesOf(parsed.error));
    const flow = await store.getFlow(parsed.data.flowId);
    const published = flow && (await store.getVersion(flow.id));
    if (!flow || !published)
      return apiError(c, 404, 'flow_not_found', `There is no published flow "${parsed.data.flowId}".`);
    if (flow.status !== 'live')
      return apiError(c, 409, 'flow_not_live', `Flow "${flow.id}" is ${flow.status}.`);
    try {
      return c.json(await options.campaigns.start(parsed.data, published.plan), 202);
    } catch (error) {
      if (isUnavailable(error))
        return apiError(c, 503, 'temporal_unavailable', 'The workflow server is unreachable; retry.');
      throw error;
    }
  });

  app.get('/api/campaigns/:id', async (c) => {
    const status = await options.campaigns.status(c.req.param('id'));
    if (!status)
      return apiError(c, 404, 'campaign_not_found', `There is no campaign "${c.req.param('id')}".`);
    return c.json({ ...status, temporalUrl: runUrl(status.campaignId) });
  });

  app.post('/api/campaigns/:id/cancel', async (c) => {
    const cancelled = await options.campaigns.cancel(c.req.param('id'));
    if (!cancelled)
      return apiError(c, 404, 'campaign_not_found', `There is no running campaign "${c.req.param('id')}".`);
    return c.json({ campaignId: c.req.param('id'), cancelling: true }, 202);
  });

  app.post('/api/flows/:id/simulate', async (c) => {
    const flow = await store.getFlow(c.req.param('id'));
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
      const record = await store.getVersion(flow.id, version);
      if (!record) return apiError(c, 404, 'version_not_found', 'There is no such published version.');
      plan = record.plan;
    } else {
      const result = compile(flow.draft, { channels: options.channels });
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

  app.get('/api/outbox', async (c) => {
    const rows = await store.listOutbox({
      flowId: c.req.query('flowId'),
      contactId: c.req.query('contactId'),
      limit: Number(c.req.query('limit') ?? 500) || 500,
    });
    return c.json({ messages: rows });
  });

  app.all('/api/*', (c) => apiError(c, 404, 'not_found', `No API route ${c.req.method} ${c.req.path}.`));

  if (options.builderDir) {
    app.use('/*', serveStatic({ root: options.builderDir }));
    // The builder is a single-page app: unknown paths get its index.
    app.get('/*', serveStatic({ root: options.builderDir, path: 'index.html' }));
  }

  async function enrollOrExplain(
    c: Context,
    flowId: string,
    contact: Contact,
    event: Record<string, unknown>,
  ) {
    try {
      const result = await enroller.enroll(flowId, contact, event);
      return c.json({ ...result, temporalUrl: runUrl(result.workflowId) }, enrollStatus(result));
    } catch (error) {
      if (error instanceof EnrollError)
        return apiError(c, error.code === 'flow_not_found' ? 404 : 409, error.code, error.message);
      if (isUnavailable(error)) {
        return apiError(
          c,
          503,
          'temporal_unavailable',
          'The workflow server is unreachable; retry the delivery.',
        );
      }
      throw error;
    }
  }

  function webhookUrl(flowId: string) {
    return `${options.publicUrl.replace(/\/$/, '')}/api/hooks/${encodeURIComponent(flowId)}`;
  }

  function runUrl(workflowId: string) {
    return `${options.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(options.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  }

  function flowView(flow: NonNullable<Awaited<ReturnType<Store['getFlow']>>>) {
    return {
      id: flow.id,
      name: flow.name,
      status: flow.status,
      latestVersion: flow.latestVersion,
      webhookUrl: webhookUrl(flow.id),
      createdAt: flow.createdAt,
      updatedAt: flow.updatedAt,
    };
  }

  return app;
}

/** Temporal's client reports an unreachable server as gRPC UNAVAILABLE (code 14). */
function isUnavailable(error: unknown): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === 14) return true;
    if (/UNAVAILABLE|ECONNREFUSED|Connection refused/i.test(String((e as Error).message))) return true;
  }
  return false;
}
