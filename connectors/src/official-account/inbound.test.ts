import { describe, expect, it } from 'vitest';
import { type InboundContext, InboundRefusal, type InboundRequest } from '../inbound';
import { memoryStorage } from '../shared/memory-storage';
import { signCallback } from './callback';
import { type FakeFollowerAction, followerXml } from './fake-callbacks';
import { officialAccountCallbackHandler } from './inbound';
import { lastInteraction } from './service-window';

const settings = {
  token: 'oaToken2024',
  encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  appId: 'wx1234567890abcdef',
};
const OPEN_ID = 'oFollower0000000000000000001';

function request(query: Record<string, string>, body: string, method = 'POST'): InboundRequest {
  return {
    method,
    publicUrl: 'https://sopflow.example.com/api/inbound/wechat-oa',
    params: {},
    query,
    header: () => undefined,
    text: async () => body,
    json: async () => undefined,
  };
}

describe('the Official Account inbound handler', () => {
  const storage = memoryStorage();
  const context: InboundContext = { routeSecret: async () => undefined, settings, records: storage.records };
  const push = (action: FakeFollowerAction, createTime: number, ctx = context) => {
    const { query, body } = signCallback(settings, followerXml('gh_x', OPEN_ID, action, createTime), 'safe', {
      timestamp: String(createTime),
    });
    return officialAccountCallbackHandler.handle(request(query, body), ctx);
  };
  const now = () => Math.floor(Date.now() / 1000);

  it('turns a scene-QR follow into oa.subscribed that opts the follower in, and notes the interaction', async () => {
    const at = now();
    const answer = await push({ type: 'subscribe', scene: 'store-7' }, at);
    expect(answer).toMatchObject({ status: 200, body: 'success' });
    expect(answer.facts).toEqual([
      {
        kind: 'contact-event',
        id: expect.stringMatching(new RegExp(`^oa:evt:${OPEN_ID}:${at}:subscribe:`)),
        address: { kind: 'openId', value: OPEN_ID },
        newContactId: `openId:${OPEN_ID}`,
        name: 'oa.subscribed',
        payload: {
          channel: 'wechat_oa',
          openId: OPEN_ID,
          via: 'subscribe',
          scene: 'store-7',
          ticket: expect.any(String),
          at: at * 1000,
        },
        subscription: { channel: 'wechat_oa', subscribed: true },
      },
    ]);
    expect(await lastInteraction(storage.records, OPEN_ID)).toBe(at * 1000);
  });

  it('turns leaving into oa.unsubscribed (an opt-out) without opening the window; a view click does not either', async () => {
    const before = await lastInteraction(storage.records, OPEN_ID);
    const left = await push({ type: 'unsubscribe' }, now() + 1);
    expect(left.facts[0]).toMatchObject({
      name: 'oa.unsubscribed',
      subscription: { channel: 'wechat_oa', subscribed: false },
    });
    const viewed = await push({ type: 'view', url: 'https://example.com' }, now() + 2);
    expect(viewed.facts[0]).toMatchObject({ name: 'menu.clicked', payload: { kind: 'view' } });
    expect(viewed.facts[0]).not.toHaveProperty('subscription');
    expect(await lastInteraction(storage.records, OPEN_ID)).toBe(before);
  });

  it('turns text into message.received and clicks into menu.clicked', async () => {
    const text = await push({ type: 'text', content: '我想报名' }, now());
    expect(text.facts[0]).toMatchObject({
      name: 'message.received',
      payload: { channel: 'wechat_oa', text: '我想报名', messageType: 'text' },
    });
    const click = await push({ type: 'click', key: 'SIGN_UP' }, now());
    expect(click.facts[0]).toMatchObject({
      name: 'menu.clicked',
      payload: { kind: 'click', key: 'SIGN_UP' },
    });
  });

  it('answers the URL check, and refuses stale, badly signed or unconfigured calls', async () => {
    const { query } = signCallback(settings, '<xml></xml>', 'plain');
    const check = await officialAccountCallbackHandler.handle(
      request({ ...query, echostr: '7350243312' }, '', 'GET'),
      context,
    );
    expect(check).toEqual({ status: 200, body: '7350243312', facts: [] });
    const refusal = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(await refusal(push({ type: 'text', content: 'old' }, now() - 3600))).toMatchObject({
      status: 401,
      code: 'stale',
    });
    expect(
      await refusal(
        push({ type: 'text', content: 'x' }, now(), {
          ...context,
          settings: { ...settings, token: 'other' },
        }),
      ),
    ).toMatchObject({ status: 401, code: 'bad-signature' });
    const unconfigured = await refusal(
      push({ type: 'text', content: 'x' }, now(), { ...context, settings: undefined }),
    );
    expect(unconfigured).toBeInstanceOf(InboundRefusal);
    expect(unconfigured).toMatchObject({ status: 404, code: 'not_configured' });
  });
});
