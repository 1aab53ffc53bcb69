import { randomBytes } from 'node:crypto';
import type { CallbackConfig } from '@sopflow/connectors';
import { connectorJobRunId } from '@sopflow/server';
import { contactFlowWorkflowId } from '@sopflow/workflows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appTextMessageXml, customerEventXml } from '../connectors/src/wecom/fake-callbacks';
import { FakeWeComServer } from '../connectors/src/wecom/fake-wecom-server';
import { publishFlow, startTestApp, type TestApp, uniqueId } from './support/stack';
import { routeToWeComMass, weComCallbackEnv } from './support/wecom';

/**
 * WeCom's customer events, delivered as WeCom delivers them (encrypted, signed, retried when not
 * answered 200 within 5 s) by the fake WeCom server to the real API, with flows on Temporal: a
 * customer adding a staff member through a channel code starts the flows waiting for it and takes
 * the channel's branch; WeCom's redelivery counts once; a customer removing the staff member wakes
 * a flow waiting for that; a member's message to the app wakes a flow waiting for a reply. The
 * customer's details are read from WeCom in the background, after WeCom has its answer.
 */

const WECOM = { corpId: 'ww-e2e-customers', secret: 'wecom-contact-secret-e2e-0025' };
const CALLBACK: CallbackConfig = {
  token: 'customer-events-callback-token',
  encodingAESKey: 'QRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456',
  receiveId: WECOM.corpId,
};
const STAFF = 'staff-yan';
const POSTER = uniqueId('poster');
const STORE = uniqueId('store');

const edge = (source: string, target: string, sourceHandle = 'next') => ({
  id: `${source}-${sourceHandle}-${target}`,
  source,
  sourceHandle,
  target,
});
const external = () => `wm${randomBytes(10).toString('hex')}`;
const tag = (id: string, addTags: string[]) => ({ id, type: 'update_contact', update: { addTags } });
const exit = (id: string) => ({ id, type: 'exit' });
/** A flow that waits for an event and, when it comes, tags the contact `tagged`. */
const waitsThenTags = (
  id: string,
  trigger: Record<string, unknown>,
  wait: { event: string; filter?: Record<string, unknown> },
  tagged: string,
) => ({
  schemaVersion: 1,
  id,
  name: id,
  nodes: [
    { id: 'in', type: 'trigger', trigger },
    { id: 'wait', type: 'wait_for_event', ...wait, timeout: 'P7D' },
    tag('tag', [tagged]),
    exit('out'),
    exit('timed-out'),
  ],
  edges: [
    edge('in', 'wait'),
    edge('wait', 'tag', 'event'),
    edge('wait', 'timed-out', 'timeout'),
    edge('tag', 'out'),
  ],
});

