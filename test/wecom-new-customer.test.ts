import type { CallbackConfig } from '@sopflow/connectors';
import { type FlowDocumentInput, JOIN_WAY_TO_PICK } from '@sopflow/core';
import { ChannelCode, ChannelCodeList, FlowAnswer, JoinWay, type ProviderTagList } from '@sopflow/core/api';
import { contactFlowWorkflowId } from '@sopflow/workflows';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customerEventXml } from '../connectors/src/wecom/fake-callbacks';
import { FakeWeComServer } from '../connectors/src/wecom/fake-wecom-server';
import { startTestApp, type TestApp, uniqueId } from './support/stack';
import { createTimeSkippingEnv } from './support/time-skipping';
import { groupJoinXml, postWeComCallback, routeToWeComMass, weComCallbackEnv } from './support/wecom';
import { until } from './support/worker-process';

/**
 * Issue #14's "done when": the builder's own WeCom new-customer template (企微新客 SOP), created
 * from the gallery's route, with the operator's channel code and join way picked, runs end to end
 * against the fake WeCom: a customer adds a staff member through the channel code, gets the
 * welcome through the add's WelcomeCode, is tagged on WeCom, invited into a group by the join
 * way's QR code, joins (WeCom's signed callback), and gets the nurture content; the code counts
 * the add and the enrollment. Temporal's time-skipping server lets the evenings pass in moments.
 */

const WECOM = { corpId: 'ww-e2e-new-customer', secret: 'wecom-contact-secret-e2e-0031' };
const CALLBACK: CallbackConfig = {
  token: 'new-customer-callback-token',
  encodingAESKey: 'NewCustomer0123456789abcdefghijklmnopqrstuv',
  receiveId: WECOM.corpId,
};
const STAFF = 'staff-ning';
const ZONE = 'Asia/Shanghai';

