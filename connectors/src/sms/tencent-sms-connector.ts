import { createHash, createHmac } from 'node:crypto';
import { z } from 'zod';
import { configField } from '../connector';
import { msUntilLocalTime } from '../shared/local-time';
import { OptedOutError, ProviderSendError } from '../shared/provider-errors';
import { correlationId, failSend, jsonAnswer, providerRequests } from '../shared/provider-http';
import { tencentRepliesHandler, tencentStatusHandler } from './inbound';
import { defineTemplateSmsConnector, orderedTemplateParams, templateSmsConfigFields } from './templates';

/**
 * Tencent Cloud SMS, `SendSms` API 2021-01-11, signed with TC3-HMAC-SHA256.
 *
 * Docs: cloud.tencent.com/document/api/382/55981 (SendSms), /382/52072 (signature v3),
 * /382/59177 and /382/38780 (error codes). Results are per number (`SendStatusSet[].Code`); this
 * connector sends one number per call, so the one status is the result. Request-level failures come
 * back as HTTP 200 with `Response.Error`.
 *
 * Like Aliyun, Tencent has no idempotency key: a retry after a timeout may deliver twice.
 * `SessionContext` carries a hash of the idempotency key (echoed in receipts).
 */

const ACTION = 'SendSms';
const API_VERSION = '2021-01-11';
const CONTENT_TYPE = 'application/json; charset=utf-8';

/** Fields of the config that are credentials: encrypt them at rest, never log them. */
export const tencentSmsSecretFields = ['secretKey'] as const;

export const tencentSmsConfigSchema = z
  .object({
    secretId: z
      .string()
      .min(1)
      .meta(
        configField(
          ['SecretId', 'SecretId'],
          [
            'From the CAM console’s API keys (访问管理 > API密钥管理).',
            '在访问管理控制台的“API密钥管理”中查看。',
          ],
        ),
      ),
    secretKey: z
      .string()
      .min(1)
      .meta(
        configField(['SecretKey', 'SecretKey'], ['The API key’s SecretKey.', '该 API 密钥的 SecretKey。']),
      ),
    smsSdkAppId: z
      .string()
      .min(1)
      .meta(
        configField(
          ['SmsSdkAppId', 'SmsSdkAppId'],
          [
            'The SMS application’s SDK AppID (应用管理 > 应用列表), e.g. 1400006666.',
            '短信应用的 SDK AppID（在“应用管理 > 应用列表”中查看），例如 1400006666。',
          ],
        ),
      ),
    signName: z
      .string()
      .min(1)
      .meta(
        configField(
          ['Signature content', '签名内容'],
          [
            'The approved signature (domestic SMS), without 【】.',
            '已审核通过的签名内容（国内短信），不含【】。',
          ],
        ),
      ),
    region: z
      .string()
      .min(1)
      .default('ap-guangzhou')
      .meta(
        configField(
          ['Region', '地域'],
          ['The API region, e.g. ap-guangzhou.', 'API 所在地域，例如 ap-guangzhou。'],
        ),
      ),
    endpoint: z
      .url()
      .default('https://sms.tencentcloudapi.com')
      .meta(
        configField(
          ['Endpoint', '接入地址'],
          [
            'The SMS API endpoint; change it only for a proxy or tests.',
            '短信 API 接入地址；仅在使用代理或测试时修改。',
          ],
        ),
      ),
    ...templateSmsConfigFields,
    templateParamOrder: z
      .record(z.string(), z.array(z.string().min(1)))
      .default({})
      .meta(
        configField(
          ['Template parameter order', '模板参数顺序'],
          [
            'Per template ID, which variables fill {1}, {2}, … in order. Without an entry, numeric names go in numeric order, other names in their own order.',
            '按模板ID指定依次填入 {1}、{2}… 的变量。未指定时，数字变量按数字顺序，其他变量按原有顺序。',
          ],
        ),
      ),
  })
  .strict();
export type TencentSmsConfig = z.infer<typeof tencentSmsConfigSchema>;

// ---------------------------------------------------------------------------------------------
// TC3-HMAC-SHA256

const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

export interface Tc3Input {
  secretId: string;
  secretKey: string;
  /** The product in the credential scope (`sms`, `cvm`). */
  service: string;
  /** The Host header exactly as sent. */
  host: string;
  /** X-TC-Timestamp, seconds. */
  timestamp: number;
  /** The exact request body. */
  payload: string;
  contentType?: string;
}

export interface Tc3Signature {
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  authorization: string;
}

