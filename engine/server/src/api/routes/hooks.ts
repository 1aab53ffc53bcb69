import { createHash } from 'node:crypto';
import { payloadProblems } from '@sopflow/core';
import { EnrollAnswer, EnrollBody, WebhookTestAnswer } from '@sopflow/core/api';
import type { Hono } from 'hono';
import { stringify } from 'safe-stable-stringify';
import {
  SIGNATURE_HEADER,
  SIGNATURE_TOLERANCE_SECONDS,
  signWebhook,
  verifyWebhookSignature,
} from '../../webhook-signature';
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
          description:
            'Enrolled. With an Idempotency-Key header, a repeat gets the first final answer again (422 when the key comes with another body).',
          schema: EnrollAnswer,
        },
        200: { description: 'Already in the flow.', schema: EnrollAnswer },
        401: 'Bad or stale signature.',
        404: 'No such flow.',
        409: 'Not a webhook flow, not live, not eligible, or a signed delivery taken before (replayed).',
        422: 'Invalid payload, or an Idempotency-Key reused with another body.',
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
      if (problems.length > 0)
        return apiError(c, 422, 'invalid_payload', problems.map((p) => p.message).join(' '), problems);
      const key = c.req.header('idempotency-key')?.trim();
      if (key !== undefined && (key.length === 0 || key.length > 200)) {
        return apiError(c, 400, 'invalid_idempotency_key', 'An Idempotency-Key is 1 to 200 characters.');
      }
      const { webhookAnswers } = ctx.options.store;
      // What the delivery asks for, whatever order the sender wrote its keys in; only a key needs it.
      const bodyHash = key
        ? createHash('sha256')
            .update(stringify(json.value) ?? '')
            .digest('hex')
        : undefined;
      if (key) {
        const seen = await webhookAnswers.find(flowId, key);
        if (seen?.bodyHash && seen.bodyHash !== bodyHash)
          return apiError(
            c,
            422,
            'idempotency_key_reused',
            `The Idempotency-Key "${key}" was used before for a different body; use a new key for a new delivery.`,
          );
        if (seen) {
          c.header('idempotent-replayed', 'true');
          return c.json(seen.response as object, seen.status as 200);
        }
      }
      // A captured delivery replayed within the signing tolerance carries a signature seen before.
      if (!(await webhookAnswers.firstSighting(flowId, signature.signature, 2 * SIGNATURE_TOLERANCE_SECONDS)))
        return apiError(
          c,
          409,
          'duplicate_delivery',
          'This signed delivery was taken before; it enrolls nobody again. Sign each new delivery anew; ' +
            'retry with an Idempotency-Key to get the first answer.',
        );
      let final = false;
      try {
        const answer = await ctx.enrollOrExplain(c, flowId, body.data.contact, body.data.event ?? {});
        const response = (await answer.clone().json()) as { status?: string };
        // Only final answers are kept: enrolled, already in the flow, or not eligible. A paused or
        // unpublished flow (409) or an unreachable Temporal (503) may answer otherwise on a retry.
        final = answer.status < 300 || response.status === 'not-eligible';
        if (key && bodyHash && final)
          await webhookAnswers.keep(flowId, key, { status: answer.status, response, bodyHash });
        return answer;
      } finally {
        // Without a final answer the sender retries, perhaps with this very signature: let it in.
        if (!final) await webhookAnswers.forgetSighting(flowId, signature.signature).catch(() => undefined);
      }
    },
  );

  const lastTestSignedAt = new Map<string, number>();
  app.post(
    '/api/flows/:id/webhook/test',
    doc({
      summary: "Send a test delivery to the flow's webhook, signed with its secret",
      description:
        "The builder's test button: the server signs the body as a sender would and posts it to " +
        '`/api/hooks/{id}`, so the answer is what a real sender gets (the flow must be live to enroll).',
      tags: ['webhooks'],
      access: 'operator',
      body: EnrollBody,
      responses: {
        200: { description: "The webhook's status and answer.", schema: WebhookTestAnswer },
        404: 'No such flow.',
        422: 'Invalid body.',
      },
    }),
    async (c) => {
      const flowId = c.req.param('id');
      const flow = await ctx.options.store.flows.get(flowId);
      if (!flow || flow.status === 'archived')
        return apiError(c, 404, 'flow_not_found', `There is no flow "${flowId}".`);
      const raw = await c.req.text();
      const json = parseJsonBody(c, raw);
      if (!json.ok) return json.response;
      const body = parseWithAddresses(ctx, WebhookBody, json.value);
      if (!body.ok) return apiError(c, 422, 'invalid_payload', 'The test body is not valid.', body.issues);
      // Each test is a delivery of its own: the same body signed in the same second would carry the
      // same signature, which the webhook refuses as a replay, so a quick second test signs a second on.
      const signedAt = Math.max(Math.floor(Date.now() / 1000), (lastTestSignedAt.get(flowId) ?? 0) + 1);
      lastTestSignedAt.set(flowId, signedAt);
      // The delivery goes through the webhook route itself: signature, checks and enrollment as a sender's.
      const delivered = await app.request(`/api/hooks/${encodeURIComponent(flowId)}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signWebhook(flow.webhookSecret, raw, signedAt),
        },
        body: raw,
      });
      const text = await delivered.text();
      let answer: unknown = text;
      try {
        answer = JSON.parse(text);
      } catch {
        // Not JSON: handed on as the text it is.
      }
      return c.json({ status: delivered.status, answer });
    },
  );
}
