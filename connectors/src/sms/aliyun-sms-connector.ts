import { createHmac, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { configField } from '../connector';
import { msUntilLocalTime } from '../shared/local-time';
import { OptedOutError, ProviderSendError } from '../shared/provider-errors';
import { correlationId, failSend, jsonAnswer, providerRequests } from '../shared/provider-http';
import { aliyunRepliesHandler, aliyunReportsHandler } from './inbound';
import { defineTemplateSmsConnector, templateSmsConfigFields } from './templates';

/**
 * Aliyun (Alibaba Cloud) SMS, Dysmsapi `SendSms` (API version 2017-05-25), signed with the RPC
 * signature v1 (HMAC-SHA1 over the canonicalized parameters).
 *
 * Docs: help.aliyun.com/document_detail/55284 (SendSms), /28839 (signature), /101346 (error codes).
 * Aliyun sends approved templates only: the flow's `message.template` (TemplateCode + rendered
 * params); the marketing opt-out line ("拒收请回复R") belongs in the approved template itself.
 *
 * Aliyun has no idempotency for SendSms. The runtime calls `send` once per attempt; after a timeout
 * the retry may deliver a second copy. `OutId` carries a hash of the idempotency key so receipts and
 * the console can be matched to the delivery.
 */

const API_VERSION = '2017-05-25';

/** Fields of the config that are credentials: encrypt them at rest, never log them. */
export const aliyunSmsSecretFields = ['accessKeySecret'] as const;

export const aliyunSmsConfigSchema = z
  .object({
    accessKeyId: z
      .string()
      .min(1)
      .meta(
        configField(
          ['AccessKey ID', 'AccessKey ID'],
          [
            'The AccessKey ID of a RAM user with AliyunDysmsFullAccess (or SendSms only).',
            '拥有 AliyunDysmsFullAccess（或仅 SendSms）权限的 RAM 用户的 AccessKey ID。',
          ],
        ),
      ),
    accessKeySecret: z
      .string()
      .min(1)
      .meta(
        configField(
          ['AccessKey Secret', 'AccessKey Secret'],
          [
            'The secret of that AccessKey, shown once when it is made.',
            '该 AccessKey 的 Secret，仅在创建时显示一次。',
          ],
        ),
      ),
    signName: z
      .string()
      .min(1)
      .meta(
        configField(
          ['Signature', '短信签名'],
          [
            'The approved signature name, shown as 【signature】 in front of every message.',
            '已审核通过的签名名称，显示在每条短信开头的【】中。',
          ],
        ),
      ),
    endpoint: z
      .url()
      .default('https://dysmsapi.aliyuncs.com')
      .meta(
        configField(
          ['Endpoint', '服务接入点'],
          [
            'The SMS API endpoint; change it only for a proxy or tests.',
            '短信 API 接入地址；仅在使用代理或测试时修改。',
          ],
        ),
      ),
    regionId: z
      .string()
      .min(1)
      .default('cn-hangzhou')
      .meta(
        configField(
          ['Region ID', '地域ID'],
          ['The API region, e.g. cn-hangzhou.', 'API 所在地域，例如 cn-hangzhou。'],
        ),
      ),
    ...templateSmsConfigFields,
    optOutCodes: z
      .array(z.string().min(1))
      .default([])
      .meta(
        configField(
          ['Unsubscribed codes', '退订错误码'],
          [
            'Extra response codes that mean the recipient unsubscribed (isv.CUSTOMER_REFUSED is built in).',
            '表示收件人已退订的其他返回码（已内置 isv.CUSTOMER_REFUSED）。',
          ],
        ),
      ),
  })
  .strict();
export type AliyunSmsConfig = z.infer<typeof aliyunSmsConfigSchema>;

// ---------------------------------------------------------------------------------------------
// RPC signature v1

/**
 * Aliyun's percent-encoding: UTF-8, every byte except A–Z a–z 0–9 `-` `_` `.` `~` becomes %XY
 * (upper-case hex); so a space is %20 (not +), `*` is %2A and `~` stays as it is.
 */
export function aliyunPercentEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const unreserved =
      (byte >= 0x41 && byte <= 0x5a) ||
      (byte >= 0x61 && byte <= 0x7a) ||
      (byte >= 0x30 && byte <= 0x39) ||
      byte === 0x2d ||
      byte === 0x5f ||
      byte === 0x2e ||
      byte === 0x7e;
    out += unreserved ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The parameters sorted by name (without `Signature`), encoded and joined as `k=v&k=v`. */
export function aliyunCanonicalizedQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((key) => key !== 'Signature')
    .sort()
    .map((key) => `${aliyunPercentEncode(key)}=${aliyunPercentEncode(params[key] ?? '')}`)
    .join('&');
}

/** `METHOD&%2F&percentEncode(canonicalizedQuery)`. */
export function aliyunStringToSign(method: string, params: Record<string, string>): string {
  return `${method.toUpperCase()}&${aliyunPercentEncode('/')}&${aliyunPercentEncode(aliyunCanonicalizedQuery(params))}`;
}

/** `Base64(HMAC-SHA1(secret + "&", stringToSign))`. */
export function aliyunRpcSignature(
  method: string,
  params: Record<string, string>,
  accessKeySecret: string,
): string {
  return createHmac('sha1', `${accessKeySecret}&`)
    .update(aliyunStringToSign(method, params), 'utf8')
    .digest('base64');
}

