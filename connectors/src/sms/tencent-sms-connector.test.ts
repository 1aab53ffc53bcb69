import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryStorage } from '../shared/memory-storage';
import { isOptedOut } from '../shared/provider-errors';
import { outbound, sendFailure } from './fakes/messages';
import { type FakeTencent, startFakeTencent } from './fakes/tencent-fake';
import {
  classifyTencentCode,
  tc3Sign,
  tencentSmsConfigSchema,
  tencentSmsConnector,
} from './tencent-sms-connector';

const credentials = { secretId: 'AKIDtestsecretid', secretKey: 'test-secret-key' };
const context = { storage: memoryStorage() };
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('TC3-HMAC-SHA256', () => {
  it('matches the documented example (cvm DescribeInstances, 1551113065)', () => {
    const payload =
      '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}';
    expect(sha256(payload)).toBe('35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064');
    const signed = tc3Sign({
      secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
      secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
      service: 'cvm',
      host: 'cvm.tencentcloudapi.com',
      timestamp: 1551113065,
      payload,
    });
    expect(sha256(signed.canonicalRequest)).toBe(
      '5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031',
    );
    expect(signed.stringToSign).toBe(
      'TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031',
    );
    expect(signed.signature).toBe('72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168');
    expect(signed.authorization).toBe(
      'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, ' +
        'SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
    );
  });
});

