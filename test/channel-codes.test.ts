import { randomBytes } from 'node:crypto';
import type { CallbackConfig } from '@sopflow/connectors';
import { ChannelCode, ChannelCodeList, ChannelCodeRemoved, ErrorBody } from '@sopflow/core/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeWeComServer } from '../connectors/src/wecom/fake-wecom-server';
import { publishFlow, startTestApp, type TestApp, uniqueId } from './support/stack';
import { weComCallbackEnv } from './support/wecom';
import {
  type CustomerAdd,
  channelCodeFlow,
  deliverCustomerAdd,
  enrollmentsOf,
  weComCallbackTarget,
} from './support/wecom-adds';

/**
 * Channel codes (渠道活码) end to end: made, listed, changed and deleted on the fake WeCom server
 * through the channel routed to wecom-mass; the QR image comes through the API; adds through a code
 * (`wecom.customer_added` with its state) start a flow that branches on the state, the enrollment
 * records it, and the code's counts say adds, enrollments and conversions.
 */

const WECOM = { corpId: 'ww-e2e-channel-codes', secret: 'wecom-contact-secret-e2e-0027' };
const STAFF = ['staff-lin', 'staff-zhou'];
const CALLBACK: CallbackConfig = {
  token: 'channel-codes-callback-token',
  encodingAESKey: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq',
  receiveId: WECOM.corpId,
};

