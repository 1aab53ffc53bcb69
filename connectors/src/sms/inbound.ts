import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  type InboundContext,
  type InboundFact,
  type InboundHandler,
  InboundRefusal,
  type InboundRequest,
  type ReportedMessageStatus,
} from '../inbound';
import { parseTwilioForm, type TwilioParams, verifyTwilioSignature } from './twilio-signature';

/** An SMS reply: where it came from and what it said. */
type SmsReply = Pick<Extract<InboundFact, { kind: 'reply' }>, 'id' | 'from' | 'text'>;

/**
 * What a provider pushes as JSON to a URL that carries its key (Aliyun and Tencent sign nothing):
 * the body checked with the provider's schema, answered as the provider documents, read as facts.
 */
function urlKeyPush<T>(spec: {
  path: string;
  label: string;
  summary: string;
  responses: InboundHandler['responses'];
  payload: z.ZodType<T>;
  /** Why a body that does not match the schema is refused. */
  refusal: string;
  /** The acknowledgement the provider expects. */
  answer: Record<string, unknown>;
  facts(payload: T): InboundFact[];
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
        facts: spec.facts(payload.data),
      };
    },
  };
}

/**
 * SMS replies pushed to a keyed URL, each a reply fact. Neither Aliyun nor Tencent lifts its own
 * block on an opt-in word, so neither do we.
 */
function urlKeyReplies<T>(
  spec: Omit<Parameters<typeof urlKeyPush<T>>[0], 'facts'> & { replies(payload: T): SmsReply[] },
): InboundHandler {
  return urlKeyPush({
    ...spec,
    facts: (payload) =>
      spec
        .replies(payload)
        .map((reply) => ({ kind: 'reply' as const, ...reply, channel: 'sms', honoursOptIn: false })),
  });
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

/**
 * A Twilio webhook's form, once its X-Twilio-Signature is checked against the route's auth token
 * over the public URL Twilio was given (not what a proxy forwards to us).
 */
async function verifiedTwilioForm(request: InboundRequest, context: InboundContext): Promise<TwilioParams> {
  const authToken = await context.routeSecret('authToken');
  if (!authToken) throw new InboundRefusal(404, 'not_configured', 'No Twilio SMS route is configured.');
  const params = parseTwilioForm(await request.text());
  if (
    !verifyTwilioSignature(authToken, request.publicUrl, params, request.header('x-twilio-signature') ?? '')
  )
    throw new InboundRefusal(401, 'bad_signature', 'The Twilio signature does not match.');
  return params;
}

const formField = (params: TwilioParams, name: string) => {
  const value = params[name];
  return typeof value === 'string' ? value : (value?.[0] ?? '');
};

/** Twilio inbound SMS, signed by Twilio with the account's auth token. */
export const twilioInboundHandler: InboundHandler = {
  path: 'twilio',
  methods: ['POST'],
  summary: 'Twilio inbound SMS (signed by Twilio)',
  auth: { kind: 'signed' },
  responses: { 200: 'TwiML.', 401: 'Bad signature.', 404: 'Not configured.' },
  bodyMedia: 'application/x-www-form-urlencoded',
  async handle(request, context) {
    const params = await verifiedTwilioForm(request, context);
    return {
      status: 200,
      body: '<Response/>',
      contentType: 'text/xml',
      facts: [
        {
          kind: 'reply',
          id: `twilio:${formField(params, 'MessageSid')}`,
          channel: 'sms',
          from: [formField(params, 'From')],
          text: formField(params, 'Body'),
          // Twilio lifts its own block on START / UNSTOP / YES; so do we.
          honoursOptIn: true,
        },
      ],
    };
  },
};

/**
 * Twilio's `MessageStatus` values that say something new about a message (queued, accepted,
 * scheduled and sending come before or with its acceptance, which the send recorded).
 */
const TWILIO_STATUSES: Readonly<Record<string, ReportedMessageStatus>> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  undelivered: 'failed',
  failed: 'failed',
  canceled: 'failed',
};

/**
 * Twilio's StatusCallback (the connector's `statusCallbackUrl`), signed like every Twilio webhook:
 * `MessageSid` and `MessageStatus`, with `ErrorCode` on a failure (30003 unreachable, 30005 unknown
 * number, 30007 carrier filtering, …). Docs: twilio.com/docs/messaging/guides/track-outbound-message-status.
 */
