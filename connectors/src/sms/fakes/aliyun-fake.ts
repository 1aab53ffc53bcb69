import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { type FakeRequest, type FakeResponse, startFakeServer } from '../../shared/fake-http-server';

/**
 * A fake Dysmsapi endpoint implementing SendSms's documented contract, including its own,
 * independent check of the RPC v1 signature (encodeURIComponent-based encoding, not the connector's
 * byte-level encoder), so a wrong signing implementation fails the tests.
 *
 * Gateway errors answer like Aliyun's gateway (HTTP 4xx with Code/Message/RequestId); business
 * results answer HTTP 200 with Code "OK" or an isv.* / isp.* code.
 */

export interface FakeAliyunOptions {
  accessKeyId: string;
  accessKeySecret: string;
  /** Accepted signature names. Default: any. */
  signNames?: string[];
}

export interface FakeAliyunSend {
  phone: string;
  signName: string;
  templateCode: string;
  templateParam: Record<string, string>;
  outId?: string;
  bizId: string;
}

export interface FakeAliyun {
  url: string;
  /** Accepted sends, in order. */
  sent: FakeAliyunSend[];
  /** Every request that reached the fake, with the verdict. */
  log: { params: Record<string, string>; code: string }[];
  /** Answer sends to this phone with a business code (e.g. isv.BUSINESS_LIMIT_CONTROL) or a raw reply. */
  script(phone: string, reply: string | FakeResponse): void;
  /**
   * Pushes a delivery report of a send to `url` as SmsReport's HTTP batch push does (a JSON array,
   * unsigned); resolves with the receiver's answer.
   */
  pushReport(
    url: string,
    bizId: string,
    outcome: FakeAliyunOutcome,
  ): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

/** What became of a send, as a report says it: received, or not with Aliyun's code. */
export type FakeAliyunOutcome = { success: true } | { success: false; errCode: string; errMsg: string };

/** Beijing time as Aliyun and Tencent write it: `2026-12-07 10:00:00`. */
export function beijingClock(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** Posts a JSON body as the SMS providers' pushes do; resolves with the answer. */
export async function postJsonPush(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: the text as it came.
  }
  return { status: response.status, body: parsed };
}

/** Aliyun's encoding built the other way round: encodeURIComponent, then the RFC 3986 extras. */
function encode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function expectedSignature(method: string, params: Record<string, string>, secret: string): string {
  const canonical = Object.entries(params)
    .filter(([key]) => key !== 'Signature')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${encode(key)}=${encode(value)}`)
    .join('&');
  const stringToSign = `${method}&${encode('/')}&${encode(canonical)}`;
  return createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
}

function paramsOf(req: FakeRequest): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of req.url.searchParams) params[key] = value;
  if (req.method === 'POST' && req.body)
    for (const [key, value] of new URLSearchParams(req.body)) params[key] = value;
  return params;
}

export async function startFakeAliyun(options: FakeAliyunOptions): Promise<FakeAliyun> {
  const sent: FakeAliyunSend[] = [];
  const log: FakeAliyun['log'] = [];
  const scripts = new Map<string, string | FakeResponse>();
  const nonces = new Set<string>();

  const gatewayError = (status: number, code: string, message: string): FakeResponse => ({
    status,
    body: { RequestId: randomUUID(), HostId: 'dysmsapi.aliyuncs.com', Code: code, Message: message },
  });
  const business = (code: string, message: string): FakeResponse => ({
    body: { RequestId: randomUUID(), Code: code, Message: message },
  });

  function handle(req: FakeRequest): FakeResponse {
    const params = paramsOf(req);
    const verdict = (reply: FakeResponse): FakeResponse => {
      const body = reply.body as { Code?: string } | undefined;
      log.push({ params, code: body?.Code ?? String(reply.status ?? 200) });
      return reply;
    };
    if (req.url.pathname !== '/')
      return verdict(gatewayError(404, 'InvalidAction.NotFound', 'Specified api is not found.'));
    for (const name of [
      'AccessKeyId',
      'Action',
      'Format',
      'SignatureMethod',
      'SignatureNonce',
      'SignatureVersion',
      'Signature',
      'Timestamp',
      'Version',
    ]) {
      if (!params[name])
        return verdict(gatewayError(400, `MissingParameter`, `${name} is mandatory for this action.`));
    }
    if (params.SignatureMethod !== 'HMAC-SHA1' || params.SignatureVersion !== '1.0')
      return verdict(
        gatewayError(400, 'InvalidSignatureMethod', 'Specified signature method is not supported.'),
      );
    if (params.Version !== '2017-05-25' || params.Action !== 'SendSms')
      return verdict(gatewayError(404, 'InvalidAction.NotFound', 'Specified api is not found.'));
    if (params.Format !== 'JSON')
      return verdict(gatewayError(400, 'InvalidParameter', 'Format must be JSON here.'));
    if (params.AccessKeyId !== options.accessKeyId)
      return verdict(gatewayError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.'));
    const at = Date.parse(params.Timestamp ?? '');
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(params.Timestamp ?? '') || Number.isNaN(at))
      return verdict(gatewayError(400, 'InvalidTimeStamp.Format', 'Specified time stamp is not valid.'));
    if (Math.abs(Date.now() - at) > 15 * 60_000)
      return verdict(
        gatewayError(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date header is expired.'),
      );
    const expected = Buffer.from(expectedSignature(req.method, params, options.accessKeySecret));
    const given = Buffer.from(params.Signature ?? '');
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      return verdict(
        gatewayError(
          400,
          'SignatureDoesNotMatch',
          'Specified signature is not matched with our calculation.',
        ),
      );
    const nonce = params.SignatureNonce ?? '';
    if (nonces.has(nonce))
      return verdict(gatewayError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.'));
    nonces.add(nonce);

    const phone = params.PhoneNumbers ?? '';
    if (!phone || !params.SignName || !params.TemplateCode)
      return verdict(business('isv.INVALID_PARAMETERS', '参数异常'));
    if (phone.includes(','))
      return verdict(business('isv.INVALID_PARAMETERS', 'The fake takes one number per call.'));
    if (options.signNames && !options.signNames.includes(params.SignName))
      return verdict(business('isv.SMS_SIGNATURE_ILLEGAL', '签名不合法'));
    let templateParam: Record<string, string> = {};
    if (params.TemplateParam !== undefined) {
      try {
        const parsed: unknown = JSON.parse(params.TemplateParam);
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
        if (Object.values(parsed).some((v) => typeof v !== 'string')) throw new Error('not strings');
        templateParam = parsed as Record<string, string>;
      } catch {
        return verdict(business('isv.INVALID_JSON_PARAM', 'JSON参数不合法，只接受字符串值'));
      }
    }
    if (!/^(\+|00)?(86)?1\d{10}$/.test(phone))
      return verdict(business('isv.MOBILE_NUMBER_ILLEGAL', '非法手机号'));

    const script = scripts.get(phone);
    if (typeof script === 'string') return verdict(business(script, `scripted ${script}`));
    if (script) return verdict(script);
    const bizId = `${Date.now()}^${randomBytes(6).toString('hex')}`;
    sent.push({
      phone,
      signName: params.SignName,
      templateCode: params.TemplateCode,
      templateParam,
      ...(params.OutId ? { outId: params.OutId } : {}),
      bizId,
    });
    return verdict({ body: { RequestId: randomUUID(), Code: 'OK', Message: 'OK', BizId: bizId } });
  }

  return {
    ...(await startFakeServer(handle)),
    sent,
    log,
    script: (phone, reply) => scripts.set(phone, reply),
    async pushReport(url, bizId, outcome) {
      const send = sent.find((s) => s.bizId === bizId);
      if (!send) throw new Error(`The fake sent nothing with BizId ${bizId}.`);
      const now = new Date();
      return postJsonPush(url, [
        {
          phone_number: send.phone.replace(/^(\+|00)?86/, ''),
          send_time: beijingClock(new Date(now.getTime() - 2000)),
          report_time: beijingClock(now),
          success: outcome.success,
          err_code: outcome.success ? 'DELIVERED' : outcome.errCode,
          err_msg: outcome.success ? '用户接收成功' : outcome.errMsg,
          sms_size: '1',
          biz_id: bizId,
          out_id: send.outId ?? '',
        },
      ]);
    },
  };
}
