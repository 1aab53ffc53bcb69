import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { memoryStorage } from '../shared/memory-storage';
import { isOptedOut } from '../shared/provider-errors';
import {
  aliyunPercentEncode,
  aliyunRpcSignature,
  aliyunSmsConfigSchema,
  aliyunSmsConnector,
  aliyunStringToSign,
  buildAliyunSendSmsForm,
  classifyAliyunError,
} from './aliyun-sms-connector';
import { type FakeAliyun, startFakeAliyun } from './fakes/aliyun-fake';
import { outbound, sendFailure } from './fakes/messages';

const credentials = { accessKeyId: 'LTAI-test-id', accessKeySecret: 'test-secret/with+chars=' };
const context = { storage: memoryStorage() };

describe('Aliyun RPC signature v1', () => {
  it('matches the documented example (DescribeRegions, testid / testsecret)', () => {
    const params = {
      TimeStamp: '2016-02-23T12:46:24Z',
      Format: 'XML',
      AccessKeyId: 'testid',
      Action: 'DescribeRegions',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
      Version: '2014-05-26',
      SignatureVersion: '1.0',
    };
    // The doc's rendering shows the inner separators as "&"; they are %26 (the documented signature
    // below only comes out of the %26 form).
    expect(aliyunStringToSign('GET', params)).toBe(
      'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1' +
        '%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0' +
        '%26TimeStamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26',
    );
    expect(aliyunRpcSignature('GET', params, 'testsecret')).toBe('CT9X0VtwR86fNWSnsc6v8YGOjuE=');
  });

  it('percent-encodes per Aliyun: %20 for space, %2A for *, ~ kept, UTF-8 bytes in upper-case hex', () => {
    expect(aliyunPercentEncode('a b*c~d+e/f')).toBe('a%20b%2Ac~d%2Be%2Ff');
    expect(aliyunPercentEncode('阿里')).toBe('%E9%98%BF%E9%87%8C');
    expect(aliyunPercentEncode('-_.')).toBe('-_.');
    expect(aliyunPercentEncode('{"code":"1"}')).toBe('%7B%22code%22%3A%221%22%7D');
  });
});

