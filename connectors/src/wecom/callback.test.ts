import { describe, expect, it } from 'vitest';
import {
  callbackSignature,
  decryptMessage,
  deliveryKeyOf,
  echoForTest,
  encryptForTest,
  encryptMessage,
  handleWeComCallback,
  parseEventXml,
  readGroupMemberChange,
  verifyCallbackUrl,
  WeComCallbackError,
} from './callback';
import { CallbackConfig } from './config';

/** The sample of WeCom's crypto docs and official libraries (91144). */
const official = {
  token: 'QDG6eK',
  encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  receiveId: 'wx5823bf96d3bd56c7',
};
const config = CallbackConfig.parse({
  token: 'sopflow-token',
  encodingAESKey: 'kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aQ',
  receiveId: 'ww-fake-corp',
});

const groupEvent = (detail: string, extra = '', createTime = 1718000000) =>
  `<xml><ToUserName><![CDATA[ww-fake-corp]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>` +
  `<CreateTime>${createTime}</CreateTime><MsgType><![CDATA[event]]></MsgType>` +
  `<Event><![CDATA[change_external_chat]]></Event><ChatId><![CDATA[wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA]]></ChatId>` +
  `<ChangeType><![CDATA[update]]></ChangeType><UpdateDetail><![CDATA[${detail}]]></UpdateDetail>${extra}</xml>`;

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(WeComCallbackError);
    return (error as WeComCallbackError).code;
  }
  throw new Error('Expected a throw');
};

describe('WeCom callback crypto', () => {
  it('answers the URL check of the official sample', () => {
    const query = {
      msg_signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
      timestamp: '1409659589',
      nonce: '263014780',
      echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
    };
    expect(callbackSignature(official.token, query.timestamp, query.nonce, query.echostr)).toBe(
      query.msg_signature,
    );
    expect(verifyCallbackUrl(official, query)).toBe('1616140317555161061');
    // A framework that decoded `+` in the query as a space.
    expect(verifyCallbackUrl(official, { ...query, echostr: query.echostr.replace(/\+/g, ' ') })).toBe(
      '1616140317555161061',
    );
    expect(handleWeComCallback(official, { method: 'GET', query })).toEqual({
      kind: 'verified',
      reply: '1616140317555161061',
    });
  });

  it('refuses a URL check with a bad signature or for another corp', () => {
    const query = echoForTest(config, 'echo-123');
    expect(verifyCallbackUrl(config, query)).toBe('echo-123');
    expect(codeOf(() => verifyCallbackUrl(config, { ...query, msg_signature: '0'.repeat(40) }))).toBe(
      'bad-signature',
    );
    expect(codeOf(() => verifyCallbackUrl(config, { ...query, nonce: 'other' }))).toBe('bad-signature');
    expect(codeOf(() => verifyCallbackUrl({ ...config, token: 'other' }, query))).toBe('bad-signature');
    expect(codeOf(() => verifyCallbackUrl({ ...config, receiveId: 'ww-other-corp' }, query))).toBe(
      'receive-id-mismatch',
    );
    expect(codeOf(() => verifyCallbackUrl(config, { ...query, echostr: undefined }))).toBe('malformed');
  });

  it('round-trips across padding edges, including a plaintext that is already a multiple of 32', () => {
    const overhead = 16 + 4 + Buffer.byteLength(config.receiveId);
    for (let length = 0; length <= 70; length++) {
      const message = 'x'.repeat(length);
      const encrypted = encryptMessage(config.encodingAESKey, message, config.receiveId);
      const plainLength = overhead + length;
      const pad = 32 - (plainLength % 32);
      expect(Buffer.from(encrypted, 'base64').length).toBe(plainLength + pad);
      expect(decryptMessage(config.encodingAESKey, encrypted, config.receiveId)).toBe(message);
    }
    // A full block of padding: 32 bytes of 32.
    const aligned = 'y'.repeat(64 - overhead);
    const encrypted = encryptMessage(config.encodingAESKey, aligned, config.receiveId);
    expect(Buffer.from(encrypted, 'base64').length).toBe(64 + 32);
    expect(decryptMessage(config.encodingAESKey, encrypted, config.receiveId)).toBe(aligned);
    // Multi-byte text is counted in bytes.
    const chinese = '入群欢迎'.repeat(9);
    expect(
      decryptMessage(
        config.encodingAESKey,
        encryptMessage(config.encodingAESKey, chinese, config.receiveId),
        config.receiveId,
      ),
    ).toBe(chinese);
  });

  it('refuses bad padding, broken blocks and a wrong key', () => {
    const encrypted = Buffer.from(encryptMessage(config.encodingAESKey, 'hello', config.receiveId), 'base64');
    const tampered = Buffer.from(encrypted);
    tampered[tampered.length - 1]! ^= 0xff;
    expect(
      codeOf(() => decryptMessage(config.encodingAESKey, tampered.toString('base64'), config.receiveId)),
    ).toBe('malformed');
    expect(
      codeOf(() =>
        decryptMessage(config.encodingAESKey, encrypted.subarray(0, 20).toString('base64'), config.receiveId),
      ),
    ).toBe('malformed');
    expect(
      codeOf(() => decryptMessage(official.encodingAESKey, encrypted.toString('base64'), config.receiveId)),
    ).toMatch(/malformed|receive-id-mismatch/);
    expect(codeOf(() => decryptMessage('short', encrypted.toString('base64'), config.receiveId))).toBe(
      'bad-config',
    );
  });
});

