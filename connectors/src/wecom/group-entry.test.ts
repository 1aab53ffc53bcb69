import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SendError } from '../connector';
import { FakeWeComServer } from './fake-wecom-server';
import { type GroupEntryManager, weComGroupEntry } from './group-entry';
import { reconcileGroup } from './reconcile';
import { thrown } from './test-support';
import { resetWeComTokenCache, WeComClient } from './wecom-client';

const chats = ['wrChatOne', 'wrChatTwo', 'wrChatThree', 'wrChatFour', 'wrChatFive', 'wrChatSix'];

describe('WeCom group entry against the fake server', () => {
  let fake: FakeWeComServer;
  let entry: GroupEntryManager;

  beforeEach(async () => {
    resetWeComTokenCache();
    fake = await FakeWeComServer.start();
    for (const chatId of chats)
      fake.setGroupChat({
        chat_id: chatId,
        owner: 'zhangsan',
        create_time: 1,
        member_list: [],
        member_version: 'v1',
      });
    entry = weComGroupEntry(
      new WeComClient({ corpId: 'ww-fake-corp', secret: 'fake-secret', baseUrl: fake.url }),
    );
  });
  afterEach(() => fake.close());

  it('creates a QR join way, reads its QR code, edits it and deletes it', async () => {
    const way = await entry.addJoinWay({
      scene: 2,
      chatIds: chats.slice(0, 2),
      state: 'poster-1',
      remark: 'Poster',
    });
    expect(way).toMatchObject({
      scene: 2,
      chatIds: ['wrChatOne', 'wrChatTwo'],
      state: 'poster-1',
      autoCreateRoom: true,
    });
    expect(way.qrCode).toMatch(/\/fake-qr\/.+\.png$/);
    const image = await fetch(way.qrCode!);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect([...new Uint8Array(await image.arrayBuffer()).slice(1, 4)]).toEqual([0x50, 0x4e, 0x47]);
    expect(fake.calls.find((c) => c.api === 'externalcontact/groupchat/add_join_way')?.body).toMatchObject({
      scene: 2,
      chat_id_list: ['wrChatOne', 'wrChatTwo'],
      state: 'poster-1',
      auto_create_room: 1,
    });

    const edited = await entry.updateJoinWay(way.configId, {
      scene: 2,
      chatIds: ['wrChatThree'],
      state: 'poster-2',
    });
    expect(edited).toMatchObject({
      configId: way.configId,
      chatIds: ['wrChatThree'],
      state: 'poster-2',
      qrCode: way.qrCode,
    });

    await entry.deleteJoinWay(way.configId);
    const gone = (await thrown(() => entry.getJoinWay(way.configId))) as SendError;
    expect(gone.kind).toBe('permanent');
    expect(gone.details.providerCode).toBe(40058);
  });

  it('gives a mini-program join way no QR code', async () => {
    const way = await entry.addJoinWay({ scene: 1, chatIds: ['wrChatOne'], autoCreateRoom: false });
    expect(way.qrCode).toBeUndefined();
    expect(way.autoCreateRoom).toBe(false);
  });

  it("keeps WeCom's limits: five groups, groups that exist, a 30-character state", async () => {
    const six = (await thrown(() => entry.addJoinWay({ scene: 2, chatIds: chats }))) as SendError;
    expect(six.details.providerCode).toBe(40058);
    const unknown = (await thrown(() =>
      entry.addJoinWay({ scene: 2, chatIds: ['wrNoSuchChat'] }),
    )) as SendError;
    expect(unknown.details.providerCode).toBe(40050);
    const long = (await thrown(() =>
      entry.addJoinWay({ scene: 2, chatIds: ['wrChatOne'], state: 'x'.repeat(31) }),
    )) as SendError;
    expect(long.details.providerCode).toBe(40058);
    expect(fake.groupEntry.joinWays.size).toBe(0);
  });

  it('returns the state of the join way a member came through when the group is read', async () => {
    fake.setGroupChat({
      chat_id: 'wrChatOne',
      owner: 'zhangsan',
      create_time: 1,
      member_version: 'v2',
      member_list: [
        { userid: 'wm-joiner', type: 2, join_time: 1718000000, join_scene: 3, state: 'poster-1' },
      ],
    });
    const client = new WeComClient({ corpId: 'ww-fake-corp', secret: 'fake-secret', baseUrl: fake.url });
    const read = await reconcileGroup(client, 'wrChatOne', []);
    expect(read.events[0]?.payload).toMatchObject({ joinScene: 3, joinMethod: 'qr-code', state: 'poster-1' });
  });

  it('manages group welcome templates: a text and one attachment, notify as asked', async () => {
    const template = await entry.addWelcomeTemplate(
      {
        text: '欢迎 %NICKNAME% 入群',
        attachment: { type: 'link', title: '群规', url: 'https://example.com/rules' },
      },
      false,
    );
    expect(template).toMatchObject({
      text: '欢迎 %NICKNAME% 入群',
      attachment: { type: 'link', title: '群规', url: 'https://example.com/rules' },
    });
    expect(fake.groupEntry.notified.get(template.templateId)).toBe(false);

    const edited = await entry.editWelcomeTemplate(template.templateId, { text: 'Welcome!' });
    expect(edited).toEqual({ templateId: template.templateId, text: 'Welcome!' });

    const tooLong = (await thrown(() =>
      entry.addWelcomeTemplate({ text: '字'.repeat(1001) }, true),
    )) as SendError;
    expect(tooLong.details.providerCode).toBe(45002);
    const empty = (await thrown(() => entry.addWelcomeTemplate({}, true))) as SendError;
    expect(empty.details.providerCode).toBe(40058);

    await entry.deleteWelcomeTemplate(template.templateId);
    expect(fake.groupEntry.welcomeTemplates.size).toBe(0);
  });

  it('refuses a 101st welcome template, as WeCom keeps at most 100', async () => {
    for (let i = 0; i < 100; i++) await entry.addWelcomeTemplate({ text: `t${i}` }, false);
    const over = (await thrown(() => entry.addWelcomeTemplate({ text: 'one more' }, false))) as SendError;
    expect(over.details.providerCode).toBe(40058);
  });
});
