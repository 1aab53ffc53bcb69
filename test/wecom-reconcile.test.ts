import { randomBytes } from 'node:crypto';
import {
  type CallbackConfig,
  encryptForTest,
  type GroupReconcileReport,
  RECONCILE_GROUPS_JOB,
} from '@sopflow/connectors';
import { connectorJobScheduleId } from '@sopflow/server';
import { connectorJob, contactFlowWorkflowId } from '@sopflow/workflows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGroupMember, FakeWeComServer } from '../connectors/src/wecom/fake-wecom-server';
import { publishFlow, startTestApp, type TestApp, uniqueId } from './support/stack';

/**
 * WeCom says its customer-group callbacks can be lost or come out of order. sopflow notes every
 * group a callback names, and the WeCom connector's job, on a Temporal Schedule the server keeps for
 * the channel routed to it, compares those groups with WeCom's member list:
 * a join the callbacks missed starts the welcome flow all the same, once; a leave is recorded.
 */

const WECOM = { corpId: 'ww-e2e-reconcile', secret: 'wecom-contact-secret-e2e-0007' };
const CALLBACK: CallbackConfig = {
  token: 'reconcile-callback-token',
  encodingAESKey: 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210abcdefg',
  receiveId: WECOM.corpId,
};
const STAFF = 'staff-mei';

const edge = (source: string, target: string) => ({
  id: `${source}-${target}`,
  source,
  sourceHandle: 'next',
  target,
});
const external = () => `wm${randomBytes(10).toString('hex')}`;
const member = (userid: string, type: 1 | 2, joinTime: number): FakeGroupMember => ({
  userid,
  type,
  join_time: joinTime,
  join_scene: 3,
});

