import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeRequest, type FakeServer, startFakeServer } from '../shared/fake-http-server';
import { handleOfficialAccountCallback } from './callback';
import { type FakeOfficialAccount, startFakeOfficialAccount } from './official-account-fake';

const config = {
  token: 'oaToken2024',
  encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  appId: 'wx1234567890abcdef',
};

describe("the fake Official Account's pushes", () => {
  let receiver: FakeServer;
  let fake: FakeOfficialAccount;
  /** What the receiver got, opened as sopflow opens it; and how many calls to refuse first. */
  const received: { name: string; scene?: string }[] = [];
  let refuse = 0;

  beforeAll(async () => {
    receiver = await startFakeServer((req: FakeRequest) => {
      if (refuse > 0) {
        refuse--;
        return { status: 503, body: 'busy' };
      }
      const outcome = handleOfficialAccountCallback(config, {
        method: req.method,
        query: Object.fromEntries(req.url.searchParams),
        body: req.body,
      });
      if (outcome.kind === 'delivery' && outcome.event)
        received.push(outcome.event.action as { name: string; scene?: string });
      return { body: outcome.reply };
    });
    fake = await startFakeOfficialAccount({ appId: config.appId, appSecret: 'secret' });
    fake.callbackTo({ url: `${receiver.url}/api/inbound/wechat-oa`, ...config, mode: 'safe' });
  });
  afterAll(async () => {
    await fake.close();
    await receiver.close();
  });

  it('push signed and encrypted, and try three more times while the answer is not a 200, as WeChat does', async () => {
    refuse = 2;
    const attempts = await fake.act('o-pushed', { type: 'text', content: 'hi' });
    expect(attempts.map((a) => a.status)).toEqual([503, 503, 200]);
    expect(attempts.at(-1)?.body).toBe('success');
    refuse = 10;
    expect((await fake.act('o-pushed', { type: 'click', key: 'K' })).map((a) => a.status)).toEqual([
      503, 503, 503, 503,
    ]);
    refuse = 0;
  });

  it("push a poster's scan by someone not following as a follow, as WeChat does", async () => {
    received.length = 0;
    await fake.act('o-new', { type: 'scan', scene: 'poster-1' });
    await fake.act('o-new', { type: 'scan', scene: 'poster-2' });
    expect(received).toEqual([
      { name: 'oa.subscribed', via: 'subscribe', scene: 'poster-1', ticket: expect.any(String) },
      { name: 'oa.subscribed', via: 'scan', scene: 'poster-2', ticket: expect.any(String) },
    ]);
  });
});