/** Signs a POST to `/` with the headers content-type and host, as in Tencent's signature v3 doc. */
export function tc3Sign(input: Tc3Input): Tc3Signature {
  const contentType = input.contentType ?? CONTENT_TYPE;
  const date = new Date(input.timestamp * 1000).toISOString().slice(0, 10);
  const signedHeaders = 'content-type;host';
  const canonicalRequest = [
    'POST',
    '/',
    '',
    `content-type:${contentType.toLowerCase()}\nhost:${input.host.toLowerCase()}\n`,
    signedHeaders,
    sha256Hex(input.payload),
  ].join('\n');
  const credentialScope = `${date}/${input.service}/tc3_request`;
  const stringToSign = [
    'TC3-HMAC-SHA256',
    String(input.timestamp),
    credentialScope,
    sha256Hex(canonicalRequest),
  ].join('\n');
  const secretDate = hmac(`TC3${input.secretKey}`, date);
  const secretService = hmac(secretDate, input.service);
  const secretSigning = hmac(secretService, 'tc3_request');
  const signature = createHmac('sha256', secretSigning).update(stringToSign, 'utf8').digest('hex');
  const authorization = `TC3-HMAC-SHA256 Credential=${input.secretId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return { canonicalRequest, stringToSign, signature, authorization };
}

// ---------------------------------------------------------------------------------------------
// Answers

interface TencentSendStatus {
  SerialNo?: string;
  PhoneNumber?: string;
  Code?: string;
  Message?: string;
}

interface TencentAnswer {
  Response?: {
    Error?: { Code?: string; Message?: string };
    SendStatusSet?: TencentSendStatus[];
    RequestId?: string;
  };
}

/**
 * Maps a Tencent error code (per-number `Code` or request-level `Error.Code`) to a `SendError`.
 * - rate-limited: LimitExceeded.PhoneNumberThirtySecondLimit (30 s), ...OneHourLimit (1 h),
 *   ...DailyLimit / ...SameContentDailyLimit / AppDailyLimit (until local midnight), other
 *   LimitExceeded.* (flowControlRetryMs), RequestLimitExceeded* (1 s),
 *   FailedOperation.MarketingSendTimeConstraint (until 08:00, Tencent's marketing hours).
 * - retryable: InternalError* (incl. InternalError.Timeout, "rare, retry") and HTTP 5xx.
 * - permanent + optedOut: FailedOperation.PhoneNumberInBlacklist (do-not-disturb list: usually the
 *   user unsubscribed).
 * - permanent: everything else (InvalidParameterValue.IncorrectPhoneNumber, template/signature not
 *   approved, balance, AuthFailure.*, UnauthorizedOperation.*, unknown codes).
 */
export function classifyTencentCode(
  code: string,
  message: string | undefined,
  config: Pick<TencentSmsConfig, 'flowControlRetryMs' | 'quotaTimeZone'>,
  now: Date = new Date(),
): ProviderSendError {
  const text = `Tencent SMS: ${code}${message ? ` (${message})` : ''}.`;
  const details = { providerCode: code };
  const rateLimited = (retryAfterMs: number) =>
    new ProviderSendError('rate-limited', text, { ...details, retryAfterMs });
  const untilLocal = (hhmm: string) => msUntilLocalTime(now, config.quotaTimeZone, hhmm) + 60_000;

  if (code === 'FailedOperation.PhoneNumberInBlacklist') return new OptedOutError(text, details);
  if (code === 'FailedOperation.MarketingSendTimeConstraint') return rateLimited(untilLocal('08:00'));
  if (code === 'LimitExceeded.PhoneNumberThirtySecondLimit') return rateLimited(30_000);
  if (code === 'LimitExceeded.PhoneNumberOneHourLimit') return rateLimited(60 * 60_000);
  if (code.startsWith('LimitExceeded.') && code.endsWith('DailyLimit'))
    return rateLimited(untilLocal('00:00'));
  if (code.startsWith('LimitExceeded')) return rateLimited(config.flowControlRetryMs);
  if (code.startsWith('RequestLimitExceeded')) return rateLimited(1000);
  if (code.startsWith('InternalError')) return new ProviderSendError('retryable', text, details);
  return new ProviderSendError('permanent', text, details);
}

// ---------------------------------------------------------------------------------------------

export const tencentSmsConnector = defineTemplateSmsConnector({
  name: 'tencent-sms',
  provider: 'Tencent SMS',
  description: {
    en: 'Tencent Cloud SMS (SendSms 2021-01-11): approved templates with positional parameters.',
    zh: '腾讯云短信（SendSms 2021-01-11）：发送审核通过的模板，按顺序填入参数。',
  },
  configSchema: tencentSmsConfigSchema,
  secretFields: tencentSmsSecretFields,
  inbound: [tencentRepliesHandler, tencentStatusHandler],
  sendTemplate: (config, context) => {
    const { post } = providerRequests(context.fetch, config.timeoutMs, 'Tencent SMS');
    const endpoint = new URL('/', config.endpoint);
    const url = endpoint.toString();
    return async (phone, template, idempotencyKey) => {
      const payload = JSON.stringify({
        PhoneNumberSet: [phone],
        SmsSdkAppId: config.smsSdkAppId,
        SignName: config.signName,
        TemplateId: template.id,
        TemplateParamSet: orderedTemplateParams(
          template.params,
          config.templateParamOrder[template.id],
          'Tencent SMS',
        ),
        SessionContext: correlationId(idempotencyKey),
      });
      const timestamp = Math.floor(Date.now() / 1000);
      const { authorization } = tc3Sign({
        secretId: config.secretId,
        secretKey: config.secretKey,
        service: 'sms',
        host: endpoint.host,
        timestamp,
        payload,
      });
      const answer = await post(
        url,
        {
          authorization,
          'content-type': CONTENT_TYPE,
          'x-tc-action': ACTION,
          'x-tc-version': API_VERSION,
          'x-tc-timestamp': String(timestamp),
          'x-tc-region': config.region,
        },
        payload,
      );
      const response = jsonAnswer<TencentAnswer>(answer, 'Tencent SMS').Response;
      const error = response?.Error;
      const result = response?.SendStatusSet?.[0];
      let failure: ProviderSendError | undefined;
      if (error?.Code) failure = classifyTencentCode(error.Code, error.Message, config);
      else if (!result?.Code)
        failure = new ProviderSendError(
          'retryable',
          `Tencent SMS: HTTP ${answer.status} without a send status.`,
        );
      else if (result.Code !== 'Ok') failure = classifyTencentCode(result.Code, result.Message, config);
      if (failure) failSend(context.log, 'tencent-sms', failure, { requestId: response?.RequestId });
      return { status: 'sent', providerMessageId: result?.SerialNo };
    };
  },
});