describe('WeCom customer groups are reconciled with WeCom on a schedule', () => {
  let app: TestApp;
  let wecom: FakeWeComServer;
  const chatId = uniqueId('wrReconcile');
  const flowId = uniqueId('welcome-joined');
  const now = Math.floor(Date.now() / 1000);
  const seen = external();
  const lost = external();

  const setGroup = (members: FakeGroupMember[], version: string) =>
    wecom.setGroupChat({
      chat_id: chatId,
      owner: STAFF,
      create_time: now - 86_400,
      member_list: members,
      member_version: version,
    });
  const job = { connector: 'wecom-mass', account: 'wechat', job: RECONCILE_GROUPS_JOB };
  const reconcile = async () =>
    (await app.client.workflow.execute(connectorJob, {
      taskQueue: app.taskQueue,
      workflowId: uniqueId('reconcile'),
      args: [job],
    })) as unknown as GroupReconcileReport;
  /** WeCom's callback that members joined the group: naming them, or (an empty list) not saying who. */
  const callback = async (joined: string[], from: string, to: string) => {
    const list = joined.map((id) => `<Item><![CDATA[${id}]]></Item>`).join('');
    const xml =
      `<xml><ToUserName><![CDATA[${WECOM.corpId}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>` +
      `<CreateTime>${now - 60}</CreateTime><MsgType><![CDATA[event]]></MsgType>` +
      `<Event><![CDATA[change_external_chat]]></Event><ChatId><![CDATA[${chatId}]]></ChatId>` +
      `<ChangeType><![CDATA[update]]></ChangeType><UpdateDetail><![CDATA[add_member]]></UpdateDetail>` +
      `<JoinScene>3</JoinScene><QuitScene>0</QuitScene><MemChangeCnt>1</MemChangeCnt>` +
      (list ? `<MemChangeList>${list}</MemChangeList>` : '') +
      `<LastMemVer><![CDATA[${from}]]></LastMemVer><CurMemVer><![CDATA[${to}]]></CurMemVer></xml>`;
    const delivery = encryptForTest(CALLBACK, xml);
    const answer = await fetch(`${app.url}/api/inbound/wecom?${new URLSearchParams(delivery.query)}`, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: delivery.body,
    });
    return answer.status;
  };
  const eventsOf = (contactId: string) =>
    app.sql<{ name: string; payload: { source: string } }[]>`
      select name, payload from events where contact_id = ${contactId} order by id`;
  const enrollmentsOf = (contactId: string) =>
    app.sql`select 1 from enrollments where flow_id = ${flowId} and contact_id = ${contactId}`;

  beforeAll(async () => {
    wecom = await FakeWeComServer.start({ apps: [WECOM] });
    app = await startTestApp({
      env: {
        SOPFLOW_WECOM_CALLBACK_TOKEN: CALLBACK.token,
        SOPFLOW_WECOM_CALLBACK_AES_KEY: CALLBACK.encodingAESKey,
        SOPFLOW_WECOM_CORP_ID: CALLBACK.receiveId,
      },
    });
    const routed = await app.request('PUT', '/api/channels/wechat', {
      connector: 'wecom-mass',
      config: { ...WECOM, sender: STAFF, baseUrl: wecom.url, reconcileMinutes: 15 },
    });
    expect(routed.status, JSON.stringify(routed.body)).toBe(200);
    await publishFlow(app, {
      schemaVersion: 1,
      id: flowId,
      name: flowId,
      nodes: [
        {
          id: 'in',
          type: 'trigger',
          trigger: {
            kind: 'event',
            event: 'member.joined',
            filter: { field: 'payload.chatId', op: 'eq', value: chatId },
          },
        },
        { id: 'welcomed', type: 'update_contact', update: { addTags: ['welcomed'] } },
        { id: 'out', type: 'exit' },
      ],
      edges: [edge('in', 'welcomed'), edge('welcomed', 'out')],
    });
  });

  afterAll(async () => {
    if (app) {
      await app.request('DELETE', '/api/channels/wechat');
      // The route gone, its job's schedule goes with it.
      await expect(app.client.schedule.getHandle(connectorJobScheduleId(job)).describe()).rejects.toThrow();
    }
    await app?.stop();
    await wecom?.close();
  });

  it("keeps one schedule at the channel's configured interval", async () => {
    const schedule = await app.client.schedule.getHandle(connectorJobScheduleId(job)).describe();
    expect(schedule.spec.intervals).toMatchObject([{ every: 15 * 60_000 }]);
    expect(schedule.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'connectorJob',
      args: [job],
    });
  });

  it('posts the joins and leaves the callbacks lost, once, and the join starts the flow', async () => {
    // The callback for `seen` arrives; WeCom then adds `lost` without a callback reaching us.
    setGroup([member(STAFF, 1, now - 86_400), member(seen, 2, now - 60)], 'v1');
    expect(await callback([seen], 'v0', 'v1')).toBe(200);
    await app.client.workflow.getHandle(contactFlowWorkflowId(flowId, `wecom:${seen}`)).result();
    setGroup([member(STAFF, 1, now - 86_400), member(seen, 2, now - 60), member(lost, 2, now - 30)], 'v2');

    // The run's database is shared: other files' groups are watched too, and unknown to this fake.
    const ours = (report: GroupReconcileReport) => report.failed.filter((f) => f.chatId === chatId);
    const first = await reconcile();
    expect(first).toMatchObject({ joins: 1, leaves: 0 });
    expect(ours(first)).toEqual([]);
    expect(first.groups).toBeGreaterThanOrEqual(1);
    await app.client.workflow.getHandle(contactFlowWorkflowId(flowId, `wecom:${lost}`)).result();
    expect((await app.store.contacts.get(`wecom:${lost}`))?.tags).toEqual(['welcomed']);
    expect((await eventsOf(`wecom:${lost}`)).map((e) => [e.name, e.payload.source])).toEqual([
      ['member.joined', 'reconcile'],
    ]);
    // The staff member, a member from the start, was never taken for a customer.
    expect(await app.store.contacts.get(`wecom:${STAFF}`)).toBeUndefined();

    // Nothing changed: nothing posted again.
    expect(await reconcile()).toMatchObject({ joins: 0, leaves: 0 });
    expect(await eventsOf(`wecom:${lost}`)).toHaveLength(1);
    expect(await enrollmentsOf(`wecom:${lost}`)).toHaveLength(1);
    expect(await enrollmentsOf(`wecom:${seen}`)).toHaveLength(1);

    // `seen` leaves without a callback: recorded as a member.left, once.
    setGroup([member(STAFF, 1, now - 86_400), member(lost, 2, now - 30)], 'v3');
    expect(await reconcile()).toMatchObject({ joins: 0, leaves: 1 });
    expect(await reconcile()).toMatchObject({ joins: 0, leaves: 0 });
    expect((await eventsOf(`wecom:${seen}`)).map((e) => [e.name, e.payload.source])).toEqual([
      ['member.joined', 'callback'],
      ['member.left', 'reconcile'],
    ]);

    // The group is dissolved: WeCom answers 40050 for it, and it is watched no more.
    wecom.dissolveGroupChat(chatId);
    const dissolved = await reconcile();
    expect(dissolved.forgotten).toContain(chatId);
    expect(ours(dissolved)).toEqual([]);
    expect(await app.sql`select 1 from wecom_groups where chat_id = ${chatId}`).toHaveLength(0);
    expect((await reconcile()).forgotten).not.toContain(chatId);
  });

  it("reads a group at once when WeCom's callback does not say who joined", async () => {
    // The group from the test before was dissolved and forgotten; WeCom has it again, with a newcomer.
    const late = external();
    setGroup([member(STAFF, 1, now - 86_400), member(late, 2, now - 10)], 'v5');
    expect(await callback([], 'v4', 'v5')).toBe(200);
    // Watched again and read through the connector's job, with no scheduled pass in between.
    await app.client.workflow.getHandle(contactFlowWorkflowId(flowId, `wecom:${late}`)).result();
    expect((await eventsOf(`wecom:${late}`)).map((e) => [e.name, e.payload.source])).toEqual([
      ['member.joined', 'reconcile'],
    ]);
    expect(await app.sql`select members from wecom_groups where chat_id = ${chatId}`).toEqual([
      { members: [STAFF, late] },
    ]);
  });
});