describe('the WeCom new-customer template, end to end', () => {
  let env: TestWorkflowEnvironment;
  let app: TestApp;
  let wecom: FakeWeComServer;
  const chatId = uniqueId('wrNewCustomers');

  const callback = async (xml: string) => {
    const answer = await postWeComCallback(app.url, CALLBACK, xml);
    expect(answer.status, answer.body).toBe(200);
  };
  /** The mass-send tasks (add_msg_template) to one customer, in order. */
  const tasksTo = (externalUserId: string) =>
    wecom.tasks.filter((t) => t.external_userid.includes(externalUserId));

  beforeAll(async () => {
    wecom = await FakeWeComServer.start({ apps: [WECOM], members: [STAFF] });
    wecom.corpTags.addGroup('客户阶段', ['new-customer', 'in-group']);
    wecom.setGroupChat({
      chat_id: chatId,
      owner: STAFF,
      create_time: 1,
      member_list: [],
      member_version: 'v1',
    });
    env = await createTimeSkippingEnv();
    app = await startTestApp({ temporalAddress: env.address, env: weComCallbackEnv(CALLBACK) });
    await routeToWeComMass(app, {
      ...WECOM,
      sender: STAFF,
      baseUrl: wecom.url,
      followUp: { everyMs: 1_000, giveUpAfterMs: 60_000 },
    });
  });

  afterAll(async () => {
    if (app) await app.request('DELETE', '/api/channels/wechat');
    await app?.stop();
    await env?.teardown();
    await wecom?.close();
  });

  it('welcomes, tags, invites, wakes on the join, nurtures, and counts the channel code', async () => {
    // WeCom's corp tags, read in: the time-skipping server has no schedules, so the read that
    // routing the channel starts is asked for by WeCom's tag callback instead.
    await callback(
      `<xml><ToUserName><![CDATA[${WECOM.corpId}]]></ToUserName><CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime>` +
        '<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_tag]]></Event>' +
        '<ChangeType><![CDATA[shuffle]]></ChangeType></xml>',
    );
    await until(async () => {
      const { groups } = (await app.request('GET', '/api/tags')).body as ProviderTagList;
      return groups.some((g) => g.tags.some((t) => t.name === 'new-customer')) ? true : undefined;
    }, "WeCom's corp tags read in");

    // What is the operator's to make: a channel code and a group join way.
    const made = await app.request('POST', '/api/channel-codes', {
      name: '门店海报',
      channel: 'poster',
      staff: [STAFF],
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    const code = ChannelCode.parse(made.body);
    const madeWay = await app.request('POST', '/api/groups/join-ways', {
      chatIds: [chatId],
      remark: '新客群',
    });
    expect(madeWay.status, JSON.stringify(madeWay.body)).toBe(201);
    const way = JoinWay.parse(madeWay.body);

    // The gallery's route makes the flow; as made, it asks for the join way to be picked.
    const flowId = uniqueId('wecom-new-customer');
    const created = await app.request('POST', '/api/flows/from-template', {
      template: 'wecom-new-customer',
      locale: 'zh',
      id: flowId,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const unpicked = await app.request('POST', `/api/flows/${flowId}/validate`);
    expect(unpicked.body.errors.map((e: { code: string; nodeId: string }) => [e.code, e.nodeId])).toEqual([
      ['join_way_not_picked', 'invite'],
      ['join_way_not_picked', 'await-join'],
    ]);
    expect((await app.request('POST', `/api/flows/${flowId}/publish`, {})).status).toBe(422);

    // The operator picks the channel code in the trigger and the join way in both steps.
    const { draft } = FlowAnswer.parse((await app.request('GET', `/api/flows/${flowId}`)).body);
    const picked = JSON.parse(
      JSON.stringify(draft).replaceAll(`"${JOIN_WAY_TO_PICK}"`, `"${way.id}"`),
    ) as FlowDocumentInput;
    const trigger = picked.nodes.find((n) => n.type === 'trigger');
    if (trigger?.type !== 'trigger' || trigger.trigger.kind !== 'customer_added')
      throw new Error('no add trigger');
    trigger.trigger.channelCodes = [code.state];
    const saved = await app.request('PUT', `/api/flows/${flowId}`, picked);
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect((await app.request('POST', `/api/flows/${flowId}/validate`)).body).toMatchObject({
      ok: true,
      errors: [],
    });
    expect((await app.request('POST', `/api/flows/${flowId}/publish`, {})).status).toBe(201);

    // 10:00 in Shanghai on the virtual clock, so the invitation is not held by quiet hours.
    const clock = await env.currentTimeMs();
    let tenAm = DateTime.fromMillis(clock, { zone: ZONE }).set({
      hour: 10,
      minute: 0,
      second: 0,
      millisecond: 0,
    });
    if (tenAm.toMillis() <= clock) tenAm = tenAm.plus({ days: 1 });
    await env.sleep(tenAm.toMillis() - clock);

    // A customer scans the poster's code and adds the staff member: WeCom issues a welcome code and calls back.
    const customer = uniqueId('wmNew');
    const contactId = `wecom:${customer}`;
    wecom.setCustomer({
      external_userid: customer,
      name: '周小满',
      type: 1,
      follow_user: [
        { userid: STAFF, createtime: Math.floor(Date.now() / 1000), state: code.state, tags: [] },
      ],
    });
    const welcomeCode = wecom.welcomes.issue(STAFF, customer);
    const addedAt = Date.now();
    await callback(
      customerEventXml(WECOM.corpId, {
        changeType: 'add_external_contact',
        staffId: STAFF,
        externalUserId: customer,
        state: code.state,
        welcomeCode,
      }),
    );

    // The welcome, through that code, once, within WeCom's 20 s.
    const welcome = await until(() => wecom.welcomes.sent.find((w) => w.code === welcomeCode), 'the welcome');
    expect(welcome.at - addedAt).toBeLessThan(20_000);
    expect(welcome).toMatchObject({
      externalUserId: customer,
      text: expect.stringMatching(/^你好，很高兴认识你！/),
    });
    expect(wecom.welcomes.answers.filter((a) => a.code === welcomeCode)).toEqual([
      expect.objectContaining({ errcode: 0 }),
    ]);

    // The tag, marked on WeCom through the staff member the customer follows.
    await until(
      () => (wecom.corpTags.namesOn(STAFF, customer).includes('new-customer') ? true : undefined),
      'new-customer marked on WeCom',
    );
    const marks = wecom.calls.filter(
      (c) =>
        c.api === 'externalcontact/mark_tag' &&
        (c.body as { external_userid: string }).external_userid === customer,
    );
    expect(marks.map((c) => (c.body as { userid: string }).userid)).toEqual([STAFF]);

    // Five minutes on, the invitation: a mass message carrying the join way's QR code as a link card.
    await env.sleep(5 * 60_000 + 1_000);
    const invite = await until(() => tasksTo(customer)[0], 'the invitation');
    expect(invite.text?.content).toContain('扫下方二维码入群');
    expect(invite.attachments).toEqual([
      { msgtype: 'link', link: { title: '新客群', url: way.qrCode, picurl: way.qrCode } },
    ]);
    wecom.setSendStatus(invite.msgid, customer, 1);

    // The customer scans it: WeCom's signed callback wakes the wait, and the joiner is tagged.
    await callback(groupJoinXml(WECOM.corpId, chatId, customer, 3));
    await until(
      async () => ((await app.store.contacts.get(contactId))?.tags.includes('in-group') ? true : undefined),
      'the in-group tag',
    );

    const [joined] = await app.sql<{ payload: Record<string, unknown> }[]>`
      select payload from events where contact_id = ${contactId} and name = 'member.joined'`;
    expect(joined?.payload).toMatchObject({
      chatId,
      joinScene: 3,
      joinMethod: 'qr-code',
      joinWays: [way.id],
    });
    await until(
      () => (wecom.corpTags.namesOn(STAFF, customer).includes('in-group') ? true : undefined),
      'in-group marked on WeCom',
    );

    // The nurture content follows at 20:00 that evening and two days later (time skips while we wait).
    const handle = env.client.workflow.getHandle(contactFlowWorkflowId(flowId, contactId));
    await handle.result();
    const texts = tasksTo(customer).map((t) => t.text?.content ?? '');
    expect(texts).toHaveLength(3);
    expect(texts[1]).toContain('https://example.com/n/start');
    expect(texts[2]).toContain('https://example.com/n/story');
    expect(texts.some((t) => t.includes('看你还没进群'))).toBe(false);
    const contact = await app.store.contacts.get(contactId);
    expect(contact?.tags).toEqual(['new-customer', 'in-group']);
    expect(contact?.attributes.channelCode).toBe(code.state);

    // The channel code counts the add and the enrollment.
    await expect
      .poll(
        async () =>
          ChannelCodeList.parse((await app.request('GET', '/api/channel-codes')).body).channelCodes.find(
            (c) => c.id === code.id,
          )?.counts,
        { timeout: 15_000 },
      )
      .toEqual({ adds: 1, enrollments: 1, conversions: 0 });
  });
});
