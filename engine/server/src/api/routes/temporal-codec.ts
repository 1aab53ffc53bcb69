import { type CodecPayload, CodecPayloads } from '@sopflow/core/api';
import type { Payload } from '@temporalio/common';
import type { Hono, MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { UnknownPayloadKeyError } from '../../temporal/payload-encryption';
import { doc } from '../docs';
import { type ApiContext, apiError, checkBody } from '../http';

/**
 * Temporal's remote codec endpoint (docs/privacy-encryption.md): the Temporal UI posts a page's
 * encrypted payloads here and shows what comes back. Any logged-in user may decode (viewers read
 * the same contacts through the API); the UI calls it cross-origin with the session cookie, so
 * the UI's origin alone gets CORS with credentials, and these side-effect-free POSTs need no CSRF token.
 */

export const CODEC_PATH = '/api/temporal-codec';

const toPayload = (p: CodecPayload): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]),
  ),
  data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
});

const base64 = (bytes: Uint8Array | null | undefined) =>
  Buffer.from(bytes ?? new Uint8Array()).toString('base64');

const toJson = (p: Payload): CodecPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, base64(v)])),
  data: base64(p.data),
});

/** CORS for the Temporal UI's origin, credentials included, answering its preflight before auth. */
export function temporalCodecCors(temporalUiUrl: string): MiddlewareHandler {
  return cors({
    origin: new URL(temporalUiUrl).origin,
    credentials: true,
    allowMethods: ['POST', 'OPTIONS'],
    allowHeaders: ['content-type', 'x-namespace', 'authorization'],
    maxAge: 600,
  });
}

export function registerTemporalCodecRoutes(app: Hono, ctx: ApiContext): void {
  const codec = ctx.options.payloadCodec;
  for (const direction of ['decode', 'encode'] as const) {
    app.post(
      `${CODEC_PATH}/${direction}`,
      doc({
        summary:
          direction === 'decode'
            ? "Decrypt Temporal payloads (the Temporal UI's codec server)"
            : 'Encrypt Temporal payloads with the current key',
        description:
          "Temporal's remote codec protocol: `{ payloads: [{ metadata: { k: base64 }, data: base64 }] }` in and out. " +
          'Payloads not encrypted by sopflow pass unchanged. With the session cookie, no CSRF token is needed: it changes nothing.',
        tags: ['temporal'],
        access: 'viewer',
        sideEffectFree: true,
        body: CodecPayloads,
        responses: {
          200: { description: 'The payloads, in order.', schema: CodecPayloads },
          422: 'Bad payloads, or a payload encrypted with a key that is not configured (`unknown_payload_key`).',
        },
      }),
      async (c) => {
        const body = await checkBody(c, CodecPayloads, 'The body is { payloads: [...] } with base64 fields.');
        if (!body.ok) return body.response;
        try {
          const payloads = await codec[direction](body.data.payloads.map(toPayload));
          return c.json({ payloads: payloads.map(toJson) });
        } catch (error) {
          if (error instanceof UnknownPayloadKeyError)
            return apiError(c, 422, 'unknown_payload_key', error.message, { keyId: error.keyId });
          if (direction === 'decode' && error instanceof Error)
            return apiError(c, 422, 'undecodable_payload', error.message);
          throw error;
        }
      },
    );
  }
}