/** ISO 8601 UTC without milliseconds, as Aliyun wants it: 2024-01-02T03:04:05Z. */
export function aliyunTimestamp(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The signed form body of a SendSms call. */
export function buildAliyunSendSmsForm(
  config: Pick<AliyunSmsConfig, 'accessKeyId' | 'accessKeySecret' | 'regionId' | 'signName'>,
  input: { phone: string; templateCode: string; templateParams: Record<string, string>; outId?: string },
  now: Date = new Date(),
  nonce: string = randomUUID(),
): string {
  const params: Record<string, string> = {
    AccessKeyId: config.accessKeyId,
    Action: 'SendSms',
    Format: 'JSON',
    PhoneNumbers: input.phone,
    RegionId: config.regionId,
    SignName: config.signName,
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: nonce,
    SignatureVersion: '1.0',
    TemplateCode: input.templateCode,
    Timestamp: aliyunTimestamp(now),
    Version: API_VERSION,
  };
  if (Object.keys(input.templateParams).length > 0)
    params.TemplateParam = JSON.stringify(input.templateParams);
  if (input.outId) params.OutId = input.outId;
  const signature = aliyunRpcSignature('POST', params, config.accessKeySecret);
  return `${aliyunCanonicalizedQuery(params)}&Signature=${aliyunPercentEncode(signature)}`;
}

// ---------------------------------------------------------------------------------------------
// Answers

interface AliyunAnswer {
  Code?: string;
  Message?: string;
  BizId?: string;
  RequestId?: string;
}

/** Built-in "recipient unsubscribed" codes: isv.CUSTOMER_REFUSED = 该手机用户已退订推广短信. */
export const ALIYUN_OPT_OUT_CODES: readonly string[] = ['isv.CUSTOMER_REFUSED'];

/**
 * Maps a non-OK answer to a `SendError`.
 * - rate-limited: isv.BUSINESS_LIMIT_CONTROL (per-number flow control), isv.DAY_LIMIT_CONTROL (until
 *   the daily quota resets at local midnight).
 * - retryable: HTTP 5xx, Throttling*, ServiceUnavailable, InternalError, isp.* (system errors).
 * - permanent: everything else: bad number, template/signature/params, balance
 *   (isv.AMOUNT_NOT_ENOUGH, isv.OUT_OF_SERVICE), keyword blacklist (isv.BLACK_KEY_CONTROL_LIMIT),
 *   the monthly quota, credentials and signature errors (SignatureDoesNotMatch, InvalidAccessKeyId.*).
 * - permanent + optedOut: isv.CUSTOMER_REFUSED and any configured `optOutCodes`.
 */
export function classifyAliyunError(
  status: number,
  answer: AliyunAnswer,
  config: Pick<AliyunSmsConfig, 'optOutCodes' | 'flowControlRetryMs' | 'quotaTimeZone'>,
  now: Date = new Date(),
): ProviderSendError {
  const code = answer.Code ?? `HTTP ${status}`;
  const text = `Aliyun SMS: ${code}${answer.Message ? ` (${answer.Message})` : ''}.`;
  const details = { providerCode: code };
  if (ALIYUN_OPT_OUT_CODES.includes(code) || config.optOutCodes.includes(code))
    return new OptedOutError(text, details);
  if (code === 'isv.BUSINESS_LIMIT_CONTROL')
    return new ProviderSendError('rate-limited', text, {
      ...details,
      retryAfterMs: config.flowControlRetryMs,
    });
  if (code === 'isv.DAY_LIMIT_CONTROL')
    return new ProviderSendError('rate-limited', text, {
      ...details,
      retryAfterMs: msUntilLocalTime(now, config.quotaTimeZone, '00:00') + 60_000,
    });
  if (
    status >= 500 ||
    code.startsWith('Throttling') ||
    code.startsWith('ServiceUnavailable') ||
    code.startsWith('InternalError') ||
    code.startsWith('isp.')
  )
    return new ProviderSendError('retryable', text, details);
  return new ProviderSendError('permanent', text, details);
}

// ---------------------------------------------------------------------------------------------

export const aliyunSmsConnector = defineTemplateSmsConnector({
  name: 'aliyun-sms',
  provider: 'Aliyun SMS',
  description: {
    en: 'Aliyun SMS (Dysmsapi SendSms): approved templates with rendered parameters.',
    zh: '阿里云短信（Dysmsapi SendSms）：发送审核通过的模板，填入渲染后的参数。',
  },
  configSchema: aliyunSmsConfigSchema,
  secretFields: aliyunSmsSecretFields,
  inbound: [aliyunRepliesHandler, aliyunReportsHandler],
  sendTemplate: (config, context) => {
    const { post } = providerRequests(context.fetch, config.timeoutMs, 'Aliyun SMS');
    const url = new URL('/', config.endpoint).toString();
    return async (phone, template, idempotencyKey) => {
      const body = buildAliyunSendSmsForm(config, {
        phone,
        templateCode: template.id,
        templateParams: template.params,
        outId: correlationId(idempotencyKey),
      });
      const answer = await post(url, { 'content-type': 'application/x-www-form-urlencoded' }, body);
      const parsed = jsonAnswer<AliyunAnswer>(answer, 'Aliyun SMS', { codesIn5xx: true });
      if (answer.status === 200 && parsed.Code === 'OK')
        return { status: 'sent', providerMessageId: parsed.BizId };
      return failSend(context.log, 'aliyun-sms', classifyAliyunError(answer.status, parsed, config), {
        requestId: parsed.RequestId,
      });
    };
  },
});
