import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import {
  handleWeComCallback,
  isOptInReply,
  isOptOutReply,
  parseTwilioForm,
  verifyTwilioSignature,
  WeComCallbackError,
} from '@sopflow/connectors';
import type { Hono } from 'hono';
import { z } from 'zod';
import { doc } from '../docs';
import { type ApiContext, apiError, issuesOf, readJson } from '../http';

/** Aliyun's SmsUp push: a batch of replies (`sequence_id` a number in older docs, a string in newer). */
const AliyunReplies = z
  .array(
    z.object({
      phone_number: z.string().min(1).max(32),
      content: z.string().max(2000),
      send_time: z.string().optional(),
      dest_code: z.string().optional(),
      sequence_id: z.union([z.string().min(1).max(64), z.number()]),
      sign_name: z.string().optional(),
    }),
  )
  .max(1000);

/** Tencent's reply callback: one reply (an array is taken too). */
const TencentReply = z.object({
  mobile: z.string().min(1).max(32),
  nationcode: z.string().regex(/^\d{1,4}$/),
  text: z.string().max(2000),
  time: z.number(),
  sign: z.string().optional(),
  extend: z.string().optional(),
});
const TencentReplies = z.union([TencentReply, z.array(TencentReply).max(1000)]);

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

  /**
   * An SMS reply from one of `from` (the forms the sender's number may be saved in): an opt-out
   * keyword unsubscribes the contact from SMS; anything else is a `message.received` event (and,
   * where the provider honours them, an opt-in keyword subscribes them again first).
   */
  async function takeSmsReply(reply: { id: string; from: string[]; text: string; optIn: boolean }) {
    // Compared as digits and plus sign, as the index holds them; a number saved without its plus
    // ("15551234567") matches "+15551234567" too.
    const forms = [
      ...new Set(
        reply.from
          .map((n) => n.replace(/[^0-9+]/g, ''))
          .filter(Boolean)
          .flatMap((n) => [n, n.replace(/^\+/, '')]),
      ),
    ];
    if (forms.length === 0) return;
    const contactId = await store.contacts.idByPhone(forms);
    if (!contactId) return;
    if (isOptOutReply(reply.text)) {
      await store.contacts.unsubscribe(contactId, 'sms');
      return;
    }
    if (reply.optIn && isOptInReply(reply.text)) await store.contacts.resubscribe(contactId, 'sms');
    await events.post({
      id: reply.id,
      contactId,
      name: 'message.received',
      payload: { channel: 'sms', text: reply.text },
    });
  }

  /**
   * Aliyun and Tencent do not sign their reply pushes, so their URLs carry a key derived from
   * SOPFLOW_SECRET_KEY: only who was given the URL can post replies (which may unsubscribe people).
   */
  const replyKey = (provider: string) =>
    ctx.options.secretKey
      ? createHmac('sha256', ctx.options.secretKey)
          .update(`sms-replies:${provider}`)
          .digest('hex')
          .slice(0, 32)
      : undefined;
  const replyUrl = (provider: string) =>
    `${publicUrl.replace(/\/$/, '')}/api/inbound/${provider}/${replyKey(provider)}`;
  const keyMatches = (provider: string, given: string) => {
    const key = replyKey(provider);
    return (
      key !== undefined &&
      given.length === key.length &&
      timingSafeEqual(Buffer.from(given), Buffer.from(key))
    );
  };

  app.get(
    '/api/inbound/sms-reply-urls',
    doc({
      summary: 'Where Aliyun and Tencent SMS push replies (URLs carrying their key)',
      tags: ['inbound'],
      access: 'admin',
      responses: { 200: '{ aliyun, tencent }', 409: 'SOPFLOW_SECRET_KEY is not set.' },
    }),
    (c) =>
      ctx.options.secretKey
        ? c.json({ aliyun: replyUrl('aliyun-sms'), tencent: replyUrl('tencent-sms') })
        : apiError(
            c,
            409,
            'no_secret_key',
            'Set SOPFLOW_SECRET_KEY to receive SMS replies from Aliyun and Tencent.',
          ),
  );

  app.post(
    '/api/inbound/aliyun-sms/:key',
    doc({
      summary: 'Aliyun SMS replies (上行短信, HTTP batch push)',
      tags: ['inbound'],
      access: 'public',
      responses: { 200: '{ code: 0, msg }', 400: 'Not a batch of replies.', 404: 'Unknown key.' },
    }),
    async (c) => {
      if (!keyMatches('aliyun-sms', c.req.param('key')))
        return apiError(c, 404, 'not_configured', 'There is no such reply URL.');
      const body = await readJson(c);
      if (!body.ok) return body.response;
      const replies = AliyunReplies.safeParse(body.value);
      if (!replies.success)
        return apiError(c, 400, 'invalid_payload', 'Not an Aliyun SmsUp batch.', issuesOf(replies.error));
      for (const reply of replies.data)
        await takeSmsReply({
          id: `aliyun-sms:${reply.sequence_id}`,
          // Aliyun gives mainland numbers without their country code.
          from: [reply.phone_number, `+86${reply.phone_number}`],
          text: reply.content,
          optIn: false,
        });
      return c.json({ code: 0, msg: '接收成功' });
    },
  );

  app.post(
    '/api/inbound/tencent-sms/:key',
    doc({
      summary: 'Tencent Cloud SMS replies (短信回复 callback)',
      tags: ['inbound'],
      access: 'public',
      responses: { 200: '{ result: 0, errmsg }', 400: 'Not a reply.', 404: 'Unknown key.' },
    }),
    async (c) => {
      if (!keyMatches('tencent-sms', c.req.param('key')))
        return apiError(c, 404, 'not_configured', 'There is no such reply URL.');
      const body = await readJson(c);
      if (!body.ok) return body.response;
      const replies = TencentReplies.safeParse(body.value);
      if (!replies.success)
        return apiError(c, 400, 'invalid_payload', 'Not a Tencent SMS reply.', issuesOf(replies.error));
      for (const reply of Array.isArray(replies.data) ? replies.data : [replies.data]) {
        // Tencent's reply carries no id of its own: the sender, the time and the text make one.
        const digest = createHash('sha256').update(reply.text).digest('hex').slice(0, 16);
        await takeSmsReply({
          id: `tencent-sms:${reply.nationcode}:${reply.mobile}:${reply.time}:${digest}`,
          from: [`+${reply.nationcode}${reply.mobile}`, reply.mobile],
          text: reply.text,
          optIn: false,
        });
      }
      return c.json({ result: 0, errmsg: 'OK' });
    },
  );

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
      await takeSmsReply({
        id: `twilio:${String(params.MessageSid ?? '')}`,
        from: [String(params.From ?? '')],
        text: String(params.Body ?? ''),
        // Twilio lifts its own block on START / UNSTOP / YES; so do we.
        optIn: true,
      });
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
