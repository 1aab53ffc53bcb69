import { createHash } from 'node:crypto';
import { z } from 'zod';
import { type InboundFact, type InboundHandler, InboundRefusal } from '../inbound';
import { parseTwilioForm, verifyTwilioSignature } from './twilio-signature';

/** An SMS reply: where it came from and what it said. */
type SmsReply = Pick<Extract<InboundFact, { kind: 'reply' }>, 'id' | 'from' | 'text'>;

/**
 * Replies a provider pushes as JSON to a URL that carries its key (Aliyun and Tencent sign
 * nothing): the body checked with the provider's schema, answered as the provider documents, each
 * reply a fact. Neither provider lifts its own block on an opt-in word, so neither do we.
 */
function urlKeyReplies<T>(spec: {
  path: string;
  label: string;
  summary: string;
  responses: InboundHandler['responses'];
  payload: z.ZodType<T>;
  /** Why a body that does not match the schema is refused. */
  refusal: string;
  /** The acknowledgement the provider expects. */
  answer: Record<string, unknown>;
  replies(payload: T): SmsReply[];
}): InboundHandler {
  return {
    path: spec.path,
    methods: ['POST'],
    summary: spec.summary,
    auth: { kind: 'url-key', label: spec.label },
    responses: spec.responses,
    async handle(request) {
      const payload = spec.payload.safeParse(await request.json());
      if (!payload.success) throw InboundRefusal.invalidPayload(spec.refusal, payload.error);
      return {
        status: 200,
        body: JSON.stringify(spec.answer),
        contentType: 'application/json',
        facts: spec
          .replies(payload.data)
          .map((reply) => ({ kind: 'reply' as const, ...reply, channel: 'sms', honoursOptIn: false })),
      };
    },
  };
}

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

/** Aliyun SMS replies (上行短信), pushed in batches to a URL that carries its key (Aliyun does not sign). */
export const aliyunRepliesHandler: InboundHandler = urlKeyReplies({
  path: 'aliyun-sms/:key',
  label: 'aliyun',
  summary: 'Aliyun SMS replies (上行短信, HTTP batch push)',
  responses: { 200: '{ code: 0, msg }', 400: 'Not a batch of replies.', 404: 'Unknown key.' },
  payload: AliyunReplies,
  refusal: 'Not an Aliyun SmsUp batch.',
  answer: { code: 0, msg: '接收成功' },
  replies: (batch) =>
    batch.map((reply) => ({
      id: `aliyun-sms:${reply.sequence_id}`,
      // Aliyun gives mainland numbers without their country code.
      from: [reply.phone_number, `+86${reply.phone_number}`],
      text: reply.content,
    })),
});

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

/** Tencent Cloud SMS replies (短信回复), to a URL that carries its key (Tencent does not sign). */
export const tencentRepliesHandler: InboundHandler = urlKeyReplies({
  path: 'tencent-sms/:key',
  label: 'tencent',
  summary: 'Tencent Cloud SMS replies (短信回复 callback)',
  responses: { 200: '{ result: 0, errmsg }', 400: 'Not a reply.', 404: 'Unknown key.' },
  payload: TencentReplies,
  refusal: 'Not a Tencent SMS reply.',
  answer: { result: 0, errmsg: 'OK' },
  replies: (payload) =>
    (Array.isArray(payload) ? payload : [payload]).map((reply) => {
      // Tencent's reply carries no id of its own: the sender, the time and the text make one.
      const digest = createHash('sha256').update(reply.text).digest('hex').slice(0, 16);
      return {
        id: `tencent-sms:${reply.nationcode}:${reply.mobile}:${reply.time}:${digest}`,
        from: [`+${reply.nationcode}${reply.mobile}`, reply.mobile],
        text: reply.text,
      };
    }),
});

/** Twilio inbound SMS, signed by Twilio with the account's auth token. */
export const twilioInboundHandler: InboundHandler = {
  path: 'twilio',
  methods: ['POST'],
  summary: 'Twilio inbound SMS (signed by Twilio)',
  auth: { kind: 'signed' },
  responses: { 200: 'TwiML.', 401: 'Bad signature.', 404: 'Not configured.' },
  bodyMedia: 'application/x-www-form-urlencoded',
  async handle(request, context) {
    const authToken = await context.routeSecret('authToken');
    if (!authToken) throw new InboundRefusal(404, 'not_configured', 'No Twilio SMS route is configured.');
    const params = parseTwilioForm(await request.text());
    // Twilio signs the URL it was given, which is the public one, not what a proxy forwards to us.
    if (
      !verifyTwilioSignature(authToken, request.publicUrl, params, request.header('x-twilio-signature') ?? '')
    )
      throw new InboundRefusal(401, 'bad_signature', 'The Twilio signature does not match.');
    return {
      status: 200,
      body: '<Response/>',
      contentType: 'text/xml',
      facts: [
        {
          kind: 'reply',
          id: `twilio:${String(params.MessageSid ?? '')}`,
          channel: 'sms',
          from: [String(params.From ?? '')],
          text: String(params.Body ?? ''),
          // Twilio lifts its own block on START / UNSTOP / YES; so do we.
          honoursOptIn: true,
        },
      ],
    };
  },
};
