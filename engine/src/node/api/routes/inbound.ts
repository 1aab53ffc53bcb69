import {
  handleWeComCallback,
  isOptInReply,
  isOptOutReply,
  parseTwilioForm,
  verifyTwilioSignature,
  WeComCallbackError,
} from '@sopflow/connectors';
import type { Hono } from 'hono';
import { doc } from '../docs';
import { type ApiContext, apiError } from '../http';

const weComErrorStatus = {
  'bad-signature': 401,
  'receive-id-mismatch': 403,
  malformed: 400,
  'bad-config': 500,
} as const;

/**
 * What providers send us: SMS replies (an opt-out reply unsubscribes the contact from SMS; any
 * other reply is a `message.received` event) and WeCom's encrypted callbacks (a member joining or
 * leaving a customer group becomes a `member.joined` / `member.left` event for that contact).
 */
export function registerInboundRoutes(app: Hono, ctx: ApiContext): void {
  const { store, events, channelRoutes, publicUrl } = ctx.options;

  app.post(
    '/api/inbound/twilio',
    doc({
      summary: 'Twilio inbound SMS (signed by Twilio)',
      tags: ['inbound'],
      access: 'public',
      bodyMedia: { 'application/x-www-form-urlencoded': { type: 'object' } },
      responses: {
        200: { description: 'TwiML.', media: 'text/xml' },
        401: 'Bad signature.',
        404: 'Not configured.',
      },
    }),
    async (c) => {
      const routes = await channelRoutes.list();
      const route = routes.find((r) => r.channel === 'sms' && r.connector === 'twilio-sms');
      const authToken = route ? await channelRoutes.secret('sms', 'authToken') : undefined;
      if (!authToken) return apiError(c, 404, 'not_configured', 'No Twilio SMS route is configured.');
      const raw = await c.req.text();
      const params = parseTwilioForm(raw);
      // Twilio signs the URL it was given, which is the public one, not what a proxy forwards to us.
      const url = `${publicUrl.replace(/\/$/, '')}/api/inbound/twilio`;
      if (!verifyTwilioSignature(authToken, url, params, c.req.header('x-twilio-signature') ?? '')) {
        return apiError(c, 401, 'bad_signature', 'The Twilio signature does not match.');
      }
      const from = String(params.From ?? '');
      const body = String(params.Body ?? '');
      // Compared as digits and plus sign, as the index holds them; a number saved without its
      // plus ("15551234567") matches Twilio's "+15551234567" too.
      const digits = from.replace(/[^0-9+]/g, '');
      const [contact] = digits
        ? await store.sql<{ id: string }[]>`
            select id from contacts
            where regexp_replace(phone, '[^0-9+]', '', 'g') in (${digits}, ${digits.replace(/^\+/, '')})
            order by updated_at desc limit 1`
        : [];
      if (contact) {
        if (isOptOutReply(body)) {
          await store.sql`
          update contacts set unsubscribed = array_append(unsubscribed, 'sms'), updated_at = now()
          where id = ${contact.id} and not ('sms' = any(unsubscribed))`;
        } else {
          // Twilio lifts its block on these replies; so do we, and the reply still reaches the flows.
          if (isOptInReply(body))
            await store.sql`
              update contacts set unsubscribed = array_remove(unsubscribed, 'sms'), updated_at = now()
              where id = ${contact.id} and 'sms' = any(unsubscribed)`;
          await events.post({
            id: `twilio:${String(params.MessageSid ?? '')}`,
            contactId: contact.id,
            name: 'message.received',
            payload: { channel: 'sms', text: body },
          });
        }
      }
      return c.body('<Response/>', 200, { 'content-type': 'text/xml' });
    },
  );

  app.on(
    ['GET', 'POST'],
    '/api/inbound/wecom',
    doc({
      summary: 'WeCom encrypted callbacks (URL verification and customer-group events)',
      tags: ['inbound'],
      access: 'public',
      responses: { 200: 'Accepted.', 401: 'Bad signature.', 404: 'Not configured.' },
    }),
    async (c) => {
      const config = ctx.options.wecomCallback;
      if (!config) return apiError(c, 404, 'not_configured', 'The WeCom callback is not configured.');
      try {
        const outcome = handleWeComCallback(config, {
          method: c.req.method,
          query: c.req.query(),
          body: c.req.method === 'POST' ? await c.req.text() : undefined,
        });
        if (outcome.kind === 'verified') return c.text(outcome.reply);
        const change = outcome.memberChange;
        if (change) {
          await ctx.options.wecomGroups.accept(change.chatId, change.events);
          // WeCom said the group changed but not who: read the group now rather than at the next pass.
          if (change.needsReconcile) {
            const report = await ctx.options.wecomGroups.reconcile(change.chatId);
            for (const failure of report.failed)
              console.error(`WeCom group ${failure.chatId} could not be reconciled: ${failure.message}`);
          }
        }
        return c.text('');
      } catch (error) {
        if (error instanceof WeComCallbackError)
          return apiError(c, weComErrorStatus[error.code], error.code, error.message);
        throw error;
      }
    },
  );
}