export const twilioStatusHandler: InboundHandler = {
  path: 'twilio/status',
  methods: ['POST'],
  summary: 'Twilio message status callbacks (StatusCallback, signed by Twilio)',
  auth: { kind: 'signed' },
  responses: {
    200: 'Taken (also for a message sopflow did not send).',
    401: 'Bad signature.',
    404: 'Not configured.',
  },
  bodyMedia: 'application/x-www-form-urlencoded',
  async handle(request, context) {
    const params = await verifiedTwilioForm(request, context);
    const sid = formField(params, 'MessageSid');
    const status = TWILIO_STATUSES[formField(params, 'MessageStatus')];
    if (!sid) throw new InboundRefusal(400, 'invalid_payload', 'MessageSid is required.');
    const code = formField(params, 'ErrorCode');
    return {
      status: 200,
      body: '',
      facts: status
        ? [{ kind: 'message-status', providerMessageId: sid, status, ...(code ? { code } : {}) }]
        : [],
    };
  },
};

/** Aliyun and Tencent give report times as Beijing time without a zone: epoch ms, or none when unreadable. */
function beijingTime(text: string | undefined): number | undefined {
  if (!text || !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text)) return undefined;
  const ms = Date.parse(`${text.replace(' ', 'T')}+08:00`);
  return Number.isFinite(ms) ? ms : undefined;
}

/** An SMS delivery report as a fact: delivered, or failed with the provider's code and words. */
function smsReport(
  providerMessageId: string,
  delivered: boolean,
  time: string | undefined,
  code: string | undefined,
  detail: string | undefined,
): InboundFact {
  const at = beijingTime(time);
  return {
    kind: 'message-status',
    providerMessageId,
    status: delivered ? 'delivered' : 'failed',
    ...(at === undefined ? {} : { at }),
    ...(code ? { code } : {}),
    ...(detail ? { detail } : {}),
  };
}

/** Aliyun's SmsReport HTTP batch push: a JSON array of delivery reports. */
const AliyunReports = z
  .array(
    z.object({
      phone_number: z.string().max(32).optional(),
      send_time: z.string().optional(),
      report_time: z.string().optional(),
      success: z.boolean(),
      err_code: z.string().max(64).optional(),
      err_msg: z.string().max(500).optional(),
      sms_size: z.string().optional(),
      biz_id: z.string().min(1).max(64),
      out_id: z.string().max(256).optional(),
    }),
  )
  .max(1000);

/**
 * Aliyun SMS delivery reports (SmsReport, HTTP batch push; Aliyun does not sign), by the `BizId` the
 * send returned: `success` true is delivered, false failed with `err_code`. Docs:
 * help.aliyun.com/document_detail/101867.
 */
export const aliyunReportsHandler: InboundHandler = urlKeyPush({
  path: 'aliyun-sms-report/:key',
  label: 'aliyunReports',
  summary: 'Aliyun SMS delivery reports (SmsReport, HTTP batch push)',
  responses: { 200: '{ code: 0, msg }', 400: 'Not a batch of reports.', 404: 'Unknown key.' },
  payload: AliyunReports,
  refusal: 'Not an Aliyun SmsReport batch.',
  answer: { code: 0, msg: '接收成功' },
  facts: (batch) => batch.map((r) => smsReport(r.biz_id, r.success, r.report_time, r.err_code, r.err_msg)),
});

/** Tencent's status callback: a JSON array of reports. */
const TencentReports = z
  .array(
    z.object({
      user_receive_time: z.string().optional(),
      nationcode: z.string().max(8).optional(),
      mobile: z.string().max(32).optional(),
      report_status: z.enum(['SUCCESS', 'FAIL']),
      errmsg: z.string().max(64).optional(),
      description: z.string().max(500).optional(),
      sid: z.string().min(1).max(128),
    }),
  )
  .max(1000);

/**
 * Tencent Cloud SMS status callbacks (短信下发状态通知; Tencent does not sign), by the `SerialNo`
 * the send returned (`sid`): `report_status` SUCCESS is delivered, FAIL failed with `errmsg`.
 * Docs: cloud.tencent.com/document/product/382/5807.
 */
export const tencentStatusHandler: InboundHandler = urlKeyPush({
  path: 'tencent-sms-status/:key',
  label: 'tencentReports',
  summary: 'Tencent Cloud SMS status callbacks (短信下发状态通知)',
  responses: { 200: '{ result: 0, errmsg }', 400: 'Not a batch of reports.', 404: 'Unknown key.' },
  payload: TencentReports,
  refusal: 'Not a Tencent SMS status callback.',
  answer: { result: 0, errmsg: 'OK' },
  facts: (batch) =>
    batch.map((r) =>
      smsReport(r.sid, r.report_status === 'SUCCESS', r.user_receive_time, r.errmsg, r.description),
    ),
});
