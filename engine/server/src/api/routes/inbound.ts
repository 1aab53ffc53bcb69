import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  type Connector,
  type InboundHandler,
  InboundRefusal,
  type InboundRequest,
} from '@sopflow/connectors';
import type { Context, Hono } from 'hono';
import { doc } from '../docs';
import { type ApiContext, apiError, jsonBody } from '../http';

/**
 * What providers send us, through the inbound handlers their connectors declare: each is mounted
 * at `/api/inbound/<path>`, and what it reads is handed to `InboundFacts`, the same for every
 * provider; a contact event is answered for once it is kept, and processed after.
 */
export function registerInboundRoutes(app: Hono, ctx: ApiContext): void {
  const { store, inboundFacts, channelRoutes, publicUrl, registry } = ctx.options;
  const base = `${publicUrl.replace(/\/$/, '')}/api/inbound`;

  /**
   * Providers that do not sign (Aliyun, Tencent) post to a URL carrying a key derived from the
   * server's secret. The derivation's `sms-replies:` prefix dates from when only SMS replies had
   * keys; it stays, because changing it would break every URL configured at a provider.
   */
  const urlKey = (connector: string) =>
    ctx.options.secretKey
      ? createHmac('sha256', ctx.options.secretKey)
          .update(`sms-replies:${connector}`)
          .digest('hex')
          .slice(0, 32)
      : undefined;
  const keyMatches = (connector: string, given: string | undefined) => {
    const key = urlKey(connector);
    return (
      key !== undefined &&
      given !== undefined &&
      given.length === key.length &&
      timingSafeEqual(Buffer.from(given), Buffer.from(key))
    );
  };

  const mounted = registry
    .list()
    .flatMap((connector) => (connector.inbound ?? []).map((handler) => ({ connector, handler })));

  app.get(
    '/api/inbound/sms-reply-urls',
    doc({
      summary:
        'Where providers that do not sign (Aliyun and Tencent SMS) push replies: URLs carrying their key',
      tags: ['inbound'],
      access: 'admin',
      responses: { 200: '{ aliyun, tencent }', 409: 'SOPFLOW_SECRET_KEY is not set.' },
    }),
    (c) => {
      if (!ctx.options.secretKey)
        return apiError(
          c,
          409,
          'no_secret_key',
          'Set SOPFLOW_SECRET_KEY to receive SMS replies from Aliyun and Tencent.',
        );
      const urls: Record<string, string> = {};
      for (const { connector, handler } of mounted)
        if (handler.auth.kind === 'url-key')
          urls[handler.auth.label] = `${base}/${handler.path.replace(':key', urlKey(connector.name)!)}`;
      return c.json(urls);
    },
  );

  for (const { connector, handler } of mounted) mount(connector, handler);

  function mount(connector: Connector<unknown>, handler: InboundHandler) {
    app.on(
      [...handler.methods],
      `/api/inbound/${handler.path}`,
      doc({
        summary: handler.summary,
        tags: ['inbound'],
        access: 'public',
        ...(handler.bodyMedia ? { bodyMedia: { [handler.bodyMedia]: { type: 'object' } } } : {}),
        responses: handler.responses,
      }),
      async (c) => {
        if (handler.auth.kind === 'url-key' && !keyMatches(connector.name, c.req.param('key')))
          return apiError(c, 404, 'not_configured', 'There is no such reply URL.');
        try {
          const answer = await handler.handle(
            // Providers sign the URL they were given, query string included (Twilio does).
            inboundRequest(c, `${base}/${c.req.path.split('/api/inbound/')[1]}${new URL(c.req.url).search}`),
            {
              routeSecret: async (path) => {
                const route = (await channelRoutes.list()).find((r) => r.connector === connector.name);
                return route ? channelRoutes.secret(route.channel, path) : undefined;
              },
              settings: ctx.options.inboundSettings[connector.name],
              records: store.connectorStorage(connector.name).records,
            },
          );
          for (const fact of answer.facts) await inboundFacts.accept(connector, fact);
          return c.body(answer.body, answer.status, {
            'content-type': answer.contentType ?? 'text/plain; charset=UTF-8',
          });
        } catch (error) {
          if (error instanceof InboundRefusal)
            return apiError(c, error.status, error.code, error.message, error.details);
          throw error;
        }
      },
    );
  }
}

/** The request as a handler reads it; JSON bodies get the same limits as every other route's. */
function inboundRequest(c: Context, publicUrl: string): InboundRequest {
  let body: Promise<string> | undefined;
  const text = () => {
    body ??= c.req.text();
    return body;
  };
  return {
    method: c.req.method,
    publicUrl,
    params: c.req.param() as Record<string, string>,
    query: c.req.query(),
    header: (name) => c.req.header(name),
    text,
    async json() {
      const raw = await text();
      if (raw.trim() === '') return undefined;
      const body = jsonBody(raw);
      if (!body.ok) throw new InboundRefusal(body.status, body.code, body.message);
      return body.value;
    },
  };
}
