import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  type Connector,
  type InboundFact,
  type InboundHandler,
  InboundRefusal,
  type InboundRequest,
  isOptInReply,
  isOptOutReply,
} from '@sopflow/connectors';
import type { Context, Hono } from 'hono';
import { ContactErasedError } from '../../persistence';
import { doc } from '../docs';
import { type ApiContext, apiError, jsonBody } from '../http';

/**
 * What providers send us, through the inbound handlers their connectors declare: each is mounted
 * at `/api/inbound/<path>`, and what it reads is acted on here, the same for every provider. A
 * reply with an opt-out word unsubscribes the contact from the channel, any other reply is a
 * `message.received` event; an event about a contact named by an address (a WeCom customer adding
 * staff, an Official Account follow) changes the contact and is posted for it (`ContactEvents`); a
 * member joining or leaving a customer group is a `member.joined` / `member.left` event for that
 * contact; a connector may ask for one of its jobs to run in the background.
 */
export function registerInboundRoutes(app: Hono, ctx: ApiContext): void {
  const { store, contacts, events, channelRoutes, publicUrl, registry } = ctx.options;
  const base = `${publicUrl.replace(/\/$/, '')}/api/inbound`;

  /**
   * A reply names its sender by the address kind it gives, else by the kind of the connector it
   * came through (a phone for SMS).
   */
  async function takeReply(connector: Connector<unknown>, reply: Extract<InboundFact, { kind: 'reply' }>) {
    const kind = reply.addressKind ?? connector.address?.name;
    if (!kind) return;
    const contactId = await store.contacts.idByAddress(kind, reply.from);
    if (!contactId) return;
    if (isOptOutReply(reply.text)) {
      await contacts.optOut(contactId, reply.channel);
      return;
    }
    if (reply.honoursOptIn && isOptInReply(reply.text)) await contacts.optIn(contactId, reply.channel);
    await events.post({
      id: reply.id,
      contactId,
      name: 'message.received',
      payload: { ...reply.payload, channel: reply.channel, text: reply.text },
    });
  }

  /**
   * Starts a connector's job for one item in the background: the provider wants its answer before
   * such a read would return (WeCom retries after 5 s). Returns whether any routed channel runs it.
   */
  async function runInBackground(connector: Connector<unknown>, job: string, only: string) {
    return (await ctx.options.connectorJobs.startNow(connector.name, job, only)).length > 0;
  }

  /**
   * Takes a fact, dropping one about an erased contact (a reply, a customer adding staff again):
   * it is not stored, and the provider is answered as usual so it does not retry. Logged without
   * the contact, whose id is the personal data being kept out.
   */
  async function takeUnlessErased(connector: Connector<unknown>, fact: InboundFact) {
    try {
      await take(connector, fact);
    } catch (error) {
      if (!(error instanceof ContactErasedError)) throw error;
      console.warn(`${connector.name}: a ${fact.kind} fact about an erased contact was dropped.`);
    }
  }

  async function take(connector: Connector<unknown>, fact: InboundFact) {
    switch (fact.kind) {
      case 'reply':
        return takeReply(connector, fact);
      case 'contact-event': {
        await ctx.options.contactEvents.take(fact);
        if (fact.runJob && !(await runInBackground(connector, fact.runJob, fact.address.value)))
          console.warn(
            `${fact.name} for ${fact.address.value}: no channel is routed to ${connector.name}, whose ` +
              `${fact.runJob} job reads the contact's details; they are not read.`,
          );
        return;
      }
      case 'job':
        // Started in the background: the provider wants its answer before such a job would return.
        if (!(await runInBackground(connector, fact.job, fact.only)))
          console.warn(`${connector.name} asked for its ${fact.job} job, but no channel is routed to it.`);
        return;
      case 'group-dissolved':
        return ctx.options.groups.forget(fact.chatId);
      case 'group-members': {
        const outcome = await ctx.options.groups.accept(fact.chatId, fact.events);
        // Who changed, or of what kind, is for the provider's own read of the group to say.
        if (!fact.runJob || (fact.events.length > 0 && outcome.unresolved === 0)) return;
        if (!(await runInBackground(connector, fact.runJob, fact.chatId)))
          console.warn(
            `Customer group ${fact.chatId} changed, but no channel is routed to ${connector.name}, whose ` +
              `${fact.runJob} job reads who: members of unknown kind are not taken for customers.`,
          );
      }
    }
  }

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
          for (const fact of answer.facts) await takeUnlessErased(connector, fact);
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