describe('aliyun-sms against the fake Dysmsapi', () => {
  let fake: FakeAliyun;
  beforeAll(async () => {
    fake = await startFakeAliyun(credentials);
  });
  afterAll(() => fake.close());
  afterEach(() => {
    vi.useRealTimers();
  });

  const connector = (overrides: Record<string, unknown> = {}) =>
    aliyunSmsConnector.create(
      aliyunSmsConfigSchema.parse({
        ...credentials,
        signName: '社群助手',
        endpoint: fake.url,
        timeoutMs: 1000,
        ...overrides,
      }),
      context,
    );

  it('sends a template with the rendered params and returns the BizId', async () => {
    const params = { name: '张 三*', code: '1234', note: 'a+b=c & ~d' };
    const message = outbound({
      to: { id: 'c1', phone: '138 0013 8001' },
      template: { id: 'SMS_100', params },
    });
    const result = await connector().send(message);

    expect(result.status).toBe('sent');
    const accepted = fake.sent.find((s) => s.bizId === result.providerMessageId);
    expect(accepted).toMatchObject({ phone: '13800138001', signName: '社群助手', templateCode: 'SMS_100' });
    expect(accepted?.templateParam).toEqual(params);
    expect(accepted?.outId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('is rejected by the fake with a wrong secret (SignatureDoesNotMatch, permanent)', async () => {
    const error = await sendFailure(
      connector({ accessKeySecret: 'not-the-secret' }).send(
        outbound({ template: { id: 'SMS_100', params: {} } }),
      ),
    );
    expect(error).toMatchObject({ kind: 'permanent', details: { providerCode: 'SignatureDoesNotMatch' } });
  });

  it('rejects a request tampered with after signing, and a replayed nonce', async () => {
    const form = buildAliyunSendSmsForm(
      { ...credentials, regionId: 'cn-hangzhou', signName: '社群助手' },
      { phone: '13800138002', templateCode: 'SMS_100', templateParams: { code: '1' } },
    );
    const post = (body: string) =>
      fetch(`${fake.url}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { Code: string } }));

    const tampered = await post(form.replace('PhoneNumbers=13800138002', 'PhoneNumbers=13800138009'));
    expect(tampered).toMatchObject({ status: 400, body: { Code: 'SignatureDoesNotMatch' } });

    const genuine = await post(form);
    expect(genuine).toMatchObject({ status: 200, body: { Code: 'OK' } });
    const replayed = await post(form);
    expect(replayed).toMatchObject({ status: 400, body: { Code: 'SignatureNonceUsed' } });
  });

  it('maps flow control to rate-limited', async () => {
    fake.script('13800138010', 'isv.BUSINESS_LIMIT_CONTROL');
    const error = await sendFailure(
      connector().send(
        outbound({ to: { id: 'c', phone: '13800138010' }, template: { id: 'SMS_1', params: {} } }),
      ),
    );
    expect(error).toMatchObject({
      kind: 'rate-limited',
      details: { providerCode: 'isv.BUSINESS_LIMIT_CONTROL', retryAfterMs: 600_000 },
    });
  });

  it('waits for the daily quota to reset at midnight Beijing time', () => {
    const now = new Date('2024-05-01T14:00:00Z'); // 22:00 in Shanghai
    const error = classifyAliyunError(
      200,
      { Code: 'isv.DAY_LIMIT_CONTROL' },
      aliyunSmsConfigSchema.parse({ ...credentials, signName: 's' }),
      now,
    );
    expect(error).toMatchObject({ kind: 'rate-limited', details: { retryAfterMs: 2 * 3_600_000 + 60_000 } });
  });

  it.each([
    ['isv.MOBILE_NUMBER_ILLEGAL', '1380013'],
    ['isv.AMOUNT_NOT_ENOUGH', '13800138011'],
    ['isv.BLACK_KEY_CONTROL_LIMIT', '13800138012'],
    ['isv.SMS_TEMPLATE_ILLEGAL', '13800138013'],
  ])('maps %s to permanent without the opt-out flag', async (code, phone) => {
    if (code !== 'isv.MOBILE_NUMBER_ILLEGAL') fake.script(phone, code);
    const error = await sendFailure(
      connector().send(outbound({ to: { id: 'c', phone }, template: { id: 'SMS_1', params: {} } })),
    );
    expect(error).toMatchObject({ kind: 'permanent', details: { providerCode: code } });
    expect(isOptedOut(error)).toBe(false);
  });

  it('flags an unsubscribed recipient (isv.CUSTOMER_REFUSED, and configured codes) as opted out', async () => {
    fake.script('13800138020', 'isv.CUSTOMER_REFUSED');
    fake.script('13800138021', 'isv.SOME_FUTURE_UNSUBSCRIBED');
    const refused = await sendFailure(
      connector().send(
        outbound({ to: { id: 'c', phone: '13800138020' }, template: { id: 'SMS_1', params: {} } }),
      ),
    );
    expect(refused.kind).toBe('permanent');
    expect(isOptedOut(refused)).toBe(true);
    expect(refused.details).toMatchObject({ optedOut: true, providerCode: 'isv.CUSTOMER_REFUSED' });

    const configured = await sendFailure(
      connector({ optOutCodes: ['isv.SOME_FUTURE_UNSUBSCRIBED'] }).send(
        outbound({ to: { id: 'c', phone: '13800138021' }, template: { id: 'SMS_1', params: {} } }),
      ),
    );
    expect(isOptedOut(configured)).toBe(true);
  });

  it.each([
    ['isp.SYSTEM_ERROR', { body: { Code: 'isp.SYSTEM_ERROR', Message: '系统错误' } }],
    [
      'Throttling.User',
      {
        status: 400,
        body: { Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' },
      },
    ],
    [
      'ServiceUnavailable',
      { status: 503, body: { Code: 'ServiceUnavailable', Message: 'The request has failed.' } },
    ],
    ['HTTP 502', { status: 502, body: '<html>Bad Gateway</html>' }],
  ])('retries %s', async (_label, reply) => {
    const phone = `1390013${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`;
    fake.script(phone, reply);
    const error = await sendFailure(
      connector().send(outbound({ to: { id: 'c', phone }, template: { id: 'SMS_1', params: {} } })),
    );
    expect(error.kind).toBe('retryable');
  });

  it('treats a timeout as retryable', async () => {
    fake.script('13800138030', { delayMs: 3000, body: { Code: 'OK', BizId: 'late' } });
    const started = Date.now();
    const error = await sendFailure(
      connector().send(
        outbound({ to: { id: 'c', phone: '13800138030' }, template: { id: 'SMS_1', params: {} } }),
      ),
    );
    expect(error.kind).toBe('retryable');
    expect(error.message).toMatch(/no answer within 1000 ms/);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('needs a template (or a configured fallback template for free text)', async () => {
    const error = await sendFailure(connector().send(outbound({ text: 'free text' })));
    expect(error).toMatchObject({ kind: 'permanent', details: { providerCode: 'no-template' } });

    const result = await connector({ fallbackTemplate: { id: 'SMS_TEXT', param: 'content' } }).send(
      outbound({ to: { id: 'c', phone: '13800138040' }, text: '活动提醒' }),
    );
    expect(fake.sent.find((s) => s.bizId === result.providerMessageId)).toMatchObject({
      templateCode: 'SMS_TEXT',
      templateParam: { content: '活动提醒' },
    });
  });

  it('fails permanently without a phone number', async () => {
    const error = await sendFailure(
      connector().send(outbound({ to: { id: 'c' }, template: { id: 'SMS_1', params: {} } })),
    );
    expect(error.kind).toBe('permanent');
  });

  it('defers marketing SMS outside the send window without calling Aliyun', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2024-05-01T14:30:00Z')); // 22:30 in Shanghai
    const before = fake.log.length;
    const error = await sendFailure(
      connector({ sendWindow: {} }).send(outbound({ template: { id: 'SMS_1', params: {} } })),
    );
    expect(error).toMatchObject({ kind: 'rate-limited', details: { retryAfterMs: 9.5 * 3_600_000 } });
    expect(fake.log.length).toBe(before);
  });
});
