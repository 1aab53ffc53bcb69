import { describe, expect, it } from 'vitest';
import { InboundRefusal, type InboundRequest } from '../inbound';
import { encryptForTest, parseEventXml } from './callback';
import { CallbackConfig } from './config';
import { SYNC_CORP_TAGS_JOB } from './corp-tags';
import { customerEventXml } from './fake-callbacks';
import { weComCallbackFacts, weComCallbackHandler } from './inbound';

const request = (query: Record<string, string>): InboundRequest => ({
  method: 'GET',
  publicUrl: 'https://ops.example.com/api/inbound/wecom',
  params: {},
  query,
  header: () => undefined,
  text: async () => '',
  json: async () => undefined,
});

describe('the WeCom callback handler', () => {
  it('is not there until the server has the callback settings', async () => {
    const error = await weComCallbackHandler
      .handle(request({}), { routeSecret: async () => undefined })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InboundRefusal);
    expect(error).toMatchObject({ status: 404, code: 'not_configured' });
  });

  it('refuses a URL check WeCom did not sign', async () => {
    const settings = {
      token: 'token',
      encodingAESKey: 'a'.repeat(43),
      receiveId: 'ww-corp',
    };
    const query = { msg_signature: 'f'.repeat(40), timestamp: '1700000000', nonce: 'n', echostr: 'abc' };
    const error = await weComCallbackHandler
      .handle(request(query), { routeSecret: async () => undefined, settings })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, code: 'bad-signature' });
  });

  describe('refuses deliveries signed too long ago, so a captured one cannot be replayed', () => {
    const settings = {
      token: 'token',
      encodingAESKey: 'a'.repeat(43),
      receiveId: 'ww-corp',
      maxAgeSeconds: '300',
    };
    const config = CallbackConfig.parse({
      token: settings.token,
      encodingAESKey: settings.encodingAESKey,
      receiveId: settings.receiveId,
    });
    const xml =
      '<xml><ToUserName><![CDATA[ww-corp]]></ToUserName><MsgType><![CDATA[event]]></MsgType>' +
      '<Event><![CDATA[change_external_chat]]></Event><ChatId><![CDATA[wr1]]></ChatId>' +
      '<ChangeType><![CDATA[update]]></ChangeType><UpdateDetail><![CDATA[add_member]]></UpdateDetail>' +
      '<MemChangeList><Item><![CDATA[wm1]]></Item></MemChangeList></xml>';
    const post = (secondsAgo: number) => {
      const delivery = encryptForTest(config, xml, {
        timestamp: String(Math.floor(Date.now() / 1000) - secondsAgo),
        nonce: 'n1',
      });
      return weComCallbackHandler
        .handle(
          {
            ...request(delivery.query as Record<string, string>),
            method: 'POST',
            text: async () => delivery.body,
          },
          { routeSecret: async () => undefined, settings },
        )
        .catch((e: unknown) => e);
    };

    it('takes one signed now or a few minutes ago (WeCom retries within seconds)', async () => {
      expect(await post(0)).toMatchObject({ status: 200 });
      expect(await post(290)).toMatchObject({ status: 200 });
    });

    it("reads a member change as untyped events and asks for a read of the group (kinds are WeCom's to say)", async () => {
      const answer = await post(0);
      expect(answer).toMatchObject({
        status: 200,
        body: '',
        facts: [{ kind: 'group-members', chatId: 'wr1', runJob: 'reconcile-groups' }],
      });
      const [fact] = (answer as { facts: { events: { memberId: string; payload: object }[] }[] }).facts;
      expect(fact!.events.map((e) => e.memberId)).toEqual(['wm1']);
      expect(fact!.events[0]!.payload).not.toHaveProperty('memberType');
    });

    it('refuses one signed longer ago than the window, or as far in the future', async () => {
      const stale = await post(600);
      expect(stale).toBeInstanceOf(InboundRefusal);
      expect(stale).toMatchObject({ status: 401, code: 'stale' });
      expect(await post(-600)).toMatchObject({ status: 401, code: 'stale' });
    });
  });
});

describe('what a WeCom event delivery means', () => {
  const factsOf = (xml: string) =>
    weComCallbackFacts({ kind: 'event', reply: '', deliveryKey: 'k', fields: parseEventXml(xml) });
  const chat = (changeType: string, detail = '') =>
    `<xml><ToUserName>ww-corp</ToUserName><MsgType>event</MsgType><Event>change_external_chat</Event>` +
    `<ChatId>wr1</ChatId><ChangeType>${changeType}</ChangeType>${detail ? `<UpdateDetail>${detail}</UpdateDetail>` : ''}</xml>`;

  it('a customer adding a staff member is a contact event', () => {
    const xml = customerEventXml('ww-corp', {
      changeType: 'add_external_contact',
      staffId: 's',
      externalUserId: 'wm1',
    });
    expect(factsOf(xml)).toMatchObject([{ kind: 'contact-event', name: 'wecom.customer_added' }]);
  });

  it('a new group is watched and read for its first members; a dissolved one is watched no more', () => {
    expect(factsOf(chat('create'))).toEqual([
      { kind: 'group-members', chatId: 'wr1', events: [], runJob: 'reconcile-groups' },
    ]);
    expect(factsOf(chat('dismiss'))).toEqual([{ kind: 'group-dissolved', chatId: 'wr1' }]);
  });

  it("a group's new owner, name or notice means nothing for its members' flows", () => {
    for (const detail of ['change_owner', 'change_name', 'change_notice'])
      expect(factsOf(chat('update', detail))).toEqual([]);
  });

  it('a corp tag change is a read of the corp tag list in the background, nothing about a contact', () => {
    expect(
      factsOf(
        '<xml><MsgType>event</MsgType><Event>change_external_tag</Event><Id>t1</Id><ChangeType>create</ChangeType></xml>',
      ),
    ).toEqual([{ kind: 'job', job: SYNC_CORP_TAGS_JOB, only: 'corp' }]);
  });
});
