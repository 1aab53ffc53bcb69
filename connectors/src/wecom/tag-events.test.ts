import { describe, expect, it } from 'vitest';
import type { InboundRequest } from '../inbound';
import { encryptForTest, parseEventXml } from './callback';
import { CallbackConfig } from './config';
import { SYNC_CORP_TAGS_JOB } from './corp-tags';
import { weComCallbackHandler } from './inbound';
import { readCorpTagChange } from './tag-events';

/** A `change_external_tag` event as WeCom writes it (developer.work.weixin.qq.com, 企业客户标签事件). */
const tagEvent = (changeType: string, fields: Record<string, string> = {}) =>
  '<xml><ToUserName><![CDATA[ww-corp]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>' +
  '<CreateTime>1718000000</CreateTime><MsgType><![CDATA[event]]></MsgType>' +
  `<Event><![CDATA[change_external_tag]]></Event><ChangeType><![CDATA[${changeType}]]></ChangeType>` +
  Object.entries(fields)
    .map(([name, value]) => `<${name}><![CDATA[${value}]]></${name}>`)
    .join('') +
  '</xml>';

describe("WeCom's change_external_tag event", () => {
  it.each([
    ['create', { Id: 'etTag1', TagType: 'tag' }],
    ['update', { Id: 'etGroup1', TagType: 'tag_group' }],
    ['delete', { Id: 'etTag1', TagType: 'tag' }],
  ])('reads a %s of a tag or group with its id and type', (changeType, fields) => {
    expect(readCorpTagChange(parseEventXml(tagEvent(changeType, fields)))).toEqual({
      changeType,
      tagType: fields.TagType,
      id: fields.Id,
      at: 1718000000_000,
    });
  });

  it('reads a shuffle of all groups (no id) and of a rule group’s tags (StrategyId)', () => {
    expect(readCorpTagChange(parseEventXml(tagEvent('shuffle')))).toEqual({
      changeType: 'shuffle',
      at: 1718000000_000,
    });
    expect(
      readCorpTagChange(parseEventXml(tagEvent('shuffle', { Id: 'etGroup1', StrategyId: '7' }))),
    ).toMatchObject({ changeType: 'shuffle', id: 'etGroup1', strategyId: '7' });
  });

  it('is not read from other events, nor from a change type WeCom does not document', () => {
    const chat = tagEvent('create').replace('change_external_tag', 'change_external_chat');
    expect(readCorpTagChange(parseEventXml(chat))).toBeUndefined();
    expect(readCorpTagChange(parseEventXml(tagEvent('rename', { Id: 'etTag1' })))).toBeUndefined();
  });

  it('comes out of the signed, encrypted callback as a read of the corp tag list in the background', async () => {
    const config = CallbackConfig.parse({
      token: 'token',
      encodingAESKey: 'b'.repeat(43),
      receiveId: 'ww-corp',
    });
    const delivery = encryptForTest(config, tagEvent('delete', { Id: 'etTag1', TagType: 'tag' }));
    const request: InboundRequest = {
      method: 'POST',
      publicUrl: 'https://ops.example.com/api/inbound/wecom',
      params: {},
      query: delivery.query,
      header: () => undefined,
      text: async () => delivery.body,
      json: async () => undefined,
    };
    const answer = await weComCallbackHandler.handle(request, {
      routeSecret: async () => undefined,
      settings: config,
    });
    expect(answer).toMatchObject({ status: 200, body: '' });
    expect(answer.facts).toEqual([{ kind: 'job', job: SYNC_CORP_TAGS_JOB, only: 'corp' }]);
  });
});
