import { serveStatic } from '@hono/node-server/serve-static';
import type { Contact } from '@sopflow/core';
import { ErrorBody, Health } from '@sopflow/core/api';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { generateSpecs } from 'hono-openapi';
import { z } from 'zod';
import { ContactErasedError, type FlowRecord } from '../persistence';
import { EnrollError, type EnrollResult } from '../services/enroll';
import { runsQuery } from '../temporal/gateway';
import { temporalLinks } from '../temporal/links';
import { authMiddleware, CSRF_HEADER, SESSION_COOKIE } from './auth';
import { ContactAddressRules } from './contact-addresses';
import { doc } from './docs';
import { type ApiContext, type ApiOptions, apiError, databaseFailure, isUnavailable } from './http';
import { RateLimiter } from './rate-limit';
import { registerAuthRoutes } from './routes/auth';
import { registerCampaignRoutes } from './routes/campaigns';
import { registerChannelCodeRoutes } from './routes/channel-codes';
import { registerChannelRoutes } from './routes/channels';
import { registerContactRoutes } from './routes/contacts';
import { registerEventRoutes } from './routes/events';
import { registerFlowRoutes } from './routes/flows';
import { registerGroupRoutes } from './routes/groups';
import { registerWebhookRoutes } from './routes/hooks';
import { registerInboundRoutes } from './routes/inbound';
import { registerIntegratorWebhookRoutes } from './routes/integrator-webhooks';
import { registerMessageRoutes } from './routes/messages';
import { registerOutboxRoutes } from './routes/outbox';
import { registerSettingsRoutes } from './routes/settings';
import { registerTagRoutes } from './routes/tags';
import { CODEC_PATH, registerTemporalCodecRoutes, temporalCodecCors } from './routes/temporal-codec';
import { registerUnsubscribeRoutes } from './routes/unsubscribe';

export { type ApiOptions, apiError } from './http';

/** How an enrollment answers over HTTP: 202 started, 200 nothing new, 409 refused. */
function enrollStatus(result: EnrollResult): 202 | 200 | 409 {
  if (result.status === 'enrolled') return 202;
  return result.status === 'already-enrolled' ? 200 : 409;
}

/**
 * The HTTP API (hono): the builder, other systems and operators' scripts drive sopflow through
 * it. Each resource is a route module; this file holds what they share.
 */
