import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { type FakeRequest, type FakeResponse, startFakeServer } from '../../shared/fake-http-server';
import { beijingClock, postJsonPush } from './aliyun-fake';

/**
 * A fake Tencent Cloud SMS endpoint (SendSms 2021-01-11). It verifies TC3-HMAC-SHA256 itself from
 * the request as received: it rebuilds the canonical request from the headers the Authorization
 * names in SignedHeaders, checks the credential scope's date against X-TC-Timestamp and the 5-minute
 * skew, and answers like Tencent: HTTP 200 with `Response.Error` for request-level failures and a
 * per-number `SendStatusSet` otherwise.
 */

export interface FakeTencentOptions {
  secretId: string;
  secretKey: string;
  smsSdkAppId: string;
}

export interface FakeTencentSend {
  phone: string;
  templateId: string;
  templateParams: string[];
  signName: string;
  sessionContext?: string;
  serialNo: string;
}

export interface FakeTencent {
  url: string;
  sent: FakeTencentSend[];
  /** Request-level error codes answered, in order (empty string for accepted requests). */
  errors: string[];
  /** Per-number status code for this phone (e.g. LimitExceeded.PhoneNumberDailyLimit) or a raw reply. */
  script(phone: string, reply: string | FakeResponse): void;
  /**
   * Posts a status callback for a send to `url` as Tencent does (a JSON array, unsigned); resolves
   * with the receiver's answer.
   */
  pushStatus(
    url: string,
    serialNo: string,
    outcome: { success: true } | { success: false; errmsg: string; description: string },
  ): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');

function header(req: FakeRequest, name: string): string {
  const value = req.headers[name];
  return (Array.isArray(value) ? value.join(',') : (value ?? '')).trim();
}

export async function startFakeTencent(options: FakeTencentOptions): Promise<FakeTencent> {
  const sent: FakeTencentSend[] = [];
  const errors: string[] = [];
  const scripts = new Map<string, string | FakeResponse>();

  const fail = (code: string, message: string): FakeResponse => {
    errors.push(code);
    return { body: { Response: { Error: { Code: code, Message: message }, RequestId: randomUUID() } } };
  };

  function verifySignature(req: FakeRequest): FakeResponse | undefined {
    const auth = header(req, 'authorization');
    const match =
      /^TC3-HMAC-SHA256 Credential=([^/]+)\/(\d{4}-\d\d-\d\d)\/([a-z]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
        auth,
      );
    if (!match)
      return fail('AuthFailure.InvalidAuthorization', 'Authorization in the request header is invalid.');
    const [, secretId, date, service, signedHeaders, signature] = match as unknown as string[];
    if (secretId !== options.secretId)
      return fail('AuthFailure.SecretIdNotFound', 'The SecretId is not found.');
    const timestamp = Number(header(req, 'x-tc-timestamp'));
    if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > 300)
      return fail(
        'AuthFailure.SignatureExpire',
        'Signature expired. Timestamp and server time differ by over 5 minutes.',
      );
    if (new Date(timestamp * 1000).toISOString().slice(0, 10) !== date || service !== 'sms')
      return fail('AuthFailure.SignatureFailure', 'The credential scope does not match the request.');
    const names = (signedHeaders ?? '').split(';');
    if (!names.includes('content-type') || !names.includes('host'))
      return fail('AuthFailure.SignatureFailure', 'content-type and host must be signed.');
    const canonicalHeaders = names.map((name) => `${name}:${header(req, name).toLowerCase()}\n`).join('');
    const canonicalRequest = `${req.method}\n${req.url.pathname}\n${req.url.search.slice(1)}\n${canonicalHeaders}\n${signedHeaders}\n${sha256(req.body)}`;
    const stringToSign = `TC3-HMAC-SHA256\n${timestamp}\n${date}/${service}/tc3_request\n${sha256(canonicalRequest)}`;
    let key: Buffer = createHmac('sha256', `TC3${options.secretKey}`)
      .update(date ?? '')
      .digest();
    key = createHmac('sha256', key)
      .update(service ?? '')
      .digest();
    key = createHmac('sha256', key).update('tc3_request').digest();
    const expected = Buffer.from(createHmac('sha256', key).update(stringToSign).digest('hex'));
    const given = Buffer.from(signature ?? '');
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      return fail(
        'AuthFailure.SignatureFailure',
        'The provided credentials could not be validated. Please check your signature is correct.',
      );
    return undefined;
  }

