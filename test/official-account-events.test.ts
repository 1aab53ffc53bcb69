import { randomBytes } from 'node:crypto';
import { contactFlowWorkflowId } from '@sopflow/workflows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FakeOfficialAccount,
  startFakeOfficialAccount,
} from '../connectors/src/official-account/official-account-fake';
import { publishFlow, startTestApp, type TestApp, uniqueId } from './support/stack';

/**
 * The WeChat Official Account's server callback, end to end: the fake account pushes what its
 * followers do as WeChat does (signed, encrypted in safe mode, pushed again when WeChat thinks it
 * went unanswered); a scene-QR follow starts a flow, a reply wakes its wait, leaving opts out, and
 * the 48-hour rule lets a template through where a free-form message fails with its reason.
 */

const OA = { appId: 'wx00e2e0a0f0110a57', appSecret: 'oa-e2e-app-secret' };
const CALLBACK = { token: 'oaE2eToken', encodingAESKey: 'Zq3x9RkT2mWvB8nLc4Hd6Jp1sYf5Ga7Ue0Ki3Oo2Xr9' };
const DAY = 86_400_000;

const follower = () => `oE2e${randomBytes(12).toString('hex')}`;
const contactOf = (openId: string) => `openId:${openId}`;
const edge = (source: string, target: string, sourceHandle = 'next') => ({
  id: `${source}-${sourceHandle}-${target}`,
  source,
  sourceHandle,
  target,
});

