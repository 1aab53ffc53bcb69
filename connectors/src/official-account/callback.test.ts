import { describe, expect, it } from 'vitest';
import { type EventFields, WechatCallbackError } from '../shared/wechat-callback-crypto';
import { handleOfficialAccountCallback, readFollowerEvent, signCallback } from './callback';
import { followerXml, templateSendJobFinishXml } from './fake-callbacks';

const config = {
  token: 'oaToken2024',
  encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  appId: 'wx1234567890abcdef',
};
const OPEN_ID = 'o6_bmjrPTlm6_2sgVt7hMZOPfL2M';

const deliver = (xml: string, mode: 'plain' | 'compatible' | 'safe', cfg = config) => {
  const { query, body } = signCallback(config, xml, mode);
  return handleOfficialAccountCallback(cfg, { method: 'POST', query, body });
};
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WechatCallbackError);
    return (error as WechatCallbackError).code;
  }
  throw new Error('Expected a throw');
};

describe('Official Account server callback', () => {
  it("answers the URL check of WeChat's documented example with its echostr", () => {
    // developers.weixin.qq.com: Token "AAAAA", the GET WeChat sends when the URL is saved.
    const query = {
      signature: 'f464b24fc39322e44b38aa78f5edd27bd1441696',
      echostr: '4375120948345356249',
      timestamp: '1714036504',
      nonce: '1514711492',
    };
    expect(handleOfficialAccountCallback({ token: 'AAAAA' }, { method: 'GET', query })).toEqual({
      kind: 'verified',
      reply: '4375120948345356249',
    });
    expect(codeOf(() => handleOfficialAccountCallback({ token: 'AAAAB' }, { method: 'GET', query }))).toBe(
      'bad-signature',
    );
    expect(
      codeOf(() =>
        handleOfficialAccountCallback(
          { token: 'AAAAA' },
          { method: 'GET', query: { ...query, echostr: '' } },
        ),
      ),
    ).toBe('malformed');
  });

  it("checks a plain-mode push by its signature (WeChat's documented example)", () => {
    const query = {
      signature: '899cf89e464efb63f54ddac96b0a0a235f53aa78',
      timestamp: '1714037059',
      nonce: '486452656',
    };
    const xml = followerXml('gh_97417a04a28d', OPEN_ID, { type: 'text', content: '你好' }, 1714037059);
    const outcome = handleOfficialAccountCallback({ token: 'AAAAA' }, { method: 'POST', query, body: xml });
    expect(outcome).toMatchObject({
      kind: 'delivery',
      reply: 'success',
      event: {
        openId: OPEN_ID,
        at: 1714037059_000,
        action: { name: 'message.received', text: '你好', messageType: 'text' },
        interaction: true,
      },
    });
    expect(
      codeOf(() =>
        handleOfficialAccountCallback(
          { token: 'AAAAA' },
          { method: 'POST', query: { ...query, nonce: '1' }, body: xml },
        ),
      ),
    ).toBe('bad-signature');
  });

  it('decrypts safe and compatible mode, and refuses a wrong msg_signature, key or AppID', () => {
    const xml = followerXml('gh_x', OPEN_ID, { type: 'subscribe', scene: 'poster-42' }, 1718000000);
    for (const mode of ['safe', 'compatible'] as const) {
      expect(deliver(xml, mode)).toMatchObject({
        event: {
          id: expect.stringMatching(new RegExp(`^oa:evt:${OPEN_ID}:1718000000:subscribe:[0-9a-f]{16}$`)),
          action: { name: 'oa.subscribed', via: 'subscribe', scene: 'poster-42', ticket: expect.any(String) },
          interaction: true,
        },
      });
    }
    const { query, body } = signCallback(config, xml, 'safe');
    expect(body).not.toContain(OPEN_ID);
    expect(
      codeOf(() =>
        handleOfficialAccountCallback(config, {
          method: 'POST',
          query: { ...query, msg_signature: query.signature },
          body,
        }),
      ),
    ).toBe('bad-signature');
    expect(codeOf(() => deliver(xml, 'safe', { ...config, appId: 'wx-another' }))).toBe(
      'receive-id-mismatch',
    );
    expect(
      codeOf(() =>
        deliver(xml, 'safe', { ...config, encodingAESKey: 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210abcdefg' }),
      ),
    ).toBe('malformed');
    expect(codeOf(() => deliver(xml, 'safe', { token: config.token } as typeof config))).toBe('bad-config');
  });

  it('reads follows, scans, leaving, menu clicks and messages; only interactions open the window', () => {
    const read = (action: Parameters<typeof followerXml>[2]) =>
      readFollowerEvent(
        (deliver(followerXml('gh_x', OPEN_ID, action, 1718000000), 'plain') as { fields: EventFields })
          .fields,
      );
    expect(read({ type: 'subscribe' })).toMatchObject({
      action: { name: 'oa.subscribed', via: 'subscribe' },
      interaction: true,
    });
    expect(read({ type: 'subscribe' })?.action).not.toHaveProperty('scene');
    expect(read({ type: 'scan', scene: '1001' })).toMatchObject({
      action: { name: 'oa.subscribed', via: 'scan', scene: '1001' },
      interaction: true,
    });
    expect(read({ type: 'unsubscribe' })).toMatchObject({
      action: { name: 'oa.unsubscribed' },
      interaction: false,
    });
    expect(read({ type: 'click' as const, key: 'V1001_GOOD' })).toMatchObject({
      action: { name: 'menu.clicked', kind: 'click', key: 'V1001_GOOD' },
      interaction: true,
    });
    expect(read({ type: 'view', url: 'https://example.com/shop' })).toMatchObject({
      action: { name: 'menu.clicked', kind: 'view', key: 'https://example.com/shop' },
      interaction: false,
    });
    const message = read({ type: 'text', content: '报名' });
    expect(message?.id).toMatch(/^oa:msg:\d+$/);
    expect(message?.action).toMatchObject({ name: 'message.received', text: '报名' });
    // An event sopflow does not read is still answered.
    const other = `<xml><ToUserName>gh_x</ToUserName><FromUserName>${OPEN_ID}</FromUserName><CreateTime>1718000000</CreateTime><MsgType>event</MsgType><Event>TEMPLATESENDJOBFINISH</Event></xml>`;
    expect(deliver(other, 'safe')).toMatchObject({ kind: 'delivery', reply: 'success' });
    expect(deliver(other, 'safe')).not.toHaveProperty('event');
  });

  it('gives every retry of a delivery the same id', () => {
    const xml = followerXml('gh_x', OPEN_ID, { type: 'click', key: 'K' }, 1718000000);
    const first = deliver(xml, 'safe') as { event: { id: string } };
    const retry = deliver(xml, 'safe') as { event: { id: string } };
    expect(retry.event.id).toBe(first.event.id);
    const later = deliver(followerXml('gh_x', OPEN_ID, { type: 'click', key: 'K' }, 1718000001), 'safe');
    expect((later as { event: { id: string } }).event.id).not.toBe(first.event.id);
  });
});

describe('template send job results (TEMPLATESENDJOBFINISH)', () => {
  it('reads the msgid and whether the follower got it, in every mode', () => {
    const xml = templateSendJobFinishXml('gh_account', OPEN_ID, 200163836, 'success', 1_796_000_000);
    for (const mode of ['plain', 'safe'] as const) {
      const outcome = deliver(xml, mode);
      expect(outcome).toMatchObject({
        kind: 'delivery',
        reply: 'success',
        templateResult: {
          msgId: '200163836',
          openId: OPEN_ID,
          at: 1_796_000_000_000,
          delivered: true,
          status: 'success',
        },
      });
    }
    const blocked = deliver(templateSendJobFinishXml('gh_account', OPEN_ID, 7, 'failed:user block'), 'plain');
    expect(blocked).toMatchObject({
      templateResult: { msgId: '7', delivered: false, status: 'failed:user block' },
    });
    // Not a follower's action.
    expect(blocked).not.toHaveProperty('event');
  });
});