  function handle(req: FakeRequest): FakeResponse {
    if (req.method !== 'POST') return fail('InvalidParameter', 'The fake takes POST only.');
    const rejected = verifySignature(req);
    if (rejected) return rejected;
    if (header(req, 'x-tc-action') !== 'SendSms') return fail('InvalidAction', 'The action does not exist.');
    if (header(req, 'x-tc-version') !== '2021-01-11')
      return fail('NoSuchVersion', 'The API version does not exist.');
    if (!header(req, 'x-tc-region')) return fail('MissingParameter', 'Region is required for 2021-01-11.');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(req.body) as Record<string, unknown>;
    } catch {
      return fail('FailedOperation.FailResolvePacket', 'The request body could not be parsed.');
    }
    const phones = body.PhoneNumberSet;
    const params = body.TemplateParamSet ?? [];
    if (!Array.isArray(phones) || phones.length === 0 || phones.some((p) => typeof p !== 'string'))
      return fail('MissingParameter', 'PhoneNumberSet is required.');
    if (body.SmsSdkAppId !== options.smsSdkAppId)
      return fail('InvalidParameterValue.SdkAppIdNotExist', 'The SdkAppId does not exist.');
    if (typeof body.TemplateId !== 'string' || !body.TemplateId)
      return fail('MissingParameter', 'TemplateId is required.');
    if (!Array.isArray(params) || params.some((p) => typeof p !== 'string'))
      return fail('InvalidParameterValue.TemplateParameterFormatError', 'TemplateParamSet must be strings.');
    errors.push('');

    let override: FakeResponse | undefined;
    const statuses = (phones as string[]).map((phone) => {
      const script = scripts.get(phone);
      if (script && typeof script !== 'string') override = script;
      const code =
        typeof script === 'string'
          ? script
          : /^(\+86|0086|86)?1\d{10}$/.test(phone)
            ? 'Ok'
            : 'InvalidParameterValue.IncorrectPhoneNumber';
      const serialNo = `2028:${randomUUID().replace(/-/g, '').slice(0, 20)}`;
      if (code === 'Ok')
        sent.push({
          phone,
          templateId: body.TemplateId as string,
          templateParams: params as string[],
          signName: String(body.SignName ?? ''),
          ...(typeof body.SessionContext === 'string' ? { sessionContext: body.SessionContext } : {}),
          serialNo,
        });
      return {
        SerialNo: code === 'Ok' ? serialNo : '',
        PhoneNumber: phone,
        Fee: code === 'Ok' ? 1 : 0,
        SessionContext: body.SessionContext ?? '',
        Code: code,
        Message: code === 'Ok' ? 'send success' : `scripted ${code}`,
        IsoCode: 'CN',
      };
    });
    if (override) return override;
    return { body: { Response: { SendStatusSet: statuses, RequestId: randomUUID() } } };
  }

  return {
    ...(await startFakeServer(handle)),
    sent,
    errors,
    script: (phone, reply) => scripts.set(phone, reply),
    async pushStatus(url, serialNo, outcome) {
      const send = sent.find((s) => s.serialNo === serialNo);
      if (!send) throw new Error(`The fake sent nothing with SerialNo ${serialNo}.`);
      const [, nationcode = '86', mobile = send.phone] = /^\+(86)(\d+)$/.exec(send.phone) ?? [];
      return postJsonPush(url, [
        {
          user_receive_time: beijingClock(new Date()),
          nationcode,
          mobile,
          report_status: outcome.success ? 'SUCCESS' : 'FAIL',
          errmsg: outcome.success ? 'DELIVRD' : outcome.errmsg,
          description: outcome.success ? '用户短信送达成功' : outcome.description,
          sid: serialNo,
        },
      ]);
    },
  };
}
