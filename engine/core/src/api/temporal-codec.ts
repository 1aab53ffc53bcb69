import { z } from 'zod';

/**
 * `POST /api/temporal-codec/decode` and `/encode`: Temporal's remote codec protocol, which the
 * Temporal UI and CLI speak. Payloads as in Temporal's JSON: metadata values and data in base64.
 */
const base64 = z.base64({ error: 'Base64 (standard, with padding). / Base64（标准字母表，带填充）。' });

export const CodecPayload = z.object({
  metadata: z.record(z.string(), base64).optional(),
  data: base64.optional(),
});
export type CodecPayload = z.infer<typeof CodecPayload>;

export const CodecPayloads = z.object({
  payloads: z
    .array(CodecPayload)
    .max(1000, { error: 'At most 1000 payloads a request. / 每个请求最多 1000 个载荷。' }),
});
export type CodecPayloads = z.infer<typeof CodecPayloads>;