describe('WeCom customer events from the callback', () => {
  let app: TestApp;
  let wecom: FakeWeComServer;
  const welcomeFlow = uniqueId('wecom-added');
  const churnFlow = uniqueId('wecom-churn');
  const replyFlow = uniqueId('wecom-reply');
  const target = () => ({ ...CALLBACK, url: `${app.url}/api/inbound/wecom` });
  /** WeCom delivers the event, and sopflow has processed what it answered for. */
  const deliver = async (xml: string) => {
    const delivery = await wecom.deliverCallback(target(), xml);
    await app.inboundSettled();
    return delivery;
  };
  const customerEvent = (changeType: string, externalUserId: string, extra: { state?: string } = {}) =>
    customerEventXml(WECOM.corpId, {
      changeType,
      staffId: STAFF,
      externalUserId,
      ...extra,
      ...(changeType === 'add_external_contact' ? { welcomeCode: `wc-${externalUserId}` } : {}),
    });
  const run = (flowId: string, contactId: string) =>
    app.client.workflow.getHandle(contactFlowWorkflowId(flowId, contactId));
  const eventsOf = (contactId: string) =>
    app.sql<{ name: string; payload: Record<string, unknown> }[]>`
      select name, payload from events where contact_id = ${contactId} order by id`;

  beforeAll(async () => {
    wecom = await FakeWeComServer.start({ apps: [WECOM] });
    app = await startTestApp({ env: weComCallbackEnv(CALLBACK) });
    await routeToWeComMass(app, { ...WECOM, sender: STAFF, baseUrl: wecom.url, reconcileMinutes: 0 });
    // A customer who came through the poster or the store takes that channel's path.
    await publishFlow(app, {
      schemaVersion: 1,
      id: welcomeFlow,
      name: welcomeFlow,
      nodes: [
        {
          id: 'in',
          type: 'trigger',
          trigger: {
            kind: 'event',
            event: 'wecom.customer_added',
            filter: { field: 'payload.state', op: 'in', value: [POSTER, STORE] },
          },
        },
        {
          id: 'by-channel',
          type: 'branch',
          branches: [
            { id: 'poster', when: { field: 'contact.attributes.channelCode', op: 'eq', value: POSTER } },
            { id: 'store', when: { field: 'contact.attributes.channelCode', op: 'eq', value: STORE } },
          ],
        },
        tag('poster-path', ['came-by-poster']),
        tag('store-path', ['came-by-store']),
        tag('else-path', ['came-otherwise']),
        exit('out'),
      ],
      edges: [
        edge('in', 'by-channel'),
        edge('by-channel', 'poster-path', 'poster'),
        edge('by-channel', 'store-path', 'store'),
        edge('by-channel', 'else-path', 'else'),
        edge('poster-path', 'out'),
        edge('store-path', 'out'),
        edge('else-path', 'out'),
      ],
    });
  });

  afterAll(async () => {
    await app?.request('DELETE', '/api/channels/wechat');
    await app?.stop();
    await wecom?.close();
  });

  it('an add through a channel code starts the flow on the channel’s path, and WeCom’s redelivery counts once', async () => {
    const customer = external();
    const contactId = `wecom:${customer}`;
    wecom.setCustomer({
      external_userid: customer,
      name: '林小雨',
      type: 1,
      follow_user: [
        {
          userid: STAFF,
          createtime: Math.floor(Date.now() / 1000),
          state: STORE,
          tags: [
            { group_name: '意向', tag_name: '高意向', tag_id: 'et1', type: 1 },
            { tag_name: '我自己的', type: 2 },
          ],
        },
      ],
    });
    const xml = customerEvent('add_external_contact', customer, { state: STORE });
    const first = await deliver(xml);
    expect(first).toMatchObject({ delivered: true, attempts: [{ status: 200 }] });
    // WeCom's deadline is 5 s; the read of the customer is not waited for.
    expect(first.attempts[0]!.ms).toBeLessThan(5_000);

    await run(welcomeFlow, contactId).result();
    const contact = await app.store.contacts.get(contactId);
    expect(contact?.addresses).toMatchObject({ wecomExternalUserId: customer });
    expect(contact?.attributes).toMatchObject({
      channelCode: STORE,
      wecomStaffIds: [STAFF],
      wecomRelation: 'customer_added',
    });
    expect(contact?.tags).toContain('came-by-store');
    expect(contact?.tags).not.toContain('came-by-poster');
    expect(await eventsOf(contactId)).toEqual([
      {
        name: 'wecom.customer_added',
        payload: {
          staffId: STAFF,
          externalUserId: customer,
          state: STORE,
          welcomeCode: `wc-${customer}`,
          at: expect.any(Number),
        },
      },
    ]);

    // WeCom delivers the same event again (its answer was lost): one event, one run, as before.
    expect(await deliver(xml)).toMatchObject({ delivered: true });
    expect(await eventsOf(contactId)).toHaveLength(1);
    expect(
      await app.sql`select 1 from enrollments where flow_id = ${welcomeFlow} and contact_id = ${contactId}`,
    ).toHaveLength(1);

    // After the answer: the customer's name, the staff they follow and their corp tags, from WeCom.
    const read = await app.store.contacts.get(contactId);
    expect(read?.name).toBe('林小雨');
    expect(read?.attributes).toMatchObject({
      wecomStaffIds: [STAFF],
      wecomName: '林小雨',
      wecomTags: ['高意向'],
    });
    expect(read?.tags).toEqual(expect.arrayContaining(['came-by-store', '高意向']));
    expect(read?.tags).not.toContain('我自己的');
  });

  it('answers WeCom before a slow read of the customer returns, and an edit reads their corp tags again', async () => {
    const customer = external();
    const contactId = `wecom:${customer}`;
    const follow = (tags: string[]) => ({
      external_userid: customer,
      name: 'Slow',
      type: 1 as const,
      follow_user: [
        {
          userid: STAFF,
          createtime: Math.floor(Date.now() / 1000),
          tags: tags.map((name) => ({ tag_name: name, type: 1 as const })),
        },
      ],
    });
    wecom.setCustomer(follow(['新客', '直播']));
    const slowMs = 5_500;
    wecom.fail('externalcontact/get', { delayMs: slowMs });
    const began = Date.now();
    const added = await deliver(customerEvent('add_external_contact', customer));
    // One try, answered in time: WeCom does not retry, though its own read takes longer than its deadline.
    expect(added).toMatchObject({ delivered: true, attempts: [{ status: 200 }] });
    expect(added.attempts[0]!.ms).toBeLessThan(5_000);
    expect(Date.now() - began).toBeGreaterThanOrEqual(slowMs);
    expect((await app.store.contacts.get(contactId))?.tags).toEqual(['新客', '直播']);

    // A staff member takes 新客 off and marks 已成交 in WeCom: the edit event has the customer read again.
    wecom.setCustomer(follow(['直播', '已成交']));
    expect(await deliver(customerEvent('edit_external_contact', customer))).toMatchObject({
      delivered: true,
    });
    expect((await app.store.contacts.get(contactId))?.attributes.wecomTags).toEqual(['直播', '已成交']);
    expect((await app.store.contacts.get(contactId))?.tags).toEqual(['直播', '已成交']);
    expect((await eventsOf(contactId)).map((e) => e.name)).toEqual([
      'wecom.customer_added',
      'wecom.customer_edited',
    ]);
  });

  it('a customer who already is a contact is found by their address, and their last channel code wins', async () => {
    const customer = external();
    const contactId = uniqueId('known');
    const saved = await app.request('PUT', `/api/contacts/${contactId}`, {
      wecomExternalUserId: customer,
      attributes: { channelCode: 'an-old-code' },
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    wecom.setCustomer({ external_userid: customer, name: 'Known', type: 1, follow_user: [] });
    expect(await deliver(customerEvent('add_external_contact', customer, { state: POSTER }))).toMatchObject({
      delivered: true,
    });
    await run(welcomeFlow, contactId).result();
    const contact = await app.store.contacts.get(contactId);
    expect(contact?.attributes.channelCode).toBe(POSTER);
    expect(contact?.tags).toContain('came-by-poster');
    expect(await app.store.contacts.get(`wecom:${customer}`)).toBeUndefined();
  });

  it('a customer removing the staff member wakes the flow waiting for it, and leaves them following no one', async () => {
    const state = uniqueId('churn');
    await publishFlow(
      app,
      waitsThenTags(
        churnFlow,
        {
          kind: 'event',
          event: 'wecom.customer_added',
          filter: { field: 'payload.state', op: 'eq', value: state },
        },
        { event: 'wecom.staff_removed' },
        'churned',
      ),
    );
    const customer = external();
    const contactId = `wecom:${customer}`;
    wecom.setCustomer({ external_userid: customer, name: 'Leaving', type: 1, follow_user: [] });
    await deliver(customerEvent('add_external_contact', customer, { state }));
    expect(await deliver(customerEvent('del_follow_user', customer))).toMatchObject({ delivered: true });
    await run(churnFlow, contactId).result();
    const contact = await app.store.contacts.get(contactId);
    expect(contact?.tags).toContain('churned');
    expect(contact?.attributes).toMatchObject({ wecomStaffIds: [], wecomRelation: 'staff_removed' });
    expect((await eventsOf(contactId)).map((e) => e.name)).toEqual([
      'wecom.customer_added',
      'wecom.staff_removed',
    ]);
  });

  it('a group WeCom creates is watched and read for its first customers; a dissolved one is watched no more', async () => {
    const chatId = uniqueId('wrCreated');
    const first = external();
    const now = Math.floor(Date.now() / 1000);
    wecom.setGroupChat({
      chat_id: chatId,
      owner: STAFF,
      create_time: now,
      member_list: [
        { userid: STAFF, type: 1, join_time: now, join_scene: 1 },
        { userid: first, type: 2, join_time: now, join_scene: 1 },
      ],
      member_version: 'v1',
    });
    const chat = (changeType: string) =>
      `<xml><ToUserName><![CDATA[${WECOM.corpId}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>` +
      `<CreateTime>${now}</CreateTime><MsgType><![CDATA[event]]></MsgType>` +
      `<Event><![CDATA[change_external_chat]]></Event><ChatId><![CDATA[${chatId}]]></ChatId>` +
      `<ChangeType><![CDATA[${changeType}]]></ChangeType></xml>`;
    expect(await deliver(chat('create'))).toMatchObject({ delivered: true });
    await app.client.workflow
      .getHandle(
        connectorJobRunId({
          connector: 'wecom-mass',
          account: 'wechat',
          job: 'reconcile-groups',
          only: chatId,
        }),
      )
      .result();
    expect(await app.sql`select members from wecom_groups where chat_id = ${chatId}`).toEqual([
      { members: [STAFF, first] },
    ]);
    expect((await eventsOf(`wecom:${first}`)).map((e) => e.name)).toEqual(['member.joined']);

    expect(await deliver(chat('dismiss'))).toMatchObject({ delivered: true });
    expect(await app.sql`select 1 from wecom_groups where chat_id = ${chatId}`).toHaveLength(0);
  });

  it("a member's message to the app wakes the flow waiting for their reply", async () => {
    const member = uniqueId('member');
    const saved = await app.request('PUT', `/api/contacts/${member}`, { wecomUserId: member });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    await publishFlow(
      app,
      waitsThenTags(
        replyFlow,
        { kind: 'event', event: `${replyFlow}.start` },
        { event: 'message.received', filter: { field: 'payload.channel', op: 'eq', value: 'wechat' } },
        'replied',
      ),
    );
    expect(
      (await app.request('POST', '/api/events', { contactId: member, name: `${replyFlow}.start` })).status,
    ).toBe(202);
    const message = appTextMessageXml(WECOM.corpId, { from: member, content: '明天见', agentId: 1000002 });
    expect(await deliver(message)).toMatchObject({ delivered: true });
    await run(replyFlow, member).result();
    expect((await app.store.contacts.get(member))?.tags).toContain('replied');
    expect((await eventsOf(member)).filter((e) => e.name === 'message.received')).toEqual([
      {
        name: 'message.received',
        payload: { msgType: 'text', agentId: '1000002', channel: 'wechat', text: '明天见' },
      },
    ]);
  });
});