describe('channel codes', () => {
  let app: TestApp;
  let wecom: FakeWeComServer;
  const flowId = uniqueId('from-channel-code');

  const create = (body: unknown) => app.request('POST', '/api/channel-codes', body);
  const code = (answer: { status: number; body: unknown }, status = 200) => {
    expect(answer.status, JSON.stringify(answer.body)).toBe(status);
    return ChannelCode.parse(answer.body);
  };
  /** A new customer adding a staff member through the code `state`, delivered as WeCom's callback. */
  const addThrough = (state: string): CustomerAdd => ({
    staffId: STAFF[0]!,
    externalUserId: `wm${randomBytes(8).toString('hex')}`,
    state,
    at: Date.now(),
  });
  const deliver = async (add: CustomerAdd) =>
    (await deliverCustomerAdd(weComCallbackTarget(app.url, CALLBACK), add, app)).contactId;

  beforeAll(async () => {
    wecom = await FakeWeComServer.start({ apps: [WECOM], members: STAFF });
    app = await startTestApp({ env: weComCallbackEnv(CALLBACK) });
    const routed = await app.request('PUT', '/api/channels/wechat', {
      connector: 'wecom-mass',
      config: { ...WECOM, sender: STAFF[0], baseUrl: wecom.url, reconcileMinutes: 0 },
    });
    expect(routed.status, JSON.stringify(routed.body)).toBe(200);
  });

  afterAll(async () => {
    await app?.request('DELETE', '/api/channels/wechat');
    await app?.stop();
    await wecom?.close();
  });

  it('makes a code on WeCom with a short unique state and shows its QR code', async () => {
    const made = code(
      await create({ name: '春季海报 · 徐汇店门口的那一张大海报', channel: 'poster', staff: STAFF }),
      201,
    );
    expect(made).toMatchObject({
      channel: 'poster',
      staff: STAFF,
      skipVerify: true,
      connector: 'wecom-mass',
    });
    expect(made.counts).toEqual({ adds: 0, enrollments: 0, conversions: 0 });
    expect(made.state).toMatch(/^sf[a-z2-9]{10}$/);
    const way = wecom.contactWays.byState(made.state)!;
    expect(way).toMatchObject({ type: 2, scene: 2, user: STAFF, skip_verify: true });
    expect([...(way.remark ?? '')].length).toBeLessThanOrEqual(30);
    expect(made.qrCode).toBe(way.qr_code);

    const image = await fetch(`${app.url}${made.qrImageUrl}`, {
      headers: { authorization: `Bearer ${app.token}` },
    });
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(
      Buffer.from(await image.arrayBuffer())
        .subarray(1, 4)
        .toString('ascii'),
    ).toBe('PNG');

    const other = code(await create({ name: 'Live', channel: 'live_stream', staff: [STAFF[1]] }), 201);
    expect(other.state).not.toBe(made.state);
    const listed = ChannelCodeList.parse((await app.request('GET', '/api/channel-codes')).body);
    expect(listed.channelCodes.map((c) => c.id)).toEqual(expect.arrayContaining([made.id, other.id]));
  });

  it('refuses bad input with 4xx naming the field in en and zh', async () => {
    const refused = await create({ name: ' ', channel: 'billboard', staff: [], skipVerify: 'yes' });
    expect(refused.status).toBe(422);
    const { error } = ErrorBody.parse(refused.body);
    const paths = (error.details as { path: string; message: string }[]).map((d) => d.path).sort();
    expect(paths).toEqual(['channel', 'name', 'skipVerify', 'staff']);
    const nameIssue = (error.details as { path: string; message: string }[]).find((d) => d.path === 'name')!;
    expect(nameIssue.message).toContain('Give the code a name');
    expect(nameIssue.message).toContain('请填写活码名称');

    const twice = await create({ name: 'x', channel: 'store', staff: ['a', 'a'] });
    expect(twice.status).toBe(422);
    expect(JSON.stringify(twice.body)).toContain('员工账号重复');

    // WeCom does not know the staff member: the refusal names `staff`, and nothing is stored.
    const before = wecom.contactWays.ways.size;
    const unknown = await create({ name: 'Store', channel: 'store', staff: ['nobody-here'] });
    expect(unknown.status, JSON.stringify(unknown.body)).toBe(422);
    const refusal = ErrorBody.parse(unknown.body).error;
    expect(refusal.details).toEqual([{ path: 'staff', message: expect.stringContaining('员工账号') }]);
    expect(wecom.contactWays.ways.size).toBe(before);

    expect((await app.request('GET', '/api/channel-codes/nope')).status).toBe(404);
  });

  it('changes staff and verification on WeCom, keeping the state and QR code; deletes it there too', async () => {
    const made = code(await create({ name: 'Store', channel: 'store', staff: [STAFF[0]] }), 201);
    const changed = code(
      await app.request('PUT', `/api/channel-codes/${made.id}`, {
        name: 'Store, two staff',
        channel: 'event',
        staff: STAFF,
        skipVerify: false,
      }),
    );
    expect(changed).toMatchObject({ state: made.state, qrCode: made.qrCode, staff: STAFF, channel: 'event' });
    expect(wecom.contactWays.byState(made.state)).toMatchObject({ user: STAFF, skip_verify: false });

    const removed = await app.request('DELETE', `/api/channel-codes/${made.id}`);
    expect(ChannelCodeRemoved.parse(removed.body)).toEqual({ id: made.id, removed: true });
    expect(wecom.contactWays.byState(made.state)).toBeUndefined();
    expect((await app.request('GET', `/api/channel-codes/${made.id}`)).status).toBe(404);
  });

  it('adopts the code an unanswered call made instead of leaving it unlisted', async () => {
    // WeCom makes the code, but its answer never arrives in time.
    wecom.fail('externalcontact/add_contact_way', { delayAfterHandlingMs: 30_000 });
    const routed = await app.request('PUT', '/api/channels/wechat', {
      connector: 'wecom-mass',
      config: { ...WECOM, sender: STAFF[0], baseUrl: wecom.url, reconcileMinutes: 0, timeoutMs: 500 },
    });
    expect(routed.status).toBe(200);
    try {
      const made = code(await create({ name: 'Slow', channel: 'online', staff: STAFF }), 201);
      expect(wecom.contactWays.byState(made.state)?.config_id).toBeDefined();
      expect([...wecom.contactWays.ways.values()].filter((w) => w.state === made.state)).toHaveLength(1);
      expect(wecom.count('externalcontact/list_contact_way')).toBeGreaterThan(0);
    } finally {
      await app.request('PUT', '/api/channels/wechat', {
        connector: 'wecom-mass',
        config: { ...WECOM, sender: STAFF[0], baseUrl: wecom.url, reconcileMinutes: 0 },
      });
    }
  });

  it('counts adds, enrollments and conversions per code; flows branch on the state', async () => {
    const poster = code(await create({ name: 'Poster', channel: 'poster', staff: STAFF }), 201);
    const live = code(await create({ name: 'Live', channel: 'live_stream', staff: STAFF }), 201);
    await publishFlow(app, channelCodeFlow(flowId, poster.state));

    const firstPosterAdd = addThrough(poster.state);
    const fromPoster = [await deliver(firstPosterAdd), await deliver(addThrough(poster.state))];
    const fromLive = await deliver(addThrough(live.state));
    // WeCom redelivers an add: one event, one add.
    expect(await deliver(firstPosterAdd)).toBe(fromPoster[0]);

    // The first poster customer pays: the goal converts their run.
    const runs = await enrollmentsOf(app, fromPoster[0]!);
    expect(runs.map((r) => r.flowId)).toEqual([flowId]);
    const handle = app.client.workflow.getHandle(runs[0]!.workflowId);
    await expect
      .poll(async () => (await app.store.contacts.get(fromPoster[0]!))?.tags)
      .toContain('from-poster');
    await app.request('POST', '/api/events', { contactId: fromPoster[0], name: 'order.paid', payload: {} });
    await handle.result();
    await expect.poll(async () => (await app.store.contacts.get(fromLive))?.tags).toContain('from-elsewhere');
    expect((await app.store.contacts.get(fromLive))?.attributes.channelCode).toBe(live.state);

    await expect
      .poll(async () => code(await app.request('GET', `/api/channel-codes/${poster.id}`)).counts, {
        timeout: 15_000,
      })
      .toEqual({ adds: 2, enrollments: 2, conversions: 1 });
    const listed = ChannelCodeList.parse((await app.request('GET', '/api/channel-codes')).body);
    expect(listed.channelCodes.find((c) => c.id === live.id)?.counts).toEqual({
      adds: 1,
      enrollments: 1,
      conversions: 0,
    });
  });

  it('says which route is missing when no connector makes channel codes', async () => {
    await app.request('DELETE', '/api/channels/wechat');
    const refused = await create({ name: 'Nowhere', channel: 'other', staff: STAFF });
    expect(refused.status).toBe(409);
    expect(ErrorBody.parse(refused.body).error).toMatchObject({
      code: 'no_channel_code_connector',
      message: expect.stringContaining('wecom-mass'),
    });
  });
});
