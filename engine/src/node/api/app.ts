import { serveStatic } from '@hono/node-server/serve-static';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Contact } from '../../index';
import { EnrollError, type EnrollResult } from '../enroll';
import type { FlowRecord } from '../store';
import { type ApiContext, type ApiOptions, apiError, isUnavailable } from './http';
import { registerCampaignRoutes } from './routes/campaigns';
import { registerChannelRoutes } from './routes/channels';
import { registerEventRoutes } from './routes/events';
import { registerFlowRoutes } from './routes/flows';
import { registerWebhookRoutes } from './routes/hooks';
import { registerInboundRoutes } from './routes/inbound';
import { registerOutboxRoutes } from './routes/outbox';
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

  const runUrl = (workflowId: string) =>
    `${options.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(options.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
  const webhookUrl = (flowId: string) =>
    `${options.publicUrl.replace(/\/$/, '')}/api/hooks/${encodeURIComponent(flowId)}`;

  const ctx: ApiContext = {
    options,
    runUrl,
    webhookUrl,
    flowView: (flow: FlowRecord) => ({
      id: flow.id,
      name: flow.name,
      status: flow.status,
      latestVersion: flow.latestVersion,
      webhookUrl: webhookUrl(flow.id),
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

  app.get('/api/health', (c) => c.json({ ok: true }));
  registerFlowRoutes(app, ctx);
  registerWebhookRoutes(app, ctx);
  registerEventRoutes(app, ctx);
  registerCampaignRoutes(app, ctx);
  registerChannelRoutes(app, ctx);
  registerInboundRoutes(app, ctx);
  registerOutboxRoutes(app, ctx);
  registerUnsubscribeRoutes(app, ctx);

  app.all('/api/*', (c) => apiError(c, 404, 'not_found', `No API route ${c.req.method} ${c.req.path}.`));

  if (options.builderDir) {
    app.use('/*', serveStatic({ root: options.builderDir }));
    // The builder is a single-page app: unknown paths get its index.
    app.get('/*', serveStatic({ root: options.builderDir, path: 'index.html' }));
  }
  return app;
}