describe('WeCom callback events', () => {
  const members =
    '<JoinScene>3</JoinScene><QuitScene>0</QuitScene><MemChangeCnt>2</MemChangeCnt>' +
    '<MemChangeList><Item><![CDATA[wm-a]]></Item><Item><![CDATA[wm-b]]></Item></MemChangeList>' +
    '<LastMemVer><![CDATA[9c3f97c2ada667dfb5f6d03308d963e1]]></LastMemVer><CurMemVer><![CDATA[71217227bbd112ecfe3a49c482195cb4]]></CurMemVer>';

  it('decrypts a delivery and maps add_member to member.joined events, one per member', () => {
    const delivery = encryptForTest(config, groupEvent('add_member', members));
    const outcome = handleWeComCallback(
      config,
      { method: 'POST', query: delivery.query, body: delivery.body },
      (id) => (id === 'wm-a' ? 'contact-a' : undefined),
    );
    expect(outcome.kind).toBe('event');
    if (outcome.kind !== 'event') return;
    expect(outcome.reply).toBe('');
    expect(outcome.fields).toMatchObject({
      Event: 'change_external_chat',
      ChangeType: 'update',
      UpdateDetail: 'add_member',
      MemChangeList: ['wm-a', 'wm-b'],
      CreateTime: '1718000000',
    });
    const change = outcome.memberChange!;
    expect(change).toMatchObject({
      chatId: 'wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA',
      change: 'add_member',
      memberIds: ['wm-a', 'wm-b'],
      memChangeCnt: 2,
      lastMemberVersion: '9c3f97c2ada667dfb5f6d03308d963e1',
      memberVersion: '71217227bbd112ecfe3a49c482195cb4',
      needsReconcile: false,
    });
    expect(change.deliveryKey).toBe(outcome.deliveryKey);
    expect(change.events).toEqual([
      {
        id: `${outcome.deliveryKey}:wm-a`,
        name: 'member.joined',
        contactId: 'contact-a',
        memberId: 'wm-a',
        payload: {
          chatId: 'wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA',
          memberId: 'wm-a',
          source: 'callback',
          joinScene: 3,
          joinMethod: 'qr-code',
          memberVersion: '71217227bbd112ecfe3a49c482195cb4',
          at: 1718000000_000,
        },
      },
      expect.objectContaining({ id: `${outcome.deliveryKey}:wm-b`, memberId: 'wm-b', name: 'member.joined' }),
    ]);
    expect(change.events[1]).not.toHaveProperty('contactId');
  });

  it('maps del_member to member.left with how they left', () => {
    const xml = groupEvent(
      'del_member',
      '<QuitScene>1</QuitScene><MemChangeCnt>1</MemChangeCnt><MemChangeList><Item>wm-c</Item></MemChangeList>',
    );
    const change = readGroupMemberChange(parseEventXml(xml))!;
    expect(change.events).toEqual([
      expect.objectContaining({
        name: 'member.left',
        memberId: 'wm-c',
        payload: expect.objectContaining({ quitScene: 1, quitMethod: 'removed' }),
      }),
    ]);
  });

  it('reads MemChangeList sent as one comma-separated value, and asks for a reconcile without it', () => {
    const commas = readGroupMemberChange(
      parseEventXml(
        groupEvent(
          'add_member',
          '<JoinScene>0</JoinScene><MemChangeList><![CDATA[wm-a,wm-b]]></MemChangeList>',
        ),
      ),
    )!;
    expect(commas.memberIds).toEqual(['wm-a', 'wm-b']);
    expect(commas.events[0]!.payload.joinMethod).toBe('invite');
    const bare = readGroupMemberChange(
      parseEventXml(groupEvent('add_member', '<MemChangeCnt>10</MemChangeCnt>')),
    )!;
    expect(bare).toMatchObject({ memberIds: [], events: [], needsReconcile: true, memChangeCnt: 10 });
  });

  it('the delivery key is the same for every retry of a delivery, and differs between deliveries', () => {
    const xml = groupEvent('add_member', members);
    const first = encryptForTest(config, xml, { timestamp: '1718000001', nonce: '1' });
    const retry = encryptForTest(config, xml, { timestamp: '1718000006', nonce: '2' });
    expect(first.encrypted).not.toBe(retry.encrypted);
    const key = (d: typeof first) =>
      handleWeComCallback(config, { method: 'POST', query: d.query, body: d.body });
    const a = key(first);
    const b = key(retry);
    expect(a.kind === 'event' && b.kind === 'event' && a.deliveryKey === b.deliveryKey).toBe(true);
    const later = encryptForTest(config, groupEvent('add_member', members, 1718000060));
    const c = key(later);
    expect(c.kind === 'event' && a.kind === 'event' && c.deliveryKey !== a.deliveryKey).toBe(true);
    expect(deliveryKeyOf({ MsgId: '123', CreateTime: '1' })).toBe('wecom:msg:123');
  });

  it('other events pass through with a delivery key and no member change', () => {
    const xml =
      '<xml><ToUserName><![CDATA[ww-fake-corp]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>' +
      '<CreateTime>1718000000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_chat]]></Event>' +
      '<ChatId><![CDATA[wr1]]></ChatId><ChangeType><![CDATA[update]]></ChangeType><UpdateDetail><![CDATA[change_name]]></UpdateDetail></xml>';
    const delivery = encryptForTest(config, xml);
    const outcome = handleWeComCallback(config, {
      method: 'POST',
      query: delivery.query,
      body: Buffer.from(delivery.body),
    });
    expect(outcome.kind).toBe('event');
    expect(outcome).not.toHaveProperty('memberChange');
    expect(outcome.kind === 'event' && outcome.deliveryKey.startsWith('wecom:evt:')).toBe(true);
  });

  it('refuses deliveries with a bad signature, for another corp, or without <Encrypt>', () => {
    const delivery = encryptForTest(config, groupEvent('add_member', members));
    const post = (query: typeof delivery.query, body: string, c = config) =>
      codeOf(() => handleWeComCallback(c, { method: 'POST', query, body }));
    expect(post({ ...delivery.query, msg_signature: 'f'.repeat(40) }, delivery.body)).toBe('bad-signature');
    expect(post({ ...delivery.query, timestamp: '1' }, delivery.body)).toBe('bad-signature');
    const foreign = encryptForTest(config, groupEvent('add_member'), { receiveId: 'ww-other-corp' });
    expect(post(foreign.query, foreign.body)).toBe('receive-id-mismatch');
    expect(post(delivery.query, '<xml><ToUserName>x</ToUserName></xml>')).toBe('malformed');
    expect(post(delivery.query, 'not xml at all <')).toBe('malformed');
    expect(codeOf(() => handleWeComCallback(config, { method: 'PUT', query: delivery.query }))).toBe(
      'malformed',
    );
  });

  it('refuses XML with DOCTYPE or entity declarations', () => {
    const evil = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Encrypt>&a;</Encrypt></xml>';
    expect(codeOf(() => parseEventXml(evil))).toBe('malformed');
  });
});
