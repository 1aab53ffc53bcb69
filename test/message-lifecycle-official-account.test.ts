import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { deliverCallback, templateSendJobFinishXml } from '../connectors/src/official-account/fake-callbacks';
import {
  type FakeOfficialAccount,
  startFakeOfficialAccount,
} from '../connectors/src/official-account/official-account-fake';
import { sendsOnce } from './support/flows';
import { publishFlow, startTestApp, type TestApp, uniqueId } from './support/stack';
import { until } from './support/worker-process';

/**
 * What happened to an Official Account template message: the send goes queued → sent, and WeChat's
 * TEMPLATESENDJOBFINISH event, pushed by the fake account through the signed, encrypted server
 * callback, moves it to delivered, or failed with WeChat's status. A push with a wrong signature is
 * refused, a redelivery changes nothing, a result for a message sopflow never sent is taken and logged.
 */

const OA = { appId: 'wx00e2e0a0f0110a58', appSecret: 'oa-lifecycle-app-secret' };
const CALLBACK = { token: 'oaLifecycleToken', encodingAESKey: 'Lq3x9RkT2mWvB8nLc4Hd6Jp1sYf5Ga7Ue0Ki3Oo2Xr8' };

const follower = () => `oLc${randomBytes(12).toString('hex')}`;

describe('message lifecycle of Official Account template messages', () => {
  let app: TestApp;
  let oa: FakeOfficialAccount;
  const flowId = uniqueId('oa-lifecycle');
  const warned = vi.spyOn(console, 'warn');
  const target = () => ({
    url: `${app.url}/api/inbound/wechat-oa`,
    ...CALLBACK,
    appId: OA.appId,
    mode: 'safe' as const,
  });

  /** Enrolls a follower; resolves with the template's delivery and its msgid once WeChat took it. */
  const sendTo = async (openId: string) => {
    const id = uniqueId('c');
    oa.user(openId, { following: true });
    expect((await app.webhook(flowId, { contact: { id, addresses: { openId } } })).status).toBe(202);
    return until(async () => {
      const [row] = await app.sql<
        { idempotency_key: string; provider_message_id: string | null; lifecycle: string }[]
      >`
        select idempotency_key, provider_message_id, lifecycle from deliveries where contact_id = ${id}`;
      return row?.provider_message_id && row.lifecycle === 'sent' ? row : undefined;
    }, 'the template to be taken');
  };
  const lifecycleOf = async (key: string) =>
    (
      await app.sql<{ lifecycle: string; lifecycle_code: string | null }[]>`
        select lifecycle, lifecycle_code from deliveries where idempotency_key = ${key}`
    )[0];
  const statusesOf = async (key: string) =>
    (
      await app.sql<{ status: string }[]>`
        select status from message_statuses where delivery_key = ${key} order by recorded_at, at`
    ).map((r) => r.status);

  beforeAll(async () => {
    oa = await startFakeOfficialAccount({ ...OA, templates: ['TPL_NOTICE'] });
    app = await startTestApp({
      env: {
        SOPFLOW_OA_CALLBACK_TOKEN: CALLBACK.token,
        SOPFLOW_OA_CALLBACK_AES_KEY: CALLBACK.encodingAESKey,
        SOPFLOW_OA_APP_ID: OA.appId,
      },
    });
    oa.callbackTo(target());
    const routed = await app.request('PUT', '/api/channels/wechat_oa', {
      connector: 'wechat-oa',
      config: { ...OA, baseUrl: oa.url },
    });
    expect(routed.status).toBe(200);
    await publishFlow(
      app,
      sendsOnce(flowId, 'wechat_oa', {
        text: '活动提醒',
        template: { id: 'TPL_NOTICE', params: { thing1: '周末读书会' } },
      }),
    );
  });

  afterAll(async () => {
    if (app) await app.request('DELETE', '/api/channels/wechat_oa');
    await app?.stop();
    await oa?.close();
    warned.mockRestore();
  });

  it('goes queued → sent → delivered on TEMPLATESENDJOBFINISH success; a redelivery changes nothing', async () => {
    const delivery = await sendTo(follower());
    const msgid = Number(delivery.provider_message_id);
    const attempts = await oa.finishTemplateJob(msgid, 'success', { redeliver: 2 });
    expect(attempts.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(await lifecycleOf(delivery.idempotency_key)).toEqual({
      lifecycle: 'delivered',
      lifecycle_code: 'success',
    });
    expect(await statusesOf(delivery.idempotency_key)).toEqual(['queued', 'sent', 'delivered']);
  });

  it('ends a template the follower blocked failed with WeChat’s status', async () => {
    const delivery = await sendTo(follower());
    await oa.finishTemplateJob(Number(delivery.provider_message_id), 'failed:user block');
    expect(await lifecycleOf(delivery.idempotency_key)).toEqual({
      lifecycle: 'failed',
      lifecycle_code: 'failed:user block',
    });
  });

  it('refuses a push signed with another token, and takes a result for a message it did not send', async () => {
    const delivery = await sendTo(follower());
    const openId = follower();
    const forged = await deliverCallback(
      { ...target(), token: 'not-the-token' },
      templateSendJobFinishXml('gh_fake_account', openId, Number(delivery.provider_message_id), 'success'),
    );
    expect(forged[0]?.status).toBe(401);
    expect((await lifecycleOf(delivery.idempotency_key))?.lifecycle).toBe('sent');

    const unknown = await deliverCallback(
      target(),
      templateSendJobFinishXml('gh_fake_account', openId, 987654321, 'success'),
    );
    expect(unknown[0]).toEqual({ status: 200, body: 'success' });
    expect(warned).toHaveBeenCalledWith(expect.stringContaining('987654321'));
  });
});
