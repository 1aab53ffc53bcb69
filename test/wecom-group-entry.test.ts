import { type CallbackConfig, encryptForTest } from '@sopflow/connectors';
import * as contract from '@sopflow/core/api';
import { contactFlowWorkflowId } from '@sopflow/workflows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeWeComServer } from '../connectors/src/wecom/fake-wecom-server';
import { edge } from './support/flows';
import { publishFlow, startTestApp, type TestApp, uniqueId } from './support/stack';
import { groupJoinXml } from './support/wecom';
import { until } from './support/worker-process';

/**
 * Group entry (拉群): join ways are made at WeCom from the API and kept; a send step invites a
 * customer through one (its QR code goes with the mass message), and the flow waits for the
 * customer's join of that way's groups, which WeCom's signed, encrypted callback reports with how
 * they joined (3: by QR code).
 */

const WECOM = { corpId: 'ww-e2e-group-entry', secret: 'wecom-contact-secret-e2e-0030' };
const CALLBACK: CallbackConfig = {
  token: 'group-entry-callback-token',
  encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  receiveId: WECOM.corpId,
};
const STAFF = 'staff-wen';

describe('a flow invites a customer into a group through a join way and waits for the join', () => {
  let app: TestApp;
  let wecom: FakeWeComServer;
  const chatId = uniqueId('wrReadingClub');
  const otherChat = uniqueId('wrOther');
  const state = uniqueId('club').slice(0, 30);

  /**
   * WeCom's callback: `memberId` joined `chat` by `joinScene` (0 invited by a member, 3 QR code);
   * without `memberId`, WeCom said a member joined but not who.
   */
  const joinCallback = async (chat: string, memberId: string | undefined, joinScene: number) => {
    const xml = groupJoinXml(WECOM.corpId, chat, memberId, joinScene);
    const delivery = encryptForTest(CALLBACK, xml);
    const answer = await fetch(`${app.url}/api/inbound/wecom?${new URLSearchParams(delivery.query)}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: delivery.body,
    });
    expect(answer.status).toBe(200);
  };

  beforeAll(async () => {
    wecom = await FakeWeComServer.start({ apps: [WECOM] });
    for (const chat of [chatId, otherChat])
      wecom.setGroupChat({
        chat_id: chat,
        owner: STAFF,
        create_time: 1,
        member_list: [],
        member_version: 'v1',
      });
    app = await startTestApp({
      env: {
        SOPFLOW_WECOM_CALLBACK_TOKEN: CALLBACK.token,
        SOPFLOW_WECOM_CALLBACK_AES_KEY: CALLBACK.encodingAESKey,
        SOPFLOW_WECOM_CORP_ID: CALLBACK.receiveId,
      },
    });
  });

  afterAll(async () => {
    if (app) await app.request('DELETE', '/api/channels/wechat');
    await app?.stop();
    await wecom?.close();
  });

  it('needs a channel routed to a connector that manages groups', async () => {
    await app.request('DELETE', '/api/channels/wechat');
    const answer = await app.request('POST', '/api/groups/join-ways', { chatIds: [chatId] });
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ error: { code: 'no_group_entry_connector' } });
    const routed = await app.request('PUT', '/api/channels/wechat', {
      connector: 'wecom-mass',
      config: {
        ...WECOM,
        sender: STAFF,
        baseUrl: wecom.url,
        followUp: { everyMs: 1_000, giveUpAfterMs: 60_000 },
      },
    });
    expect(routed.status, JSON.stringify(routed.body)).toBe(200);
  });

  it('refuses what WeCom would, naming the field in English and Chinese', async () => {
    const six = await app.request('POST', '/api/groups/join-ways', {
      chatIds: ['a', 'b', 'c', 'd', 'e', 'f'],
    });
    expect(six.status).toBe(422);
    expect(six.body).toMatchObject({
      error: {
        details: [
          { path: 'chatIds', message: 'A join way lets into at most 5 groups. / 一个加群方式最多 5 个群。' },
        ],
      },
    });
    const missing = await app.request('POST', '/api/groups/join-ways', { chatIds: ['wrNoSuchGroup'] });
    expect(missing.status).toBe(422);
    expect(missing.body).toMatchObject({
      error: { code: 'group_not_found', details: [{ path: 'chatIds' }] },
    });
    const template = await app.request('POST', '/api/groups/welcome-templates', { name: 'empty' });
    expect(template.body).toMatchObject({
      error: {
        details: [{ path: 'text', message: 'Give a text or an attachment. / 请填写文本或添加附件。' }],
      },
    });
    expect(wecom.groupEntry.joinWays.size).toBe(0);
  });

  it('creates, lists, edits and deletes join ways and welcome templates at WeCom', async () => {
    const created = await app.request('POST', '/api/groups/join-ways', {
      chatIds: [otherChat],
      remark: 'Spare',
    });
    const way = contract.JoinWay.parse(created.body);
    expect(created.status).toBe(201);
    expect(way.state).toMatch(/^sopflow-/);
    expect(wecom.groupEntry.joinWays.get(way.id)).toMatchObject({
      chat_id_list: [otherChat],
      state: way.state,
    });
    const image = await fetch(way.qrCode!);
    expect(image.headers.get('content-type')).toBe('image/png');

    const taken = await app.request('POST', '/api/groups/join-ways', {
      chatIds: [otherChat],
      state: way.state,
    });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ error: { code: 'state_taken', details: [{ path: 'state' }] } });

    const edited = await app.request('PUT', `/api/groups/join-ways/${way.id}`, {
      chatIds: [otherChat, chatId],
      remark: 'Spare, two groups',
      autoCreateRoom: false,
    });
    expect(contract.JoinWay.parse(edited.body)).toMatchObject({
      chatIds: [otherChat, chatId],
      autoCreateRoom: false,
      state: way.state,
    });
    expect(wecom.groupEntry.joinWays.get(way.id)?.auto_create_room).toBe(0);
    const listed = contract.JoinWayList.parse((await app.request('GET', '/api/groups/join-ways')).body);
    expect(listed.joinWays.map((w) => w.id)).toContain(way.id);
    expect((await app.request('DELETE', `/api/groups/join-ways/${way.id}`)).body).toEqual({
      id: way.id,
      removed: true,
    });
    expect(wecom.groupEntry.joinWays.has(way.id)).toBe(false);
    expect((await app.request('GET', `/api/groups/join-ways/${way.id}`)).status).toBe(404);

    const added = await app.request('POST', '/api/groups/welcome-templates', {
      name: '读书会欢迎',
      text: '欢迎 %NICKNAME% 加入读书会',
      attachment: { type: 'link', title: '群规', url: 'https://example.com/rules' },
      notify: false,
    });
    const template = contract.WelcomeTemplate.parse(added.body);
    expect(wecom.groupEntry.welcomeTemplates.get(template.id)).toMatchObject({
      text: { content: '欢迎 %NICKNAME% 加入读书会' },
      link: { title: '群规', url: 'https://example.com/rules' },
    });
    expect(wecom.groupEntry.notified.get(template.id)).toBe(false);
    const changed = await app.request('PUT', `/api/groups/welcome-templates/${template.id}`, {
      name: '读书会欢迎',
      text: 'Welcome, %NICKNAME%!',
    });
    expect(contract.WelcomeTemplate.parse(changed.body)).toMatchObject({ text: 'Welcome, %NICKNAME%!' });
    expect(wecom.groupEntry.welcomeTemplates.get(template.id)).toEqual({
      text: { content: 'Welcome, %NICKNAME%!' },
    });
    expect((await app.request('DELETE', `/api/groups/welcome-templates/${template.id}`)).status).toBe(200);
    expect(wecom.groupEntry.welcomeTemplates.size).toBe(0);
  });

  it("sends the join way's QR code and wakes the wait when the customer joins by QR code", async () => {
    const way = contract.JoinWay.parse(
      (await app.request('POST', '/api/groups/join-ways', { chatIds: [chatId], remark: '读书会', state }))
        .body,
    );
    const flowId = uniqueId('invite-to-club');
    await publishFlow(app, {
      schemaVersion: 1,
      id: flowId,
      name: flowId,
      nodes: [
        { id: 'in', type: 'trigger', trigger: { kind: 'webhook' } },
        {
          id: 'invite',
          type: 'send',
          channel: 'wechat',
          message: { text: '{{ contact.name }}，扫码加入读书会', joinWay: way.id },
        },
        {
          id: 'joined',
          type: 'wait_for_event',
          event: 'member.joined',
          filter: { field: 'payload.joinWays', op: 'contains', value: way.id },
          timeout: 'P3D',
          lookBack: { kind: 'since-entry' },
        },
        {
          id: 'how',
          type: 'branch',
          branches: [
            { id: 'qr', when: { field: 'lastEvent.payload.joinMethod', op: 'eq', value: 'qr-code' } },
          ],
        },
        { id: 'by-qr', type: 'update_contact', update: { addTags: ['joined-by-qr'] } },
        { id: 'other-way', type: 'update_contact', update: { addTags: ['joined-another-way'] } },
        { id: 'never', type: 'update_contact', update: { addTags: ['not-joined'] } },
        { id: 'end', type: 'exit' },
      ],
      edges: [
        edge('in', 'invite'),
        edge('invite', 'joined'),
        edge('joined', 'how', 'event'),
        edge('joined', 'never', 'timeout'),
        edge('how', 'by-qr', 'qr'),
        edge('how', 'other-way', 'else'),
        edge('by-qr', 'end'),
        edge('other-way', 'end'),
        edge('never', 'end'),
      ],
    });

    const contact = { id: uniqueId('reader'), name: '阿宁', wecomExternalUserId: uniqueId('wmReader') };
    const enrolled = await app.webhook(flowId, { contact });
    expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(202);
    const task = await until(
      () => wecom.tasks.find((t) => t.external_userid.includes(contact.wecomExternalUserId)),
      'the mass-send task inviting the customer',
    );
    // The invitation carries the join way's QR code as a link card, the one attachment WeCom takes
    // with any URL (an image attachment must be uploaded to WeCom first).
    expect(task.attachments).toEqual([
      { msgtype: 'link', link: { title: '读书会', url: way.qrCode, picurl: way.qrCode } },
    ]);
    wecom.setSendStatus(task.msgid, contact.wecomExternalUserId, 1);
    const workflowId = contactFlowWorkflowId(flowId, contact.id);

    // Joining another group, not the join way's, does not count.
    await joinCallback(otherChat, contact.wecomExternalUserId, 3);
    // The join through the QR code does.
    await joinCallback(chatId, contact.wecomExternalUserId, 3);
    await app.client.workflow.getHandle(workflowId).result();
    expect((await app.store.contacts.get(contact.id))?.tags).toEqual(['joined-by-qr']);

    const events = await app.sql<{ payload: Record<string, unknown> }[]>`
      select payload from events where contact_id = ${contact.id} and name = 'member.joined' order by id`;
    expect(events.map((e) => e.payload)).toEqual([
      expect.not.objectContaining({ joinWays: expect.anything() }),
      expect.objectContaining({ chatId, joinScene: 3, joinMethod: 'qr-code', joinWays: [way.id] }),
    ]);
  });

  it('matches a join to the one join way whose state WeCom reports, where a group has several', async () => {
    const hall = uniqueId('wrHall');
    wecom.setGroupChat({
      chat_id: hall,
      owner: STAFF,
      create_time: 1,
      member_list: [],
      member_version: 'v1',
    });
    const create = async (wayState: string) =>
      contract.JoinWay.parse(
        (await app.request('POST', '/api/groups/join-ways', { chatIds: [hall], state: wayState })).body,
      );
    const poster = await create(uniqueId('poster').slice(0, 30));
    const live = await create(uniqueId('live').slice(0, 30));

    // A customer scans the live-stream QR code; WeCom's callback says someone joined, not who, so
    // the group is read, and the read tells the join way's state.
    const customer = uniqueId('wmHall');
    wecom.setGroupChat({
      chat_id: hall,
      owner: STAFF,
      create_time: 1,
      member_version: 'v2',
      member_list: [
        { userid: STAFF, type: 1, join_time: 1, join_scene: 1 },
        { userid: customer, type: 2, join_time: 1_800_000_000, join_scene: 3, state: live.state },
      ],
    });
    await joinCallback(hall, undefined, 3);
    const [joined] = await until(async () => {
      const rows = await app.sql<{ payload: Record<string, unknown> }[]>`
        select payload from events where contact_id = ${`wecom:${customer}`} and name = 'member.joined'`;
      return rows.length > 0 ? rows : undefined;
    }, "the read of the group posting the customer's join");
    expect(joined?.payload).toMatchObject({
      chatId: hall,
      source: 'reconcile',
      joinScene: 3,
      joinMethod: 'qr-code',
      state: live.state,
      joinWays: [live.id],
    });
    expect(joined?.payload.joinWays).not.toContain(poster.id);
  });
});
