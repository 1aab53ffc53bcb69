import { payloadProblems } from '@sopflow/core';
import { EnrollAnswer, EnrollBody } from '@sopflow/core/api';
import type { Hono } from 'hono';
import { SIGNATURE_HEADER, verifyWebhookSignature } from '../../webhook-signature';
import { parseWithAddresses } from '../contact-addresses';
import { doc } from '../docs';
import { type ApiContext, apiError, parseJsonBody } from '../http';

/** A signed delivery: the contact to enroll and the event that started it (the enrollment's body). */
const WebhookBody = EnrollBody;

/** The signed webhook that enrolls contacts: the one flow route that needs no login. */
export function registerWebhookRoutes(app: Hono, ctx: ApiContext): void {
  app.post(
    '/api/hooks/:flowId',
    doc({
      summary: 'Signed webhook: enroll a contact',
      description: 'x-sopflow-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>.',
      tags: ['webhooks'],
      access: 'public',
      body: WebhookBody,
      responses: {
        202: {
          description: 'Enrolled. With an Idempotency-Key header, a repeat gets the first answer again.',
          schema: EnrollAnswer,
        },
        200: { description: 'Already in the flow.', schema: EnrollAnswer },
        401: 'Bad or stale signature.',
        404: 'No such flow.',
        409: 'Not a webhook flow, not live, or not eligible.',
        422: 'Invalid payload.',
        503: 'Temporal unreachable.',
      },
    }),
    async (c) => {
      const flowId = c.req.param('flowId');
      const flow = await ctx.options.store.flows.get(flowId);
      if (!flow || flow.status === 'archived')
        return apiError(c, 404, 'flow_not_found', `There is no flow "${flowId}".`);
      const raw = await c.req.text();
      const signature = verifyWebhookSignature(flow.webhookSecret, raw, c.req.header(SIGNATURE_HEADER));
      if (!signature.ok) return apiError(c, 401, 'bad_signature', signature.reason);
      const json = parseJsonBody(c, raw);
      if (!json.ok) return json.response;
      const body = parseWithAddresses(ctx, WebhookBody, json.value);
      if (!body.ok) return apiError(c, 422, 'invalid_payload', 'The webhook body is not valid.', body.issues);
      const published = await ctx.options.store.flows.getVersion(flowId);
      const trigger = published && Object.values(published.plan.nodes).find((n) => n.type === 'trigger');
      if (published && (trigger?.type !== 'trigger' || trigger.trigger.kind !== 'webhook')) {
        return apiError(c, 409, 'not_a_webhook_flow', `Flow "${flowId}" is not started by a webhook.`);
      }
      const problems =
        trigger?.type === 'trigger' && trigger.trigger.kind === 'webhook'
          ? payloadProblems(trigger.trigger.payload, body.data.event)
          : [];
      if (problems.length > 0) return apiError(c, 422, 'invalid_payload', problems.join(' '), problems);
      const key = c.req.header('idempotency-key')?.trim();
      if (key !== undefined && (key.length === 0 || key.length > 200)) {
        return apiError(c, 400, 'invalid_idempotency_key', 'An Idempotency-Key is 1 to 200 characters.');
      }
      const { webhookAnswers } = ctx.options.store;
      if (key) {
        const seen = await webhookAnswers.find(flowId, key);
        if (seen) {
          c.header('idempotent-replayed', 'true');
          return c.json(seen.response as object, seen.status as 200);
        }
      }
      const answer = await ctx.enrollOrExplain(c, flowId, body.data.contact, body.data.event ?? {});
      // Final answers are kept; a 503 is not, so the sender's retry tries again.
      if (key && answer.status < 500) {
        await webhookAnswers.keep(flowId, key, answer.status, await answer.clone().json());
      }
      return answer;
    },
  );
}