export function createApi(options: ApiOptions): Hono {
  const app = new Hono();

  // Every answer, the builder's files included: the builder loads only its own scripts and talks
  // only to this API, so a script injected into a page has nowhere to load from or send to.
  // Inline styles stay allowed: React Flow positions nodes with style attributes.
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'https:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
      xFrameOptions: 'DENY',
    }),
  );

  app.onError((error, c) => {
    const database = databaseFailure(error);
    if (database) {
      if (database.status === 503)
        console.error('API: the database is unreachable:', (error as Error).message);
      return apiError(c, database.status, database.code, database.message);
    }
    if (error instanceof ContactErasedError) {
      c.set('erasedContactIds', error.contactIds);
      return apiError(c, 410, error.code, error.message);
    }
    if (isUnavailable(error))
      return apiError(c, 503, 'temporal_unavailable', 'The workflow server is unreachable; retry.');
    console.error('API error:', error);
    return apiError(c, 500, 'internal', 'Something went wrong on the server; the request was not completed.');
  });

  const tooLarge = (c: Context) => apiError(c, 413, 'body_too_large', 'The request body is too large.');
  const limits = {
    default: bodyLimit({ maxSize: options.maxBodyBytes ?? 1024 * 1024, onError: tooLarge }),
    // Bulk imports are streamed in batches, so they may be much larger.
    import: bodyLimit({ maxSize: options.importMaxBytes ?? 50 * 1024 * 1024, onError: tooLarge }),
  };
  app.use('/api/*', (c, next) =>
    (c.req.path === '/api/contacts/import' ? limits.import : limits.default)(c, next),
  );
  // Before auth: the Temporal UI's preflight carries no credentials.
  app.use(`${CODEC_PATH}/*`, temporalCodecCors(options.temporalUiUrl));
  app.use(
    '/api/*',
    authMiddleware({
      accounts: options.accounts,
      limiter: new RateLimiter(options.rateLimit ?? { perMinute: 1200, burst: 300 }),
    }),
  );

  const links = temporalLinks(options.temporalUiUrl, options.namespace);
  const runUrl = links.run;
  const webhookUrl = (flowId: string) =>
    `${options.publicUrl.replace(/\/$/, '')}/api/hooks/${encodeURIComponent(flowId)}`;

  const ctx: ApiContext = {
    options,
    addressRules: new ContactAddressRules(options.registry),
    compileOptions: {
      channels: options.channels,
      reach: options.registry.reach(),
      limits: options.limits,
      freeFormWindows: options.registry.freeFormWindows(),
    },
    runUrl,
    listUrl: links.list,
    webhookUrl,
    flowView: (flow: FlowRecord) => ({
      id: flow.id,
      name: flow.name,
      status: flow.status,
      latestVersion: flow.latestVersion,
      webhookUrl: webhookUrl(flow.id),
      temporalUrl: links.list(runsQuery({ flowId: flow.id })),
      createdAt: flow.createdAt,
      updatedAt: flow.updatedAt,
    }),
    async enrollOrExplain(c: Context, flowId: string, contact: Contact, event: Record<string, unknown>) {
      try {
        const result = await options.enroller.enroll(flowId, contact, event);
        return c.json({ ...result, temporalUrl: runUrl(result.workflowId) }, enrollStatus(result));
      } catch (error) {
        if (error instanceof EnrollError) {
          return apiError(c, error.code === 'flow_not_found' ? 404 : 409, error.code, error.message);
        }
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
    },
  };

  app.get(
    '/api/health',
    doc({
      summary: 'Liveness',
      tags: ['meta'],
      access: 'public',
      responses: { 200: { description: '{ ok: true }', schema: Health } },
    }),
    (c) => c.json({ ok: true }),
  );
  registerAuthRoutes(app, ctx);
  registerFlowRoutes(app, ctx);
  registerContactRoutes(app, ctx);
  registerWebhookRoutes(app, ctx);
  registerEventRoutes(app, ctx);
  registerCampaignRoutes(app, ctx);
  registerChannelRoutes(app, ctx);
  registerChannelCodeRoutes(app, ctx);
  registerGroupRoutes(app, ctx);
  registerInboundRoutes(app, ctx);
  registerIntegratorWebhookRoutes(app, ctx);
  registerMessageRoutes(app, ctx);
  registerOutboxRoutes(app, ctx);
  registerTagRoutes(app, ctx);
  registerSettingsRoutes(app, ctx);
  registerUnsubscribeRoutes(app, ctx);
  registerTemporalCodecRoutes(app, ctx);

  let openapi: Promise<unknown> | undefined;
  app.get(
    '/api/openapi.json',
    doc({
      summary: 'This API as an OpenAPI 3.1 document',
      tags: ['meta'],
      access: 'viewer',
      responses: { 200: 'The OpenAPI document.' },
    }),
    async (c) => {
      openapi ??= openApiDocument(app, options.publicUrl);
      return c.json(await openapi);
    },
  );

  app.all('/api/*', (c) => {
    const allowed = allowedMethods(app, c.req.path);
    if (allowed.length === 0)
      return apiError(c, 404, 'not_found', `No API route ${c.req.method} ${c.req.path}.`);
    c.header('Allow', allowed.join(', '));
    return apiError(
      c,
      405,
      'method_not_allowed',
      `${c.req.path} does not take ${c.req.method}; it takes ${allowed.join(', ')}.`,
    );
  });

  // Outside /api too (an unsubscribe link cut short): an error any client can read.
  app.notFound((c) => apiError(c, 404, 'not_found', `Nothing is at ${c.req.path}.`));

  if (options.builderDir) {
    app.use('/*', serveStatic({ root: options.builderDir }));
    // The builder is a single-page app: unknown paths get its index.
    app.get('/*', serveStatic({ root: options.builderDir, path: 'index.html' }));
  }
  return app;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * The methods a path has a route for. Routes are found through the app's own router, so the
 * answer follows every route as registered; middleware (registered for all methods) is no route.
 */
function allowedMethods(app: Hono, path: string): string[] {
  const endpoints = new Set(app.routes.filter((r) => r.method !== 'ALL').map((r) => r.handler));
  return METHODS.filter((method) => {
    const [matches] = app.router.match(method, path) as unknown as [[[unknown, unknown], unknown][]];
    return matches.some(([entry]) => endpoints.has((Array.isArray(entry) ? entry[0] : entry) as never));
  });
}

/** The OpenAPI document of every route, from the `doc` each route is registered with. */
export async function openApiDocument(app: Hono, publicUrl: string): Promise<Record<string, unknown>> {
  const spec = (await generateSpecs(app, {
    documentation: {
      info: {
        title: 'sopflow API',
        version: '1',
        description:
          'Draw a community-operations SOP once; run it durably for every contact on Temporal. Send an API token ' +
          `as "Authorization: Bearer <token>", or log in (POST /api/auth/login) for the ${SESSION_COOKIE} cookie and ` +
          `send the CSRF token it answers as ${CSRF_HEADER} on writes. Errors are { error: { code, message, details? } }.`,
      },
      servers: [{ url: publicUrl }],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token (sft_...).' },
          sessionCookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        },
      },
    },
    // Every path is an API route: `/api/openapi.json` is not a static file.
    excludeStaticFile: false,
    exclude: [/^\/api\/\*$/, /^\/\*$/],
  })) as Record<string, unknown> & { components?: { schemas?: Record<string, unknown> } };
  spec.components ??= {};
  spec.components.schemas = {
    ...spec.components.schemas,
    Error: (({ $schema: _, ...schema }) => schema)(z.toJSONSchema(ErrorBody, { unrepresentable: 'any' })),
  };
  return spec;
}
