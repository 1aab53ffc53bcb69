import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SendError } from '../connector';
import { memoryStorage } from '../shared/memory-storage';
import { MassSendConfig } from './config';
import { FakeWeComServer } from './fake-wecom-server';
import {
  createMassSender,
  findMarker,
  idempotencyMarker,
  type MassSendInstance,
  massSendBody,
  weComMassSendConnector,
} from './mass-send-connector';
import { type MassSendStore, recordsMassSendStore } from './mass-send-store';
import { outbound, thrown } from './test-support';
import { resetWeComTokenCache } from './wecom-client';

const customer = (id: string) => ({ id: `contact-${id}`, wecomExternalUserId: id });

describe('wecom-mass connector', () => {
  let fake: FakeWeComServer;
  let store: MassSendStore;
  const config = (extra: Record<string, unknown> = {}) =>
    MassSendConfig.parse({
      corpId: 'ww-fake-corp',
      secret: 'fake-secret',
      sender: 'zhangsan',
      baseUrl: fake.url,
      timeoutMs: 2_000,
      lookup: { settleMs: 0 },
      ...extra,
    });
  const sender = (extra: Record<string, unknown> = {}): MassSendInstance =>
    createMassSender(config(extra), { store });

  beforeEach(async () => {
    resetWeComTokenCache();
    store = recordsMassSendStore(memoryStorage().records);
    fake = await FakeWeComServer.start({ externalUsers: ['wm-a', 'wm-b', 'wm-c'] });
  });
  afterEach(() => fake.close());

  it('declares itself for the wechat channel', () => {
    expect(weComMassSendConnector.name).toBe('wecom-mass');
    expect(weComMassSendConnector.channels).toEqual(['wechat']);
    expect(weComMassSendConnector.secretFields).toEqual(['secret']);
    expect(config().lookup).toEqual({ settleMs: 0, skewMs: 300_000 });
  });

  it('the marker is invisible, stable per key, and found again', () => {
    const marker = idempotencyMarker('flow-1:node-1:contact-1');
    expect(marker).toBe(idempotencyMarker('flow-1:node-1:contact-1'));
    expect(marker).not.toBe(idempotencyMarker('flow-1:node-1:contact-2'));
    expect(marker).toHaveLength(33);
    expect(marker.replace(/[\u200b-\u200d\u2060-\u2064]/g, '')).toBe('');
    expect(findMarker(`Hello${marker}`)).toBe(marker);
    expect(findMarker('Hello')).toBeUndefined();
  });

  it('creates a task for the customer: text with the marker, articles as links; "sent" = task created', async () => {
    const message = outbound({
      to: customer('wm-a'),
      text: 'Spring sale starts today',
      articles: [
        {
          title: 'Sale',
          description: 'All items',
          url: 'https://example.com/s',
          picUrl: 'https://example.com/p.png',
        },
      ],
    });
    const result = await sender().send(message);
    expect(result.status).toBe('sent');
    expect(fake.tasks).toHaveLength(1);
    const task = fake.tasks[0]!;
    expect(result.providerMessageId).toBe(task.msgid);
    const call = fake.calls.find((c) => c.api === 'externalcontact/add_msg_template')!;
    expect(call.body).toEqual({
      chat_type: 'single',
      external_userid: ['wm-a'],
      sender: 'zhangsan',
      text: { content: `Spring sale starts today${idempotencyMarker(message.idempotencyKey)}` },
      attachments: [
        {
          msgtype: 'link',
          link: {
            title: 'Sale',
            picurl: 'https://example.com/p.png',
            desc: 'All items',
            url: 'https://example.com/s',
          },
        },
      ],
    });
    expect((await store.get(message.idempotencyKey))?.msgid).toBe(task.msgid);
    // No listing on the way: a first attempt creates at once.
    expect(fake.count('externalcontact/get_groupmsg_list_v2')).toBe(0);
  });

  it('a key already done is answered from the record, without a second task', async () => {
    const message = outbound({ to: customer('wm-a') });
    const first = await sender().send(message);
    const again = await sender().send(message);
    expect(again).toEqual({ status: 'duplicate', providerMessageId: first.providerMessageId });
    expect(fake.tasks).toHaveLength(1);
  });

  it('after a timeout once the task was created, the retry adopts that task instead of creating another', async () => {
    const message = outbound({ to: customer('wm-a'), text: 'Your coupon expires tomorrow' });
    // The fake creates the task, then answers too late.
    fake.fail('externalcontact/add_msg_template', { delayAfterHandlingMs: 1_000 });
    const timedOut = (await thrown(() => sender({ timeoutMs: 200 }).send(message))) as SendError;
    expect(timedOut.kind).toBe('retryable');
    expect(fake.tasks).toHaveLength(1);

    const retried = await sender().send(message);
    expect(retried).toEqual({ status: 'duplicate', providerMessageId: fake.tasks[0]!.msgid });
    expect(fake.tasks).toHaveLength(1);
    expect(fake.count('externalcontact/add_msg_template')).toBe(1);
    const list = fake.calls.find((c) => c.api === 'externalcontact/get_groupmsg_list_v2')!;
    expect(list.body).toMatchObject({ chat_type: 'single', filter_type: 2, limit: 100 });
    const { start_time, end_time } = list.body as { start_time: number; end_time: number };
    expect(end_time - start_time).toBeLessThan(700);
    // Later retries answer from the record.
    expect(await sender().send(message)).toEqual(retried);
    expect(fake.count('externalcontact/get_groupmsg_list_v2')).toBe(1);
  });

  it('after a failure that created nothing, the retry looks, finds nothing, and creates', async () => {
    const message = outbound({ to: customer('wm-a') });
    fake.fail('externalcontact/add_msg_template', { errcode: -1 });
    expect(((await thrown(() => sender().send(message))) as SendError).kind).toBe('retryable');
    expect(fake.tasks).toHaveLength(0);
    const result = await sender().send(message);
    expect(result.status).toBe('sent');
    expect(fake.tasks).toHaveLength(1);
  });

  it('a task of another key with the same text is not adopted', async () => {
    const text = 'Same words';
    await sender().send(outbound({ to: customer('wm-a'), text }));
    const message = outbound({ to: customer('wm-a'), text });
    fake.fail('externalcontact/add_msg_template', { errcode: -1 });
    await thrown(() => sender().send(message));
    const result = await sender().send(message);
    expect(result.status).toBe('sent');
    expect(fake.tasks).toHaveLength(2);
  });

  it('finds the earlier task across pages of the list', async () => {
    for (let i = 0; i < 120; i++)
      await sender().send(outbound({ to: customer('wm-b'), text: `filler ${i}` }));
    const message = outbound({ to: customer('wm-a'), text: 'Needle' });
    fake.fail('externalcontact/add_msg_template', { delayAfterHandlingMs: 1_000 });
    await thrown(() => sender({ timeoutMs: 200 }).send(message));
    const result = await sender().send(message);
    expect(result.status).toBe('duplicate');
    expect(fake.tasks).toHaveLength(121);
    expect(fake.count('externalcontact/get_groupmsg_list_v2')).toBe(2);
  });

  it('should WeCom strip the marker, the same visible text to the same customer by our sender is adopted', async () => {
    await fake.close();
    fake = await FakeWeComServer.start({ stripInvisibleText: true });
    // A task with the same words to someone else must not be taken for ours.
    await sender().send(outbound({ to: customer('wm-b'), text: 'Stripped' }));
    const message = outbound({ to: customer('wm-a'), text: 'Stripped' });
    fake.fail('externalcontact/add_msg_template', { delayAfterHandlingMs: 1_000 });
    await thrown(() => sender({ timeoutMs: 200 }).send(message));
    expect(fake.tasks).toHaveLength(2);
    const result = await sender().send(message);
    expect(result).toEqual({ status: 'duplicate', providerMessageId: fake.tasks[1]!.msgid });
    expect(fake.tasks).toHaveLength(2);
  });

  it('waits before looking right after an unanswered attempt', async () => {
    const message = outbound({ to: customer('wm-a') });
    fake.fail('externalcontact/add_msg_template', { delayAfterHandlingMs: 1_000 });
    await thrown(() => sender({ timeoutMs: 200 }).send(message));
    const error = (await thrown(() => sender({ lookup: { settleMs: 10_000 } }).send(message))) as SendError;
    expect(error.kind).toBe('rate-limited');
    expect(error.details.retryAfterMs).toBeGreaterThan(8_000);
    expect(error.details.retryAfterMs).toBeLessThanOrEqual(10_000);
    expect(fake.tasks).toHaveLength(1);
    expect(fake.count('externalcontact/add_msg_template')).toBe(1);
  });

  it('a failed search fails the send: never create blind', async () => {
    const message = outbound({ to: customer('wm-a') });
    fake.fail('externalcontact/add_msg_template', { delayAfterHandlingMs: 1_000 });
    await thrown(() => sender({ timeoutMs: 200 }).send(message));
    fake.fail('externalcontact/get_groupmsg_list_v2', { errcode: -1 });
    expect(((await thrown(() => sender().send(message))) as SendError).kind).toBe('retryable');
    expect(fake.tasks).toHaveLength(1);
  });

  it('two attempts of one key at once: one creates, the other steps back', async () => {
    const message = outbound({ to: customer('wm-a') });
    const results = await Promise.allSettled([sender().send(message), sender().send(message)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((rejected.reason as SendError).kind).toBe('retryable');
    expect(fake.tasks).toHaveLength(1);
  });

  it('a customer in fail_list, or no sendable customer (41048), is permanent', async () => {
    await fake.close();
    fake = await FakeWeComServer.start({ externalUsers: ['wm-a'] });
    const error = (await thrown(() => sender().send(outbound({ to: customer('wm-zz') })))) as SendError;
    expect(error.kind).toBe('permanent');
    expect(error.details.providerCode).toBe(41048);
    const missing = (await thrown(() => sender().send(outbound({ to: { id: 'c1' } })))) as SendError;
    expect(missing.kind).toBe('permanent');
  });

  it('text too long with the marker is permanent before any call', async () => {
    const error = (await thrown(() =>
      sender().send(outbound({ to: customer('wm-a'), text: 'x'.repeat(3950) })),
    )) as SendError;
    expect(error.kind).toBe('permanent');
    expect(fake.calls).toHaveLength(0);
  });

  it('with articles only, the marker rides in the first link description', () => {
    const { body, marker } = massSendBody(
      outbound({ to: customer('wm-a'), text: '', articles: [{ title: 'T', url: 'https://example.com' }] }),
      'zhangsan',
    );
    expect(body.text).toBeUndefined();
    expect(body.attachments).toEqual([
      { msgtype: 'link', link: { title: 'T', desc: marker, url: 'https://example.com' } },
    ]);
  });

  it('followResult maps the send status to a typed outcome', async () => {
    const s = sender();
    const { providerMessageId } = await s.send(outbound({ to: customer('wm-a') }));
    const msgid = providerMessageId!;
    expect(await s.followResult(msgid, 'wm-a')).toEqual({ status: 'unsent' });
    fake.setSendStatus(msgid, 'wm-a', 1);
    expect(await s.followResult(msgid, 'wm-a')).toEqual({
      status: 'sent',
      sentAt: (fake.tasks[0]!.create_time + 60) * 1000,
    });
    fake.setSendStatus(msgid, 'wm-a', 2);
    expect(await s.followResult(msgid, 'wm-a')).toEqual({ status: 'not-a-friend' });
    fake.setSendStatus(msgid, 'wm-a', 3);
    expect(await s.followResult(msgid, 'wm-a')).toEqual({ status: 'received-other' });
    expect(await s.followResult(msgid, 'wm-b')).toEqual({ status: 'not-found' });
    const call = fake.calls.filter((c) => c.api === 'externalcontact/get_groupmsg_send_result').at(-1)!;
    expect(call.body).toEqual({ msgid, userid: 'zhangsan', limit: 1000 });
  });

  it('followUp tells the runtime pending, delivered or failed, at the configured pace', async () => {
    const s = sender({ followUp: { everyMs: 5_000, giveUpAfterMs: 60_000 } });
    expect(s.followUp).toMatchObject({ everyMs: 5_000, giveUpAfterMs: 60_000 });
    expect(sender().followUp).toMatchObject({ everyMs: 600_000, giveUpAfterMs: 3 * 86_400_000 });
    const { providerMessageId } = await s.send(outbound({ to: customer('wm-a') }));
    const msgid = providerMessageId!;
    const check = (id: string) => s.followUp!.check(msgid, customer(id));
    expect(await check('wm-a')).toEqual({ state: 'pending' });
    // WeCom may list the task's customers late: not listed yet is still pending.
    expect(await check('wm-b')).toEqual({ state: 'pending' });
    fake.setSendStatus(msgid, 'wm-a', 1);
    expect(await check('wm-a')).toEqual({ state: 'delivered', at: (fake.tasks[0]!.create_time + 60) * 1000 });
    fake.setSendStatus(msgid, 'wm-a', 2);
    expect(await check('wm-a')).toMatchObject({
      state: 'failed',
      message: expect.stringContaining('no longer a contact'),
    });
    fake.setSendStatus(msgid, 'wm-a', 3);
    expect(await check('wm-a')).toMatchObject({
      state: 'failed',
      message: expect.stringContaining('another mass message'),
    });
    expect(await s.followUp!.check(msgid, { id: 'no-address' })).toMatchObject({ state: 'failed' });
  });
});