describe('Official Account followers through the server callback', () => {
  let app: TestApp;
  let oa: FakeOfficialAccount;
  const scene = uniqueId('poster');
  const welcomeFlow = uniqueId('oa-welcome');
  const promoFlow = uniqueId('oa-promo');
  const promoEvent = uniqueId('promo.opened');

  const eventsOf = (contactId: string, name: string) =>
    app.sql<{ payload: Record<string, unknown> }[]>`
      select payload from events where contact_id = ${contactId} and name = ${name} order by id`;
  const sentTo = (openId: string) => oa.delivered.filter((d) => d.openId === openId);
  /** The follower acts, WeChat pushes it, and sopflow has processed what it was answered for. */
  const act = async (...args: Parameters<FakeOfficialAccount['act']>) => {
    const pushes = await oa.act(...args);
    await app.inboundSettled();
    return pushes;
  };

  beforeAll(async () => {
    oa = await startFakeOfficialAccount({ ...OA, templates: ['TPL_PROMO'] });
    app = await startTestApp({
      env: {
        SOPFLOW_OA_CALLBACK_TOKEN: CALLBACK.token,
        SOPFLOW_OA_CALLBACK_AES_KEY: CALLBACK.encodingAESKey,
        SOPFLOW_OA_APP_ID: OA.appId,
      },
    });
    oa.callbackTo({ url: `${app.url}/api/inbound/wechat-oa`, ...CALLBACK, appId: OA.appId, mode: 'safe' });
    const routed = await app.request('PUT', '/api/channels/wechat_oa', {
      connector: 'wechat-oa',
      config: { ...OA, baseUrl: oa.url },
    });
    expect(routed.status).toBe(200);

    await publishFlow(app, {
      schemaVersion: 1,
      id: welcomeFlow,
      name: 'OA poster welcome',
      nodes: [
        {
          id: 'in',
          type: 'trigger',
          trigger: {
            kind: 'event',
            event: 'oa.subscribed',
            filter: { field: 'payload.scene', op: 'eq', value: scene },
          },
        },
        {
          id: 'welcome',
          type: 'send',
          channel: 'wechat_oa',
          message: { text: '欢迎关注！回复“报名”参加活动' },
        },
        { id: 'reply', type: 'wait_for_event', event: 'message.received', timeout: 'P1D' },
        {
          id: 'thanks',
          type: 'send',
          channel: 'wechat_oa',
          message: { text: '收到：{{ lastEvent.payload.text }}' },
        },
        { id: 'out', type: 'exit' },
      ],
      edges: [
        edge('in', 'welcome'),
        edge('welcome', 'reply'),
        edge('reply', 'thanks', 'event'),
        edge('reply', 'out', 'timeout'),
        edge('thanks', 'out'),
      ],
    });
    await publishFlow(app, {
      schemaVersion: 1,
      id: promoFlow,
      name: 'OA promo',
      nodes: [
        { id: 'in', type: 'trigger', trigger: { kind: 'event', event: promoEvent } },
        { id: 'free', type: 'send', channel: 'wechat_oa', message: { text: '周末活动，点此报名' } },
        {
          id: 'tpl',
          type: 'send',
          channel: 'wechat_oa',
          message: { text: '活动提醒', template: { id: 'TPL_PROMO', params: { thing1: '周末读书会' } } },
        },
        { id: 'out', type: 'exit' },
      ],
      edges: [edge('in', 'free'), edge('free', 'tpl', 'failed'), edge('free', 'out'), edge('tpl', 'out')],
    });
  });

  afterAll(async () => {
    await app?.request('DELETE', '/api/channels/wechat_oa');
    await app?.stop();
    await oa?.close();
  });

  it('a scene-QR follow starts the flow once however often WeChat pushes it, and a text reply wakes its wait', async () => {
    const openId = follower();
    const pushes = await act(openId, { type: 'subscribe', scene }, { redeliver: 2 });
    expect(pushes.map((p) => [p.status, p.body])).toEqual([
      [200, 'success'],
      [200, 'success'],
      [200, 'success'],
    ]);
    const contactId = contactOf(openId);
    const followed = await eventsOf(contactId, 'oa.subscribed');
    expect(followed).toHaveLength(1);
    expect(followed[0]?.payload).toMatchObject({ channel: 'wechat_oa', openId, via: 'subscribe', scene });
    expect((await app.store.contacts.get(contactId))?.addresses).toMatchObject({ openId });

    const run = app.client.workflow.getHandle(contactFlowWorkflowId(welcomeFlow, contactId));
    await expect.poll(() => sentTo(openId).length, { timeout: 20_000 }).toBe(1);
    expect(sentTo(openId)[0]).toMatchObject({
      kind: 'custom',
      body: { text: { content: '欢迎关注！回复“报名”参加活动' } },
    });

    const reply = await act(openId, { type: 'text', content: '报名' }, { redeliver: 1 });
    expect(reply.every((p) => p.status === 200)).toBe(true);
    await run.result();
    expect(sentTo(openId).map((d) => d.body.text)).toEqual([
      { content: '欢迎关注！回复“报名”参加活动' },
      { content: '收到：报名' },
    ]);
    expect(await eventsOf(contactId, 'message.received')).toHaveLength(1);

    // A follower scanning another poster is not this flow's.
    const other = follower();
    await act(other, { type: 'subscribe', scene: 'another-poster' });
    expect(await eventsOf(contactOf(other), 'oa.subscribed')).toHaveLength(1);
    expect(await app.store.enrollments.workflowsOfContact(contactOf(other))).toEqual([]);
  });

  it('leaving opts the follower out of the Official Account, following again opts them back in', async () => {
    const openId = follower();
    const contactId = contactOf(openId);
    await act(openId, { type: 'subscribe' });
    expect((await app.store.contacts.get(contactId))?.unsubscribed).toEqual([]);
    await act(openId, { type: 'unsubscribe' });
    expect((await app.store.contacts.get(contactId))?.unsubscribed).toEqual(['wechat_oa']);
    expect(await eventsOf(contactId, 'oa.unsubscribed')).toHaveLength(1);
    // Scanning a poster's QR code while not following follows the account (WeChat pushes subscribe).
    await act(openId, { type: 'scan', scene: '1001' });
    expect((await app.store.contacts.get(contactId))?.unsubscribed).toEqual([]);
    expect((await eventsOf(contactId, 'oa.subscribed')).map((e) => e.payload.via)).toEqual([
      'subscribe',
      'subscribe',
    ]);
    await act(openId, { type: 'scan', scene: '1002' });
    expect((await eventsOf(contactId, 'oa.subscribed')).at(-1)?.payload).toMatchObject({
      via: 'scan',
      scene: '1002',
    });
  });

  it('warns on saving a flow that sends a free-form message after waiting three days, not a template', async () => {
    const id = uniqueId('oa-late');
    const draft = (message: Record<string, unknown>) => ({
      schemaVersion: 1,
      id,
      name: 'OA late nudge',
      nodes: [
        { id: 'in', type: 'trigger', trigger: { kind: 'event', event: 'oa.subscribed' } },
        { id: 'later', type: 'wait', duration: 'P3D' },
        { id: 'nudge', type: 'send', channel: 'wechat_oa', message },
        { id: 'out', type: 'exit' },
      ],
      edges: [edge('in', 'later'), edge('later', 'nudge'), edge('nudge', 'out')],
    });
    const saved = await app.request('PUT', `/api/flows/${id}`, draft({ text: '好久不见' }));
    expect(saved.status).toBe(200);
    expect(saved.body.warnings).toEqual([
      expect.objectContaining({
        code: 'free_form_after_window',
        nodeId: 'nudge',
        limitId: 'wechat-oa-48h',
        messageZh: expect.stringContaining('公众号客服消息'),
      }),
    ]);
    const withTemplate = await app.request(
      'PUT',
      `/api/flows/${id}`,
      draft({ text: '好久不见', template: { id: 'TPL_PROMO', params: { thing1: '新活动' } } }),
    );
    expect(withTemplate.body.warnings).toEqual([]);
  });

  it('outside 48 hours of the last interaction a free-form send fails with its reason, a template goes', async () => {
    const openId = follower();
    const contactId = contactOf(openId);
    // The follower's last word was three days ago (WeChat's CreateTime; the push is signed now).
    await act(openId, { type: 'text', content: '你好' }, { at: Date.now() - 3 * DAY });
    const posted = await app.request('POST', '/api/events', { contactId, name: promoEvent });
    expect(posted.status).toBeLessThan(300);
    await app.client.workflow.getHandle(contactFlowWorkflowId(promoFlow, contactId)).result();

    const deliveries = await app.sql<{ node_id: string; status: string; error: string | null }[]>`
      select node_id, status, error from deliveries
      where workflow_id = ${contactFlowWorkflowId(promoFlow, contactId)} order by created_at`;
    expect(deliveries.map((d) => [d.node_id, d.status])).toEqual([
      ['free', 'failed'],
      ['tpl', 'sent'],
    ]);
    expect(deliveries[0]?.error).toMatch(/outside_48h_window.*超出 48 小时客服消息窗口/);
    expect(sentTo(openId)).toEqual([
      expect.objectContaining({
        kind: 'template',
        body: expect.objectContaining({ template_id: 'TPL_PROMO' }),
      }),
    ]);
  });
});
