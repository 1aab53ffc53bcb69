import { randomBytes, randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type FakeAliyun, startFakeAliyun } from '../connectors/src/sms/fakes/aliyun-fake';
import { type FakeTencent, startFakeTencent } from '../connectors/src/sms/fakes/tencent-fake';
import { type FakeTwilio, startFakeTwilio } from '../connectors/src/sms/fakes/twilio-fake';
import { sendsOnce } from './support/flows';
import { publishFlow, startTestApp, type TestApp, uniqueId } from './support/stack';
import { until } from './support/worker-process';

/**
 * What happened to each SMS, as the providers report it: a flow's send goes queued → sent through
 * Twilio, Aliyun or Tencent (each a local fake speaking its API), and the provider's own callback
 * (Twilio's signed StatusCallback, Aliyun's SmsReport batch push, Tencent's status callback, each
 * posted by the fake as the provider documents it) moves it to delivered (read, where Twilio reports
 * it) or failed with the provider's code. A forged or unkeyed callback is refused, a repeated one
 * changes nothing, and one for a message sopflow never sent is answered as taken and logged.
 */

const PUBLIC_URL = 'https://sopflow.test';
const TWILIO = {
  accountSid: `AC${randomBytes(16).toString('hex')}`,
  authToken: 'twilio-auth-token-lifecycle',
  from: '+15005550006',
};
const ALIYUN = { accessKeyId: 'LTAI5tLifecycleKey', accessKeySecret: 'aliyun-secret-lifecycle' };
const TENCENT = {
  secretId: 'AKIDlifecycle',
  secretKey: 'tencent-secret-lifecycle',
  smsSdkAppId: '1400000001',
};
const TEMPLATE = { id: 'SMS_1001', params: { '1': '{{ contact.name }}' } };

