import { randomBytes } from 'node:crypto';
import { type CallbackConfig, type GroupReconcileReport, RECONCILE_GROUPS_JOB } from '@sopflow/connectors';
import { connectorJobRunId, connectorJobScheduleId } from '@sopflow/server';
import { connectorJob, contactFlowWorkflowId } from '@sopflow/workflows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGroupMember, FakeWeComServer } from '../connectors/src/wecom/fake-wecom-server';
import { publishFlow, startTestApp, type TestApp, uniqueId } from './support/stack';
import { postWeComCallback, routeToWeComMass, weComCallbackEnv } from './support/wecom';

/**
 * WeCom says its customer-group callbacks can be lost or come out of order. sopflow notes every
 * group a callback names, and the WeCom connector's job, on a Temporal Schedule the server keeps for
 * the channel routed to it, compares those groups with WeCom's member list:
 * a join the callbacks missed starts the welcome flow all the same, once; a leave is recorded.
 * A callback does not say whether a member is staff or a customer: the group's read says, in the
 * background, so staff never become contacts and WeCom gets its answer at once.
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
  /** The read of the group a callback started in the background, until it is done. */
  const backgroundRead = async () =>
    (await app.client.workflow
      .getHandle(connectorJobRunId({ ...job, only: chatId }))
      .result()) as GroupReconcileReport;
  /**
   * WeCom's callback that members joined (or left) the group: naming them, or (an empty list) not
   * saying who; to this app's API or another's.
   */
  const callback = async (
    changed: string[],
    from: string,
    to: string,
    options: { change?: 'add_member' | 'del_member'; url?: string } = {},
  ) => {
    const list = changed.map((id) => `<Item><![CDATA[${id}]]></Item>`).join('');
    const xml =
      `<xml><ToUserName><![CDATA[${WECOM.corpId}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>` +
      `<CreateTime>${now - 60}</CreateTime><MsgType><![CDATA[event]]></MsgType>` +
      `<Event><![CDATA[change_external_chat]]></Event><ChatId><![CDATA[${chatId}]]></ChatId>` +
      `<ChangeType><![CDATA[update]]></ChangeType><UpdateDetail><![CDATA[${options.change ?? 'add_member'}]]></UpdateDetail>` +
      `<JoinScene>3</JoinScene><QuitScene>0</QuitScene><MemChangeCnt>1</MemChangeCnt>` +
      (list ? `<MemChangeList>${list}</MemChangeList>` : '') +
      `<LastMemVer><![CDATA[${from}]]></LastMemVer><CurMemVer><![CDATA[${to}]]></CurMemVer></xml>`;
    return (await postWeComCallback(options.url ?? app.url, CALLBACK, xml)).status;
  };
  const eventsOf = (contactId: string) =>
    app.sql<{ name: string; payload: { source: string } }[]>`
      select name, payload from events where contact_id = ${contactId} order by id`;
  const enrollmentsOf = (contactId: string) =>
    app.sql`select 1 from enrollments where flow_id = ${flowId} and contact_id = ${contactId}`;

  beforeAll(async () => {
    wecom = await FakeWeComServer.start({ apps: [WECOM] });
    app = await startTestApp({ env: weComCallbackEnv(CALLBACK) });
    await routeToWeComMass(app, { ...WECOM, sender: STAFF, baseUrl: wecom.url, reconcileMinutes: 15 });
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
    // `seen` is no contact yet, so staff or customer is for WeCom's member list to say.
    expect(await backgroundRead()).toMatchObject({ groups: 1, joins: 1, failed: [] });
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
      ['member.joined', 'reconcile'],
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
    expect(await backgroundRead()).toMatchObject({ groups: 1, joins: 1, failed: [] });
    await app.client.workflow.getHandle(contactFlowWorkflowId(flowId, `wecom:${late}`)).result();
    expect((await eventsOf(`wecom:${late}`)).map((e) => [e.name, e.payload.source])).toEqual([
      ['member.joined', 'reconcile'],
    ]);
    expect(await app.sql`select members from wecom_groups where chat_id = ${chatId}`).toEqual([
      { members: [STAFF, late] },
    ]);

    // A callback naming a known customer counts at once, with no read of the group.
    const reads = wecom.count('externalcontact/groupchat/get');
    setGroup([member(STAFF, 1, now - 86_400)], 'v6');
    expect(await callback([late], 'v5', 'v6', { change: 'del_member' })).toBe(200);
    expect((await eventsOf(`wecom:${late}`)).map((e) => [e.name, e.payload.source])).toEqual([
      ['member.joined', 'reconcile'],
      ['member.left', 'callback'],
    ]);
    expect(wecom.count('externalcontact/groupchat/get')).toBe(reads);
  });

  it('never makes a staff member a callback names a contact, nor enrolls them', async () => {
    const colleague = 'staff-lin';
    const customer = external();
    setGroup(
      [member(STAFF, 1, now - 86_400), member(colleague, 1, now - 20), member(customer, 2, now - 20)],
      'v7',
    );
    // The callback names both, saying nothing of their kind.
    expect(await callback([colleague, customer], 'v6', 'v7')).toBe(200);
    expect(await backgroundRead()).toMatchObject({ joins: 1, failed: [] });
    await app.client.workflow.getHandle(contactFlowWorkflowId(flowId, `wecom:${customer}`)).result();
    expect(await app.store.contacts.idByAddress('wecomExternalUserId', [colleague])).toBeUndefined();
    expect(await app.store.contacts.get(`wecom:${colleague}`)).toBeUndefined();
    expect(await enrollmentsOf(`wecom:${colleague}`)).toHaveLength(0);
    // Noted as a member all the same, so the next read does not take them for a newcomer.
    const [group] = await app.sql<{ members: string[] }[]>`
      select members from wecom_groups where chat_id = ${chatId}`;
    expect(group!.members).toEqual(expect.arrayContaining([STAFF, colleague, customer]));
  });

  it('reads once more when WeCom reports a change while a read is under way', async () => {
    const early = external();
    const later = external();
    const staff = member(STAFF, 1, now - 86_400);
    setGroup([staff, member(early, 2, now - 2)], 'v10');
    // WeCom reads the group at once but answers late, so the next change comes in meanwhile.
    wecom.fail('externalcontact/groupchat/get', { delayAfterHandlingMs: 2_000 });
    const reads = wecom.count('externalcontact/groupchat/get');
    expect(await callback([early], 'v9', 'v10')).toBe(200);
    while (wecom.count('externalcontact/groupchat/get') === reads)
      await new Promise((r) => setTimeout(r, 50));
    setGroup([staff, member(early, 2, now - 2), member(later, 2, now - 1)], 'v11');
    expect(await callback([later], 'v10', 'v11')).toBe(200);

    expect(await backgroundRead()).toMatchObject({ failed: [] });
    expect(wecom.count('externalcontact/groupchat/get')).toBe(reads + 2);
    for (const id of [early, later])
      await app.client.workflow.getHandle(contactFlowWorkflowId(flowId, `wecom:${id}`)).result();
  });

  it('answers WeCom before its slow group read returns, and an API restart in between loses nothing', async () => {
    const slowMs = 3_000;
    const first = external();
    const members = [member(STAFF, 1, now - 86_400), member(first, 2, now - 5)];
    setGroup(members, 'v8');
    wecom.fail('externalcontact/groupchat/get', { delayMs: slowMs });
    const began = Date.now();
    expect(await callback([first], 'v7', 'v8')).toBe(200);
    // Answered while the read is still held back by the fake (it used to wait for it, up to 10 s).
    expect(Date.now() - began).toBeLessThan(slowMs);
    await backgroundRead();
    expect(Date.now() - began).toBeGreaterThanOrEqual(slowMs);
    await app.client.workflow.getHandle(contactFlowWorkflowId(flowId, `wecom:${first}`)).result();

    // An API with no worker takes a callback and stops before anything reads the group; the next
    // API process (a worker on the same task queue) does the read and enrolls the newcomer.
    const second = external();
    setGroup([...members, member(second, 2, now - 3)], 'v9');
    const queue = uniqueId('e2e-restart');
    const env = weComCallbackEnv(CALLBACK);
    const before = await startTestApp({ worker: false, taskQueue: queue, env });
    const reads = wecom.count('externalcontact/groupchat/get');
    try {
      expect(await callback([second], 'v8', 'v9', { url: before.url })).toBe(200);
    } finally {
      await before.stop({ handOver: true });
    }
    expect(wecom.count('externalcontact/groupchat/get')).toBe(reads);
    const after = await startTestApp({ taskQueue: queue, env });
    try {
      expect(await backgroundRead()).toMatchObject({ joins: 1, failed: [] });
      await app.client.workflow.getHandle(contactFlowWorkflowId(flowId, `wecom:${second}`)).result();
      expect(await enrollmentsOf(`wecom:${second}`)).toHaveLength(1);
    } finally {
      await after.stop();
    }
  });
});
