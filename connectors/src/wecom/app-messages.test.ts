import { describe, expect, it } from 'vitest';
import { readAppMessage } from './app-messages';
import { parseEventXml } from './callback';
import { appTextMessageXml } from './fake-callbacks';

describe("members' messages to the WeCom app", () => {
  it('read as a reply from the member on wechat, by their WeCom user id', () => {
    const xml = appTextMessageXml('ww-corp', {
      from: 'lisi',
      content: '收到，明天到',
      agentId: 1000002,
      msgId: '1234567',
    });
    expect(readAppMessage(parseEventXml(xml))).toEqual({
      kind: 'reply',
      id: 'wecom:msg:1234567',
      channel: 'wechat',
      from: ['lisi'],
      addressKind: 'wecomUserId',
      text: '收到，明天到',
      honoursOptIn: false,
      payload: { msgType: 'text', agentId: '1000002' },
    });
  });

  it('keep what an image or a link carries, with no text', () => {
    const xml =
      '<xml><ToUserName>ww-corp</ToUserName><FromUserName>lisi</FromUserName><CreateTime>1718000000</CreateTime>' +
      '<MsgType>image</MsgType><PicUrl>https://p.example/1.jpg</PicUrl><MediaId>m1</MediaId><MsgId>99</MsgId>' +
      '<AgentID>1000002</AgentID></xml>';
    expect(readAppMessage(parseEventXml(xml))).toMatchObject({
      text: '',
      payload: { msgType: 'image', picUrl: 'https://p.example/1.jpg', mediaId: 'm1' },
    });
  });

  it('are not events (entering the app, menu clicks, customer changes)', () => {
    const xml =
      '<xml><ToUserName>ww-corp</ToUserName><FromUserName>lisi</FromUserName><MsgType>event</MsgType>' +
      '<Event>enter_agent</Event><AgentID>1000002</AgentID></xml>';
    expect(readAppMessage(parseEventXml(xml))).toBeUndefined();
  });
});
