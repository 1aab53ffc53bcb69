import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SendError } from '../connector';
import { FakeWeComServer } from './fake-wecom-server';
import { thrown } from './test-support';
import { resetWeComTokenCache, WeComClient } from './wecom-client';

const corpId = 'ww-fake-corp';
const secret = 'fake-secret';

describe('WeComClient', () => {
  let fake: FakeWeComServer;
  const client = (extra: Partial<ConstructorParameters<typeof WeComClient>[0]> = {}) =>
    new WeComClient({ corpId, secret, baseUrl: fake.url, timeoutMs: 2_000, ...extra });
  const send = (c: WeComClient, touser = 'zhangsan') =>
    c.post('/cgi-bin/message/send', { touser, msgtype: 'text', agentid: 1, text: { content: 'hi' } });

  beforeEach(async () => {
    resetWeComTokenCache();
    fake = await FakeWeComServer.start();
  });
  afterEach(() => fake.close());

  it('fetches one token for many calls, shared by every client of the app in the process', async () => {
    const a = client();
    const b = client();
    await Promise.all([
      ...Array.from({ length: 10 }, () => send(a)),
      ...Array.from({ length: 10 }, () => send(b)),
    ]);
    await send(a);
    expect(fake.count('gettoken')).toBe(1);
    expect(fake.count('message/send')).toBe(21);
    const call = fake.calls.find((c) => c.api === 'gettoken')!;
    expect(call.query).toEqual({ corpid: corpId, corpsecret: secret });
  });

  it('shares one in-flight fetch between concurrent callers', async () => {
    fake.fail('gettoken', { delayMs: 200 });
    const c = client();
    const tokens = await Promise.all(Array.from({ length: 5 }, () => c.accessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(fake.count('gettoken')).toBe(1);
  });

  it('keeps tokens of different secrets apart', async () => {
    await fake.close();
    fake = await FakeWeComServer.start({
      apps: [
        { corpId, secret },
        { corpId, secret: 'other-secret' },
      ],
    });
    const [one, two] = await Promise.all([
      client().accessToken(),
      client({ secret: 'other-secret' }).accessToken(),
    ]);
    expect(one).not.toBe(two);
    expect(fake.count('gettoken')).toBe(2);
  });

  it('refreshes once when WeCom expires the token mid-run (42001), then retries the call', async () => {
    const c = client();
    await send(c);
    fake.expireTokens();
    await send(c);
    await send(c);
    expect(fake.count('gettoken')).toBe(2);
    // The first call, the refused one, its retry, and the last call.
    expect(fake.count('message/send')).toBe(4);
    const [first, refused, retried, last] = fake.calls
      .filter((x) => x.api === 'message/send')
      .map((x) => x.query.access_token);
    expect(refused).toBe(first);
    expect(retried).not.toBe(first);
    expect(last).toBe(retried);
  });

  it('refreshes on 40014 (token invalidated) too, and concurrent refusals share one refresh', async () => {
    const c = client();
    await send(c);
    fake.revokeTokens();
    await Promise.all(Array.from({ length: 5 }, () => send(c)));
    expect(fake.count('gettoken')).toBe(2);
  });

  it('fetches a new token before expires_in runs out, with the safety margin', async () => {
    let now = 1_000_000;
    const c = client({ now: () => now, tokenSafetyMarginMs: 300_000 });
    await send(c);
    now += 7200_000 - 300_000 - 1;
    await send(c);
    expect(fake.count('gettoken')).toBe(1);
    now += 2;
    await send(c);
    expect(fake.count('gettoken')).toBe(2);
    // No call was refused on the way: the token was replaced before it expired.
    expect(fake.count('message/send')).toBe(3);
  });

  it('gives up with a retryable error when a fresh token is refused too', async () => {
    const c = client();
    await c.accessToken();
    fake.fail('message/send', { errcode: 42001 }, { errcode: 42001 });
    const error = await thrown(() => send(c));
    expect(error).toBeInstanceOf(SendError);
    expect((error as SendError).kind).toBe('retryable');
    expect(fake.count('gettoken')).toBe(2);
    expect(fake.count('message/send')).toBe(2);
  });

  it.each([
    [-1, 'retryable', undefined],
    [6000, 'retryable', undefined],
    [45009, 'rate-limited', 60_000],
    [45033, 'rate-limited', 2_000],
    [48002, 'permanent', undefined],
    [60020, 'permanent', undefined],
    [81013, 'permanent', undefined],
    [123456, 'permanent', undefined],
  ] as const)('classifies errcode %i as %s', async (errcode, kind, retryAfterMs) => {
    fake.fail('message/send', { errcode });
    const error = (await thrown(() => send(client()))) as SendError;
    expect(error).toBeInstanceOf(SendError);
    expect(error.kind).toBe(kind);
    expect(error.details.providerCode).toBe(errcode);
    expect(error.details.retryAfterMs).toBe(retryAfterMs);
  });

  it('says what to do about configuration errors', async () => {
    fake.fail('message/send', { errcode: 60020, errmsg: 'not allow to access from your ip' });
    const ip = (await thrown(() => send(client()))) as SendError;
    expect(ip.message).toMatch(/trusted IPs/);
    const secretError = (await thrown(() => client({ secret: 'wrong' }).accessToken())) as SendError;
    expect(secretError.kind).toBe('permanent');
    expect(secretError.message).toMatch(/40001.*secret/);
    expect(secretError.message).not.toContain('wrong');
    const corpError = (await thrown(() => client({ corpId: 'nope' }).accessToken())) as SendError;
    expect(corpError.message).toMatch(/40013.*corp id/);
  });

  it('the rate-limit wait is configurable', async () => {
    fake.fail('message/send', { errcode: 45009 });
    const error = (await thrown(() => send(client({ rateLimitedRetryMs: 3_600_000 })))) as SendError;
    expect(error.details.retryAfterMs).toBe(3_600_000);
  });

  it('times out a slow answer as retryable', async () => {
    const c = client({ timeoutMs: 150 });
    await c.accessToken();
    fake.fail('message/send', { delayMs: 1_000 });
    const started = Date.now();
    const error = (await thrown(() => send(c))) as SendError;
    expect(error.kind).toBe('retryable');
    expect(error.message).toMatch(/did not answer within 150 ms/);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it('treats HTTP 5xx and non-JSON answers as retryable, and an unreachable host too', async () => {
    const c = client();
    await c.accessToken();
    fake.fail('message/send', { httpStatus: 502 });
    expect(((await thrown(() => send(c))) as SendError).kind).toBe('retryable');
    const closed = new WeComClient({ corpId, secret, baseUrl: 'http://127.0.0.1:9', timeoutMs: 1_000 });
    expect(((await thrown(() => closed.accessToken())) as SendError).kind).toBe('retryable');
  });

  it('a 45009 on gettoken is rate-limited', async () => {
    fake.fail('gettoken', { errcode: 45009 });
    const error = (await thrown(() => client().accessToken())) as SendError;
    expect(error.kind).toBe('rate-limited');
  });
});
