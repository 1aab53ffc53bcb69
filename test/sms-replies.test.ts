import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, uniqueId } from './support/stack';

/**
 * Replies to SMS reach sopflow from Aliyun (SmsUp HTTP batch push) and Tencent Cloud (the reply
 * callback) as those providers document them. Neither signs its pushes, so each URL carries a
 * key: a reply on the right URL finds its contact however the number was saved, an opt-out word
 * unsubscribes them from SMS, anything else is a `message.received` event, counted once.
 */

const PUBLIC_URL = 'https://sopflow.test';
const mainland = () => `139${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;

describe('SMS replies from Aliyun and Tencent', () => {
  let app: TestApp;
  let urls: { aliyun: string; tencent: string };
  /** The path of a reply URL, posted to the API directly (the public URL is a proxy in front). */
  const post = async (url: string, body: unknown) => {
    const response = await fetch(`${app.url}${new URL(url).pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };
  const unsubscribedOf = async (id: string) => (await app.store.contacts.get(id))?.unsubscribed;
  const repliesOf = (id: string) =>
    app.sql<{ payload: { text: string } }[]>`
      select payload from events where contact_id = ${id} and name = 'message.received' order by id`;

  beforeAll(async () => {
    app = await startTestApp({ worker: false, env: { SOPFLOW_PUBLIC_URL: PUBLIC_URL } });
    const answer = await app.request('GET', '/api/inbound/sms-reply-urls');
    expect(answer.status).toBe(200);
    urls = answer.body;
  });

  afterAll(async () => {
    await app?.stop();
  });

  it('gives each provider its own URL under the public URL, and refuses a wrong key', async () => {
    expect(urls.aliyun).toMatch(/^https:\/\/sopflow\.test\/api\/inbound\/aliyun-sms\/[0-9a-f]{32}$/);
    expect(urls.tencent).toMatch(/^https:\/\/sopflow\.test\/api\/inbound\/tencent-sms\/[0-9a-f]{32}$/);
    expect(urls.aliyun.split('/').at(-1)).not.toBe(urls.tencent.split('/').at(-1));
    const wrong = urls.aliyun.replace(/[0-9a-f]{32}$/, '0'.repeat(32));
    expect((await post(wrong, [])).status).toBe(404);
    // Aliyun's key does not open Tencent's route.
    expect(
      (await post(urls.tencent.replace(/[0-9a-f]{32}$/, urls.aliyun.split('/').at(-1)!), {})).status,
    ).toBe(404);
  });

  it('takes an Aliyun batch: R unsubscribes, other text is a reply event, counted once', async () => {
    const [quitter, talker] = [mainland(), mainland()];
    const quitterId = uniqueId('aliyun-quit');
    const talkerId = uniqueId('aliyun-talk');
    await app.store.contacts.upsert({ id: quitterId, addresses: { phone: `+86${quitter}` } });
    await app.store.contacts.upsert({
      id: talkerId,
      addresses: { phone: `${talker.slice(0, 3)} ${talker.slice(3, 7)} ${talker.slice(7)}` },
    });
    const batch = [
      {
        phone_number: quitter,
        content: 'R',
        send_time: '2026-12-07 10:00:00',
        dest_code: '1234',
        sequence_id: 9001,
      },
      {
        phone_number: talker,
        content: '几点开始？',
        send_time: '2026-12-07 10:00:01',
        dest_code: '1234',
        sequence_id: '9002',
      },
      {
        phone_number: mainland(),
        content: 'TD',
        send_time: '2026-12-07 10:00:02',
        dest_code: '1234',
        sequence_id: 9003,
      },
    ];
    expect(await post(urls.aliyun, batch)).toEqual({ status: 200, body: { code: 0, msg: '接收成功' } });
    expect(await unsubscribedOf(quitterId)).toEqual(['sms']);
    expect(await unsubscribedOf(talkerId)).toEqual([]);
    expect((await repliesOf(talkerId)).map((r) => r.payload.text)).toEqual(['几点开始？']);
    // Aliyun pushes again when it got no answer in time: the same reply counts once.
    expect((await post(urls.aliyun, batch)).status).toBe(200);
    expect(await repliesOf(talkerId)).toHaveLength(1);
    expect(await repliesOf(quitterId)).toHaveLength(0);
  });

  it('takes a Tencent reply: 退订 unsubscribes the contact saved in E.164 with spaces', async () => {
    const mobile = mainland();
    const id = uniqueId('tencent-quit');
    await app.store.contacts.upsert({ id, addresses: { phone: `+86 ${mobile}` } });
    const reply = {
      extend: '',
      mobile,
      nationcode: '86',
      sign: '社群运营',
      text: ' 退订 ',
      time: 1_796_000_000,
    };
    expect(await post(urls.tencent, reply)).toEqual({ status: 200, body: { result: 0, errmsg: 'OK' } });
    expect(await unsubscribedOf(id)).toEqual(['sms']);
  });

  it('refuses bodies that are not the provider’s shape', async () => {
    expect((await post(urls.aliyun, { phone_number: '1' })).status).toBe(400);
    expect((await post(urls.tencent, [{ mobile: '139', text: 'x' }])).status).toBe(400);
  });
});
