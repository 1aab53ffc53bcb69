import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SendError } from '../connector';
import { createAppMessageSender, weComAppConnector } from './app-message-connector';
import { AppMessageConfig } from './config';
import { FakeWeComServer } from './fake-wecom-server';
import { outbound, thrown } from './test-support';
import { resetWeComTokenCache } from './wecom-client';

describe('wecom-app connector', () => {
  let fake: FakeWeComServer;
  const config = (extra: Record<string, unknown> = {}) =>
    AppMessageConfig.parse({
      corpId: 'ww-fake-corp',
      secret: 'fake-secret',
      agentId: 1000002,
      baseUrl: fake.url,
      timeoutMs: 2_000,
      ...extra,
    });
  const to = (wecomUserId: string) => ({ id: `contact-${wecomUserId}`, wecomUserId });

  beforeEach(async () => {
    resetWeComTokenCache();
    fake = await FakeWeComServer.start({
      members: ['zhangsan', 'lisi', ...Array.from({ length: 40 }, (_, i) => `m${i}`)],
    });
  });
  afterEach(() => fake.close());

  it('declares itself for the wechat channel with a strict config schema', () => {
    expect(weComAppConnector.name).toBe('wecom-app');
    expect(weComAppConnector.channels).toEqual(['wechat']);
    expect(weComAppConnector.secretFields).toEqual(['secret']);
    const parsed = config();
    expect(parsed.duplicateCheckIntervalSec).toBe(1800);
    expect(parsed.limits).toEqual({
      perMemberPerMinute: 30,
      perMemberPerHour: 1000,
      maxPacingDelayMs: 5_000,
      rateLimitedRetryMs: 60_000,
    });
    expect(AppMessageConfig.safeParse({ ...parsed, extra: 1 }).success).toBe(false);
  });

  it('sends text with the duplicate check on, and returns the msgid', async () => {
    const sender = createAppMessageSender(config());
    const result = await sender.send(outbound({ to: to('zhangsan'), text: 'Your task is due' }));
    expect(result.status).toBe('sent');
    expect(result.providerMessageId).toMatch(/^[0-9a-f]{24}$/);
    expect(fake.delivered).toHaveLength(1);
    expect(fake.delivered[0]!.body).toEqual({
      touser: 'zhangsan',
      agentid: 1000002,
      msgtype: 'text',
      text: { content: 'Your task is due' },
      enable_duplicate_check: 1,
      duplicate_check_interval: 1800,
    });
  });

  it('sends markdown and news by format and articles', async () => {
    const sender = createAppMessageSender(config());
    await sender.send(outbound({ to: to('zhangsan'), text: '**Due** today', format: 'markdown' }));
    await sender.send(
      outbound({
        to: to('zhangsan'),
        text: 'ignored for news',
        articles: [
          {
            title: 'Guide',
            description: 'Read me',
            url: 'https://example.com/g',
            picUrl: 'https://example.com/p.png',
          },
        ],
      }),
    );
    expect(fake.delivered[0]!.body).toMatchObject({
      msgtype: 'markdown',
      markdown: { content: '**Due** today' },
    });
    expect(fake.delivered[1]!.body).toMatchObject({
      msgtype: 'news',
      news: {
        articles: [
          {
            title: 'Guide',
            description: 'Read me',
            url: 'https://example.com/g',
            picurl: 'https://example.com/p.png',
          },
        ],
      },
    });
  });

  it('one token for many sends', async () => {
    const sender = createAppMessageSender(config());
    const other = createAppMessageSender(config());
    for (let i = 0; i < 5; i++) {
      await sender.send(outbound({ to: to(`m${i}`) }));
      await other.send(outbound({ to: to(`m${i + 10}`) }));
    }
    expect(fake.count('gettoken')).toBe(1);
    expect(fake.count('message/send')).toBe(10);
  });

  it('recovers from a token WeCom expired mid-run', async () => {
    const sender = createAppMessageSender(config());
    await sender.send(outbound({ to: to('zhangsan'), text: 'one' }));
    fake.expireTokens();
    await sender.send(outbound({ to: to('zhangsan'), text: 'two' }));
    expect(fake.count('gettoken')).toBe(2);
    expect(fake.delivered.map((d) => (d.body.text as { content: string }).content)).toEqual(['one', 'two']);
  });

  it('81013 (the only recipient is not a member) is permanent', async () => {
    const error = (await thrown(() =>
      createAppMessageSender(config()).send(outbound({ to: to('ghost') })),
    )) as SendError;
    expect(error).toBeInstanceOf(SendError);
    expect(error.kind).toBe('permanent');
    expect(error.details.providerCode).toBe(81013);
  });

  it('invaliduser naming the recipient in a successful answer is permanent', async () => {
    const answer = { errcode: 0, errmsg: 'ok', invaliduser: 'ghost', msgid: 'x' };
    const sender = createAppMessageSender(config(), {
      fetch: async (url) =>
        new Response(
          JSON.stringify(
            String(url).includes('gettoken') ? { errcode: 0, access_token: 't', expires_in: 7200 } : answer,
          ),
        ),
    });
    const error = (await thrown(() => sender.send(outbound({ to: to('ghost') })))) as SendError;
    expect(error.kind).toBe('permanent');
    expect(error.details.providerCode).toBe('invaliduser');
  });

  it('a recipient without a WeCom user id is permanent, before any call', async () => {
    const error = (await thrown(() =>
      createAppMessageSender(config()).send(outbound({ to: { id: 'c9' } })),
    )) as SendError;
    expect(error.kind).toBe('permanent');
    expect(fake.calls).toHaveLength(0);
  });

  it('rate-limit, busy and timeout answers map to rate-limited and retryable', async () => {
    const sender = createAppMessageSender(config({ timeoutMs: 150 }));
    fake.fail('message/send', { errcode: 45009 }, { errcode: -1 }, { delayMs: 1_000 });
    const limited = (await thrown(() => sender.send(outbound({ to: to('zhangsan') })))) as SendError;
    expect(limited.kind).toBe('rate-limited');
    expect(limited.details.retryAfterMs).toBe(60_000);
    const busy = (await thrown(() => sender.send(outbound({ to: to('zhangsan') })))) as SendError;
    expect(busy.kind).toBe('retryable');
    const slow = (await thrown(() => sender.send(outbound({ to: to('zhangsan') })))) as SendError;
    expect(slow.kind).toBe('retryable');
  });

  it('a retry after a timeout that WeCom had taken is not delivered twice (duplicate check)', async () => {
    const sender = createAppMessageSender(config({ timeoutMs: 150 }));
    const message = outbound({ to: to('zhangsan'), text: 'Only once' });
    fake.fail('message/send', { delayAfterHandlingMs: 1_000 });
    expect(((await thrown(() => sender.send(message))) as SendError).kind).toBe('retryable');
    await sender.send(message);
    expect(fake.delivered).toHaveLength(1);
    expect(fake.dropped).toEqual([{ touser: 'zhangsan', reason: 'duplicate' }]);
  });

  it('never sends into the silent per-member limit: the 31st message in a minute is handed back', async () => {
    const sender = createAppMessageSender(config({ limits: { maxPacingDelayMs: 0 } }));
    for (let i = 0; i < 30; i++) await sender.send(outbound({ to: to('lisi'), text: `n${i}` }));
    const error = (await thrown(() => sender.send(outbound({ to: to('lisi'), text: 'n30' })))) as SendError;
    expect(error.kind).toBe('rate-limited');
    expect(error.details.retryAfterMs).toBeGreaterThan(50_000);
    expect(error.details.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(fake.count('message/send')).toBe(30);
    expect(fake.dropped).toEqual([]);
    // Other members are not held up.
    await sender.send(outbound({ to: to('zhangsan') }));
  });

  it('paces: waits for a slot when it frees within maxPacingDelayMs', async () => {
    let now = 5_000_000;
    const waits: number[] = [];
    const sender = createAppMessageSender(
      config({ limits: { perMemberPerMinute: 2, maxPacingDelayMs: 60_000 } }),
      {
        now: () => now,
        sleep: async (ms) => {
          waits.push(ms);
          now += ms;
        },
      },
    );
    await sender.send(outbound({ to: to('m1'), text: 'a' }));
    now += 10_000;
    await sender.send(outbound({ to: to('m1'), text: 'b' }));
    await sender.send(outbound({ to: to('m1'), text: 'c' }));
    expect(waits).toEqual([50_000]);
    expect(fake.count('message/send')).toBe(3);
  });

  it('keeps the hourly limit too', async () => {
    let now = 9_000_000;
    const sender = createAppMessageSender(
      config({ limits: { perMemberPerMinute: 100, perMemberPerHour: 3, maxPacingDelayMs: 0 } }),
      { now: () => now },
    );
    for (const text of ['a', 'b', 'c']) {
      await sender.send(outbound({ to: to('m2'), text }));
      now += 5 * 60_000;
    }
    const error = (await thrown(() => sender.send(outbound({ to: to('m2'), text: 'd' })))) as SendError;
    expect(error.kind).toBe('rate-limited');
    expect(error.details.retryAfterMs).toBe(60 * 60_000 - 15 * 60_000);
  });

  it('test() sends a harmless message', async () => {
    const result = await createAppMessageSender(config()).test!(to('zhangsan'));
    expect(result.status).toBe('sent');
    expect((fake.delivered[0]!.body.text as { content: string }).content).toMatch(/^sopflow test message/);
  });
});