const mainland = () => `+86139${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
const usMobile = () => `+1555${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;

interface Lifecycle {
  idempotency_key: string;
  provider_message_id: string | null;
  lifecycle: string;
  lifecycle_at: Date | null;
  lifecycle_code: string | null;
}

describe('message lifecycle of SMS, from the providers’ status callbacks', () => {
  let app: TestApp;
  let twilio: FakeTwilio;
  let aliyun: FakeAliyun;
  let tencent: FakeTencent;
  const flowId = uniqueId('sms-lifecycle');

  const route = async (connector: string, config: unknown) => {
    const answer = await app.request('PUT', '/api/channels/sms', { connector, config });
    expect(answer.status).toBe(200);
  };
  /** Enrolls a new contact with this phone; resolves with its delivery once the provider took it. */
  const sendTo = async (phone: string) => {
    const id = uniqueId('c');
    expect((await app.webhook(flowId, { contact: { id, name: 'Mei', phone } })).status).toBe(202);
    const delivery = await until(async () => {
      const [row] = await app.sql<Lifecycle[]>`
        select idempotency_key, provider_message_id, lifecycle, lifecycle_at, lifecycle_code
        from deliveries where contact_id = ${id} and flow_id = ${flowId}`;
      return row?.provider_message_id && row.lifecycle === 'sent' ? row : undefined;
    }, 'the send to be taken by the provider');
    return { contactId: id, delivery };
  };
  const lifecycleOf = async (key: string) => {
    const [row] = await app.sql<Lifecycle[]>`
      select idempotency_key, provider_message_id, lifecycle, lifecycle_at, lifecycle_code
      from deliveries where idempotency_key = ${key}`;
    return row!;
  };
  const statusesOf = async (key: string) =>
    (
      await app.sql<{ status: string }[]>`
        select status from message_statuses where delivery_key = ${key} order by recorded_at, at`
    ).map((r) => r.status);
  const historyOf = async (contactId: string) =>
    (await app.request('GET', `/api/contacts/${contactId}`)).body;
  const keyedUrls = async () => (await app.request('GET', '/api/inbound/sms-reply-urls')).body;
  /** A keyed URL's path on the API itself (the public URL is a proxy in front of it). */
  const onApi = (url: string) => `${app.url}${new URL(url).pathname}`;
  const warned = vi.spyOn(console, 'warn');

  beforeAll(async () => {
    twilio = await startFakeTwilio(TWILIO);
    aliyun = await startFakeAliyun(ALIYUN);
    tencent = await startFakeTencent(TENCENT);
    app = await startTestApp({ env: { SOPFLOW_PUBLIC_URL: PUBLIC_URL } });
    await publishFlow(app, sendsOnce(flowId, 'sms', { text: 'Hi {{ contact.name }}', template: TEMPLATE }));
  });

  afterAll(async () => {
    // channel_routes is shared by every test file: leave SMS on the outbox again.
    if (app) await app.request('DELETE', '/api/channels/sms');
    await app?.stop();
    await Promise.all([twilio?.close(), aliyun?.close(), tencent?.close()]);
    warned.mockRestore();
  });

  describe('Twilio StatusCallback', () => {
    const statusUrl = `${PUBLIC_URL}/api/inbound/twilio/status`;
    const callback = (sid: string, status: string, extra: Record<string, string> = {}, authToken?: string) =>
      twilio.sendStatusCallback(sid, status, extra, {
        deliverTo: `${app.url}/api/inbound/twilio/status`,
        ...(authToken ? { authToken } : {}),
      });

    beforeAll(async () => {
      await route('twilio-sms', { ...TWILIO, baseUrl: twilio.url, statusCallbackUrl: statusUrl });
    });

    it('goes queued → sent → delivered → read; a forged callback is refused, a repeat and a late one change nothing', async () => {
      const { contactId, delivery } = await sendTo(usMobile());
      const sid = delivery.provider_message_id!;
      expect(await statusesOf(delivery.idempotency_key)).toEqual(['queued', 'sent']);

      expect(await callback(sid, 'delivered', {}, 'not-the-auth-token')).toBe(401);
      expect((await lifecycleOf(delivery.idempotency_key)).lifecycle).toBe('sent');

      expect(await callback(sid, 'sent')).toBe(200);
      expect(await callback(sid, 'delivered')).toBe(200);
      const delivered = await lifecycleOf(delivery.idempotency_key);
      expect(delivered.lifecycle).toBe('delivered');
      // Twilio retries a callback it did not see answered: the same status again changes nothing.
      expect(await callback(sid, 'delivered')).toBe(200);
      expect(await lifecycleOf(delivery.idempotency_key)).toEqual(delivered);
      expect(await statusesOf(delivery.idempotency_key)).toEqual(['queued', 'sent', 'delivered']);

      expect(await callback(sid, 'read')).toBe(200);
      // A late report of an earlier status is history, not a step back.
      expect(await callback(sid, 'failed', { ErrorCode: '30008' })).toBe(200);
      expect((await lifecycleOf(delivery.idempotency_key)).lifecycle).toBe('read');
      expect(await statusesOf(delivery.idempotency_key)).toEqual([
        'queued',
        'sent',
        'delivered',
        'read',
        'failed',
      ]);

      const history = await historyOf(contactId);
      expect(history.deliveries[0]).toMatchObject({
        nodeId: 'send',
        lifecycle: { status: 'read' },
        statuses: [
          { status: 'queued' },
          { status: 'sent' },
          { status: 'delivered' },
          { status: 'read' },
          { status: 'failed', code: '30008' },
        ],
      });
    });

    it('ends an undelivered message failed with Twilio’s error code, and counts it on its step', async () => {
      const { delivery } = await sendTo(usMobile());
      expect(await callback(delivery.provider_message_id!, 'undelivered', { ErrorCode: '30003' })).toBe(200);
      expect(await lifecycleOf(delivery.idempotency_key)).toMatchObject({
        lifecycle: 'failed',
        lifecycle_code: '30003',
      });
      // A delivery report after the failure does not revive it.
      expect(await callback(delivery.provider_message_id!, 'delivered')).toBe(200);
      expect((await lifecycleOf(delivery.idempotency_key)).lifecycle).toBe('failed');

      const stats = (await app.request('GET', `/api/flows/${flowId}/stats`)).body;
      const notify = stats.nodes.find((n: { nodeId: string }) => n.nodeId === 'send');
      expect(notify.messages).toMatchObject({ read: 1, failed: 1 });
      expect(stats.messages.find((m: { channel: string }) => m.channel === 'sms').statuses).toMatchObject({
        read: 1,
        failed: 1,
      });
    });

    it('answers a callback for a message sopflow did not send as taken, and logs it', async () => {
      const sid = `SM${randomBytes(16).toString('hex')}`;
      const params = { AccountSid: TWILIO.accountSid, MessageSid: sid, MessageStatus: 'delivered' };
      const { computeTwilioSignature } = await import('../connectors/src/sms/twilio-signature');
      const response = await fetch(`${app.url}/api/inbound/twilio/status`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': computeTwilioSignature(TWILIO.authToken, statusUrl, params),
        },
        body: new URLSearchParams(params).toString(),
      });
      expect(response.status).toBe(200);
      expect(warned).toHaveBeenCalledWith(expect.stringContaining(sid));
      expect(await app.sql`select 1 from deliveries where provider_message_id = ${sid}`).toHaveLength(0);
    });
  });

  describe('Aliyun SmsReport', () => {
    beforeAll(async () => {
      await route('aliyun-sms', { ...ALIYUN, signName: '社群运营', endpoint: aliyun.url });
    });

    it('goes queued → sent → delivered by the BizId; a wrong key is refused, a repeat changes nothing', async () => {
      const { aliyunReports } = await keyedUrls();
      expect(aliyunReports).toMatch(
        /^https:\/\/sopflow\.test\/api\/inbound\/aliyun-sms-report\/[0-9a-f]{32}$/,
      );
      const { delivery } = await sendTo(mainland());
      const bizId = delivery.provider_message_id!;
      expect(aliyun.sent.some((s) => s.bizId === bizId)).toBe(true);

      const wrongKey = onApi(aliyunReports).replace(/[0-9a-f]{32}$/, '0'.repeat(32));
      expect((await aliyun.pushReport(wrongKey, bizId, { success: true })).status).toBe(404);
      expect((await lifecycleOf(delivery.idempotency_key)).lifecycle).toBe('sent');

      expect(await aliyun.pushReport(onApi(aliyunReports), bizId, { success: true })).toEqual({
        status: 200,
        body: { code: 0, msg: '接收成功' },
      });
      const delivered = await lifecycleOf(delivery.idempotency_key);
      expect(delivered).toMatchObject({ lifecycle: 'delivered', lifecycle_code: 'DELIVERED' });
      expect((await aliyun.pushReport(onApi(aliyunReports), bizId, { success: true })).status).toBe(200);
      expect(await lifecycleOf(delivery.idempotency_key)).toEqual(delivered);
      expect(await statusesOf(delivery.idempotency_key)).toEqual(['queued', 'sent', 'delivered']);
    });

    it('ends a message Aliyun could not deliver failed with its code; takes a report of an unknown BizId', async () => {
      const { aliyunReports } = await keyedUrls();
      const { delivery } = await sendTo(mainland());
      const failure = { success: false as const, errCode: 'MK:0001', errMsg: '用户手机号停机' };
      expect(
        (await aliyun.pushReport(onApi(aliyunReports), delivery.provider_message_id!, failure)).status,
      ).toBe(200);
      expect(await lifecycleOf(delivery.idempotency_key)).toMatchObject({
        lifecycle: 'failed',
        lifecycle_code: 'MK:0001',
      });

      const unknown = await app.request('POST', new URL(aliyunReports).pathname, [
        {
          success: true,
          err_code: 'DELIVERED',
          biz_id: '900000000000^0',
          report_time: '2026-12-07 10:00:00',
        },
      ]);
      expect(unknown).toMatchObject({ status: 200, body: { code: 0 } });
      expect(warned).toHaveBeenCalledWith(expect.stringContaining('900000000000^0'));
    });
  });

  describe('Tencent status callback', () => {
    beforeAll(async () => {
      await route('tencent-sms', { ...TENCENT, signName: '社群运营', endpoint: tencent.url });
    });

    it('goes queued → sent → delivered by the SerialNo, or failed with errmsg; repeats and unknown ones change nothing', async () => {
      const { tencentReports } = await keyedUrls();
      expect(tencentReports).toMatch(
        /^https:\/\/sopflow\.test\/api\/inbound\/tencent-sms-status\/[0-9a-f]{32}$/,
      );
      const { delivery } = await sendTo(mainland());
      const serialNo = delivery.provider_message_id!;
      expect(tencent.sent.some((s) => s.serialNo === serialNo)).toBe(true);

      const wrongKey = onApi(tencentReports).replace(/[0-9a-f]{32}$/, '1'.repeat(32));
      expect((await tencent.pushStatus(wrongKey, serialNo, { success: true })).status).toBe(404);

      expect(await tencent.pushStatus(onApi(tencentReports), serialNo, { success: true })).toEqual({
        status: 200,
        body: { result: 0, errmsg: 'OK' },
      });
      const delivered = await lifecycleOf(delivery.idempotency_key);
      expect(delivered).toMatchObject({ lifecycle: 'delivered', lifecycle_code: 'DELIVRD' });
      expect((await tencent.pushStatus(onApi(tencentReports), serialNo, { success: true })).status).toBe(200);
      expect(await lifecycleOf(delivery.idempotency_key)).toEqual(delivered);
      expect(await statusesOf(delivery.idempotency_key)).toEqual(['queued', 'sent', 'delivered']);

      const { delivery: other } = await sendTo(mainland());
      const failure = { success: false as const, errmsg: 'MN:0001', description: '空号' };
      expect(
        (await tencent.pushStatus(onApi(tencentReports), other.provider_message_id!, failure)).status,
      ).toBe(200);
      expect(await lifecycleOf(other.idempotency_key)).toMatchObject({
        lifecycle: 'failed',
        lifecycle_code: 'MN:0001',
      });

      const unknown = await app.request('POST', new URL(tencentReports).pathname, [
        { report_status: 'SUCCESS', errmsg: 'DELIVRD', sid: '2028:not-ours' },
      ]);
      expect(unknown).toMatchObject({ status: 200, body: { result: 0 } });
      expect(warned).toHaveBeenCalledWith(expect.stringContaining('2028:not-ours'));
    });
  });
});