describe('tencent-sms against the fake SendSms endpoint', () => {
  let fake: FakeTencent;
  beforeAll(async () => {
    fake = await startFakeTencent({ ...credentials, smsSdkAppId: '1400006666' });
  });
  afterAll(() => fake.close());

  const config = (overrides: Record<string, unknown> = {}) =>
    tencentSmsConfigSchema.parse({
      ...credentials,
      smsSdkAppId: '1400006666',
      signName: '社群助手',
      endpoint: fake.url,
      timeoutMs: 1000,
      ...overrides,
    });
  const connector = (overrides: Record<string, unknown> = {}) =>
    tencentSmsConnector.create(config(overrides), context);
  let n = 0;
  const phone = () => `+86139${String(10_000_000 + n++).slice(-8)}`;

  it('sends positional params (numeric keys in numeric order) and returns the SerialNo', async () => {
    const to = phone();
    const result = await connector().send(
      outbound({
        to: { id: 'c', phone: to },
        template: { id: '1110', params: { '2': '二', '10': '十', '1': '一' } },
      }),
    );
    expect(result.status).toBe('sent');
    const accepted = fake.sent.find((s) => s.serialNo === result.providerMessageId);
    expect(accepted).toMatchObject({
      phone: to,
      templateId: '1110',
      templateParams: ['一', '二', '十'],
      signName: '社群助手',
    });
    expect(accepted?.sessionContext).toMatch(/^[0-9a-f]{32}$/);
  });

  it('uses a configured parameter order, and refuses a template missing one', async () => {
    const to = phone();
    const order = { templateParamOrder: { '2220': ['name', 'time'] } };
    const result = await connector(order).send(
      outbound({
        to: { id: 'c', phone: to },
        template: { id: '2220', params: { time: '19:00', name: '小王' } },
      }),
    );
    expect(fake.sent.find((s) => s.serialNo === result.providerMessageId)?.templateParams).toEqual([
      '小王',
      '19:00',
    ]);

    const error = await sendFailure(
      connector(order).send(
        outbound({ to: { id: 'c', phone: to }, template: { id: '2220', params: { name: '小王' } } }),
      ),
    );
    expect(error).toMatchObject({ kind: 'permanent', details: { providerCode: 'missing-param' } });
  });

  it('is rejected by the fake with a wrong key (AuthFailure.SignatureFailure, permanent)', async () => {
    const error = await sendFailure(
      connector({ secretKey: 'wrong' }).send(
        outbound({ to: { id: 'c', phone: phone() }, template: { id: '1', params: {} } }),
      ),
    );
    expect(error).toMatchObject({
      kind: 'permanent',
      details: { providerCode: 'AuthFailure.SignatureFailure' },
    });
  });

  it('rejects a body changed after signing, and a stale timestamp', async () => {
    const host = new URL(fake.url).host;
    const post = async (payload: string, signedPayload: string, timestamp: number) => {
      const { authorization } = tc3Sign({
        ...credentials,
        service: 'sms',
        host,
        timestamp,
        payload: signedPayload,
      });
      const response = await fetch(`${fake.url}/`, {
        method: 'POST',
        headers: {
          authorization,
          'content-type': 'application/json; charset=utf-8',
          'x-tc-action': 'SendSms',
          'x-tc-version': '2021-01-11',
          'x-tc-timestamp': String(timestamp),
          'x-tc-region': 'ap-guangzhou',
        },
        body: payload,
      });
      return (await response.json()) as {
        Response: { Error?: { Code: string }; SendStatusSet?: { Code: string }[] };
      };
    };
    const body = (p: string) =>
      JSON.stringify({
        PhoneNumberSet: [p],
        SmsSdkAppId: '1400006666',
        TemplateId: '1',
        TemplateParamSet: [],
      });
    const now = Math.floor(Date.now() / 1000);

    const genuine = await post(body('+8613900000001'), body('+8613900000001'), now);
    expect(genuine.Response.SendStatusSet?.[0]?.Code).toBe('Ok');
    const tampered = await post(body('+8613900000002'), body('+8613900000001'), now);
    expect(tampered.Response.Error?.Code).toBe('AuthFailure.SignatureFailure');
    const stale = await post(body('+8613900000001'), body('+8613900000001'), now - 600);
    expect(stale.Response.Error?.Code).toBe('AuthFailure.SignatureExpire');
  });

  it.each([
    ['LimitExceeded.PhoneNumberThirtySecondLimit', 30_000],
    ['LimitExceeded.PhoneNumberOneHourLimit', 3_600_000],
  ])('maps %s to rate-limited', async (code, retryAfterMs) => {
    const to = phone();
    fake.script(to, code);
    const error = await sendFailure(
      connector().send(outbound({ to: { id: 'c', phone: to }, template: { id: '1', params: {} } })),
    );
    expect(error).toMatchObject({ kind: 'rate-limited', details: { providerCode: code, retryAfterMs } });
  });

  it('waits for daily limits until midnight and marketing hours until 08:00 Beijing time', async () => {
    const to = phone();
    fake.script(to, 'LimitExceeded.PhoneNumberDailyLimit');
    const error = await sendFailure(
      connector().send(outbound({ to: { id: 'c', phone: to }, template: { id: '1', params: {} } })),
    );
    expect(error.kind).toBe('rate-limited');
    expect(error.details.retryAfterMs).toBeGreaterThan(60_000);
    expect(error.details.retryAfterMs).toBeLessThanOrEqual(24 * 3_600_000 + 60_000);

    const cfg = config();
    const at2230 = new Date('2024-05-01T14:30:00Z');
    expect(
      classifyTencentCode('LimitExceeded.PhoneNumberDailyLimit', undefined, cfg, at2230).details.retryAfterMs,
    ).toBe(1.5 * 3_600_000 + 60_000);
    expect(
      classifyTencentCode('FailedOperation.MarketingSendTimeConstraint', undefined, cfg, at2230).details
        .retryAfterMs,
    ).toBe(9.5 * 3_600_000 + 60_000);
  });

  it('maps an incorrect number to permanent', async () => {
    const error = await sendFailure(
      connector().send(outbound({ to: { id: 'c', phone: '+86123' }, template: { id: '1', params: {} } })),
    );
    expect(error).toMatchObject({
      kind: 'permanent',
      details: { providerCode: 'InvalidParameterValue.IncorrectPhoneNumber' },
    });
    expect(isOptedOut(error)).toBe(false);
  });

  it('flags a number on the do-not-disturb list as opted out', async () => {
    const to = phone();
    fake.script(to, 'FailedOperation.PhoneNumberInBlacklist');
    const error = await sendFailure(
      connector().send(outbound({ to: { id: 'c', phone: to }, template: { id: '1', params: {} } })),
    );
    expect(error.kind).toBe('permanent');
    expect(isOptedOut(error)).toBe(true);
  });

  it.each([
    ['InternalError.Timeout per number', 'InternalError.Timeout', 'retryable'],
    [
      'request-level InternalError',
      { body: { Response: { Error: { Code: 'InternalError', Message: 'x' }, RequestId: 'r' } } },
      'retryable',
    ],
    [
      'request-level RequestLimitExceeded',
      { body: { Response: { Error: { Code: 'RequestLimitExceeded', Message: 'x' }, RequestId: 'r' } } },
      'rate-limited',
    ],
    [
      'request-level UnauthorizedOperation',
      {
        body: {
          Response: {
            Error: { Code: 'UnauthorizedOperation.RequestPermissionDeny', Message: 'x' },
            RequestId: 'r',
          },
        },
      },
      'permanent',
    ],
    ['HTTP 502', { status: 502, body: 'Bad Gateway' }, 'retryable'],
    ['balance exhausted', 'FailedOperation.InsufficientBalanceInSmsPackage', 'permanent'],
  ])('maps %s', async (_label, reply, kind) => {
    const to = phone();
    fake.script(to, reply as never);
    const error = await sendFailure(
      connector().send(outbound({ to: { id: 'c', phone: to }, template: { id: '1', params: {} } })),
    );
    expect(error.kind).toBe(kind);
  });

  it('treats a timeout as retryable', async () => {
    const to = phone();
    fake.script(to, { delayMs: 3000, body: {} });
    const error = await sendFailure(
      connector().send(outbound({ to: { id: 'c', phone: to }, template: { id: '1', params: {} } })),
    );
    expect(error.kind).toBe('retryable');
  });

  it('needs a template and a phone number', async () => {
    expect((await sendFailure(connector().send(outbound({ text: 'hi' })))).kind).toBe('permanent');
    expect(
      (await sendFailure(connector().send(outbound({ to: { id: 'c' }, template: { id: '1', params: {} } }))))
        .kind,
    ).toBe('permanent');
  });
});
