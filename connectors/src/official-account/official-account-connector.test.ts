import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { memoryStorage } from '../shared/memory-storage';
import { isOptedOut } from '../shared/provider-errors';
import { outbound, sendFailure } from '../sms/fakes/messages';
import {
  classifyOfficialAccountError,
  officialAccountConfigSchema,
  officialAccountConnector,
} from './official-account-connector';
import { type FakeOfficialAccount, startFakeOfficialAccount } from './official-account-fake';
import { recordInteraction } from './service-window';

const app = { appId: 'wx1234567890abcdef', appSecret: 'app-secret' };
const context = { storage: memoryStorage() };
const HOUR = 3_600_000;

describe('wechat-oa against the fake Official Account API', () => {
  let fake: FakeOfficialAccount;
  beforeAll(async () => {
    fake = await startFakeOfficialAccount({ ...app, templates: ['TPL_ORDER', 'TPL_EVENT'] });
  });
  afterAll(() => fake.close());

  let n = 0;
  let openId: string;
  beforeEach(() => {
    openId = `o-follower-${n++}`;
    fake.user(openId, { following: true, lastInteractionAt: Date.now() - HOUR });
  });

  const connector = (overrides: Record<string, unknown> = {}) =>
    officialAccountConnector.create(
      officialAccountConfigSchema.parse({ ...app, baseUrl: fake.url, timeoutMs: 1000, ...overrides }),
      context,
    );
  const to = () => ({ id: 'c', openId });
  const oa = (overrides: Parameters<typeof outbound>[0] = {}) =>
    outbound({ channel: 'wechat_oa', to: to(), ...overrides });

  it('sends customer-service text and reuses the cached stable token', async () => {
    const instance = connector();
    const before = fake.tokenRequests.length;
    await instance.send(oa({ text: '欢迎加入社群' }));
    await instance.send(oa({ text: '第二条' }));
    expect(fake.tokenRequests.length - before).toBe(1);
    expect(fake.tokenRequests.at(-1)).toEqual({ mode: 'stable', forceRefresh: false });
    const sent = fake.delivered.filter((d) => d.openId === openId);
    expect(sent.map((d) => d.body)).toEqual([
      { touser: openId, msgtype: 'text', text: { content: '欢迎加入社群' } },
      { touser: openId, msgtype: 'text', text: { content: '第二条' } },
    ]);
  });

  it('sends news with the first article only', async () => {
    await connector().send(
      oa({
        articles: [
          {
            title: '活动',
            description: '周六见',
            url: 'https://example.com/a',
            picUrl: 'https://example.com/a.png',
          },
          { title: 'ignored', url: 'https://example.com/b' },
        ],
      }),
    );
    expect(fake.delivered.at(-1)?.body).toEqual({
      touser: openId,
      msgtype: 'news',
      news: {
        articles: [
          {
            title: '活动',
            description: '周六见',
            url: 'https://example.com/a',
            picurl: 'https://example.com/a.png',
          },
        ],
      },
    });
  });

  it('sends a template message (data, link, client_msg_id) and does not repeat it for the same key', async () => {
    const message = oa({
      template: {
        id: 'TPL_ORDER',
        params: { thing1: '读书会', time2: '2024-05-01 19:00', _url: 'https://example.com/e/1' },
      },
    });
    const first = await connector().send(message);
    const again = await connector().send(message); // a retry after, say, a lost answer
    expect(first).toEqual({ status: 'sent', providerMessageId: expect.stringMatching(/^\d+$/) });
    expect(again.providerMessageId).toBe(first.providerMessageId);
    const sent = fake.delivered.filter((d) => d.openId === openId);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body).toEqual({
      touser: openId,
      template_id: 'TPL_ORDER',
      url: 'https://example.com/e/1',
      client_msg_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      data: { thing1: { value: '读书会' }, time2: { value: '2024-05-01 19:00' } },
    });
  });

  it('refetches the token once when it expired (42001) or was replaced (40001)', async () => {
    const instance = connector();
    await instance.send(oa());
    const before = fake.tokenRequests.length;
    fake.expireTokens();
    await instance.send(oa());
    fake.revokeTokens();
    await instance.send(oa());
    expect(fake.tokenRequests.length - before).toBe(2);
    expect(fake.delivered.filter((d) => d.openId === openId)).toHaveLength(3);
  });

  it('uses /cgi-bin/token in classic mode', async () => {
    await connector({ tokenMode: 'classic' }).send(oa());
    expect(fake.tokenRequests.at(-1)).toEqual({ mode: 'classic' });
  });

  it('gives up after one refresh when the token keeps failing (retryable)', async () => {
    fake.script(openId, 40001);
    const error = await sendFailure(connector().send(oa()));
    expect(error).toMatchObject({ kind: 'retryable', details: { providerCode: 40001 } });
  });

  it('fails permanently with a wrong AppSecret', async () => {
    const error = await sendFailure(connector({ appSecret: 'wrong' }).send(oa()));
    expect(error).toMatchObject({ kind: 'permanent', details: { providerCode: 40125 } });
  });

  it('maps 45015 (outside the 48-hour window) to permanent outside_48h_window, not opted out', async () => {
    fake.user(openId, { following: true, lastInteractionAt: Date.now() - 72 * HOUR });
    const error = await sendFailure(connector().send(oa()));
    expect(error).toMatchObject({ kind: 'permanent', details: { providerCode: 45015 } });
    expect(error.message).toMatch(/outside_48h_window: .*template.*超出 48 小时客服消息窗口/);
    expect(isOptedOut(error)).toBe(false);
  });

  it('refuses a customer-service message itself when the callbacks saw no interaction for 48 h; a template goes', async () => {
    const storage = memoryStorage();
    const own = officialAccountConnector.create(
      officialAccountConfigSchema.parse({ ...app, baseUrl: fake.url, timeoutMs: 1000 }),
      { storage },
    );
    await recordInteraction(storage.records, openId, Date.now() - 49 * HOUR);
    // An older callback retried late does not move the interaction back.
    await recordInteraction(storage.records, openId, Date.now() - 60 * HOUR);
    const before = fake.delivered.length;
    const error = await sendFailure(own.send(oa({ text: '自由消息' })));
    expect(error).toMatchObject({ kind: 'permanent', details: { providerCode: 'outside_48h_window' } });
    expect(error.message).toMatch(/outside_48h_window.*超出 48 小时/);
    expect(fake.delivered.length).toBe(before);

    await expect(
      own.send(oa({ template: { id: 'TPL_EVENT', params: { thing1: '活动提醒' } } })),
    ).resolves.toMatchObject({ status: 'sent' });
    expect(fake.delivered.at(-1)).toMatchObject({ kind: 'template', openId });

    await recordInteraction(storage.records, openId, Date.now() - HOUR);
    await expect(own.send(oa({ text: '欢迎回来' }))).resolves.toMatchObject({ status: 'sent' });
    expect(fake.delivered.at(-1)).toMatchObject({ kind: 'custom', openId });
  });

  it('flags 43004 (no longer following) as opted out', async () => {
    fake.user(openId, { following: false });
    const error = await sendFailure(
      connector().send(oa({ template: { id: 'TPL_EVENT', params: { thing1: 'x' } } })),
    );
    expect(error.kind).toBe('permanent');
    expect(isOptedOut(error)).toBe(true);
  });

  it('maps 40003 (invalid openid) and 40037 (invalid template) to permanent', async () => {
    const unknown = await sendFailure(connector().send(oa({ to: { id: 'c', openId: 'o-nobody' } })));
    expect(unknown).toMatchObject({ kind: 'permanent', details: { providerCode: 40003 } });
    const badTemplate = await sendFailure(connector().send(oa({ template: { id: 'TPL_NOPE', params: {} } })));
    expect(badTemplate).toMatchObject({ kind: 'permanent', details: { providerCode: 40037 } });
  });

  it('maps 45009 and 45011 to rate-limited', async () => {
    fake.script(openId, 45009);
    const daily = await sendFailure(connector().send(oa()));
    expect(daily.kind).toBe('rate-limited');
    expect(daily.details.retryAfterMs).toBeGreaterThan(0);
    fake.script(openId, 45011);
    const minute = await sendFailure(connector().send(oa()));
    expect(minute).toMatchObject({ kind: 'rate-limited', details: { retryAfterMs: 60_000 } });

    const cfg = officialAccountConfigSchema.parse(app);
    expect(
      classifyOfficialAccountError(
        45009,
        'reach max api daily quota limit',
        cfg,
        new Date('2024-05-01T14:00:00Z'),
      ),
    ).toMatchObject({ details: { retryAfterMs: 2 * HOUR + 60_000 } });
  });

  it('retries -1 (system busy) and timeouts', async () => {
    fake.script(openId, -1, { once: true });
    expect((await sendFailure(connector().send(oa()))).kind).toBe('retryable');
    fake.script(openId, { delayMs: 3000, body: { errcode: 0 } }, { once: true });
    expect((await sendFailure(connector().send(oa()))).kind).toBe('retryable');
    await expect(connector().send(oa())).resolves.toMatchObject({ status: 'sent' });
  });

  it('needs an OpenID', async () => {
    const error = await sendFailure(connector().send(oa({ to: { id: 'c', phone: '+8613800138000' } })));
    expect(error).toMatchObject({ kind: 'permanent', details: { providerCode: 'no-openid' } });
  });
});
