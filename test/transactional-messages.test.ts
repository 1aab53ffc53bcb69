import { MessageSent } from '@sopflow/core/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, uniqueId } from './support/stack';

/**
 * `POST /api/messages`: one message to one contact through the send step's own delivery (here
 * the outbox, as with no provider configured): idempotent under a key, refused for an opted-out
 * contact, an unknown contact or channel, and quiet hours unless the message is transactional.
 */

let app: TestApp;
beforeAll(async () => {
  // Quiet all day long, so any message that is not transactional meets them.
  app = await startTestApp({ env: { SOPFLOW_MESSAGE_QUIET_HOURS: '00:00-23:59' } });
});
afterAll(async () => {
  await app?.stop();
});

async function post(body: unknown, key?: string) {
  const answer = await app.requestWith(
    { token: app.token },
    'POST',
    '/api/messages',
    body,
    key ? { 'idempotency-key': key } : {},
  );
  return { status: answer.status, body: answer.body, replayed: answer.headers.get('idempotent-replayed') };
}

async function contact(unsubscribed: string[] = []) {
  const id = uniqueId('tx');
  await app.store.contacts.upsert({ id, name: 'Tess', addresses: { phone: '+8613800000000' }, unsubscribed });
  return id;
}

const outboxOf = async (contactId: string) =>
  (await app.request('GET', `/api/outbox?contactId=${encodeURIComponent(contactId)}`)).body.messages as {
    body: string;
  }[];

describe('transactional sends', () => {
  it('send once per Idempotency-Key: the same key and body answer again without a second send', async () => {
    const contactId = await contact();
    const body = {
      contactId,
      channel: 'sms',
      message: { text: 'Your code for {{ contact.name }} is {{ data.code }}' },
      data: { code: '4711' },
      transactional: true,
    };
    const key = uniqueId('key');
    const first = await post(body, key);
    expect(first.status).toBe(200);
    MessageSent.parse(first.body);
    expect(first.body).toMatchObject({ status: 'sent', contactId, channel: 'sms', transactional: true });
    const again = await post({ ...body, data: { code: '4711' } }, key);
    expect(again).toEqual({ status: 200, body: first.body, replayed: 'true' });
    expect((await outboxOf(contactId)).map((m) => m.body)).toEqual(['Your code for Tess is 4711']);

    const reused = await post({ ...body, data: { code: '9999' } }, key);
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    expect(reused.body.error.message).toMatch(/used before for another message.* \/ .*已用于另一条消息/);
    expect(await outboxOf(contactId)).toHaveLength(1);

    // The send is recorded as a flow's send is, under the message's id.
    const [delivery] = await app.sql<{ status: string; flow_id: string }[]>`
      select status, flow_id from deliveries where idempotency_key = ${first.body.messageId}`;
    expect(delivery).toEqual({ status: 'sent', flow_id: 'api:messages' });
  });

  it('refuse an opted-out contact with the reason in en and zh, transactional or not', async () => {
    const contactId = await contact(['sms']);
    for (const transactional of [true, false]) {
      const refused = await post({ contactId, channel: 'sms', message: { text: 'Hi' }, transactional });
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('opted_out');
      expect(refused.body.error.message).toMatch(/unsubscribed from sms.* \/ 该联系人已退订 sms/);
    }
    expect(await outboxOf(contactId)).toEqual([]);
  });

  it('hold to quiet hours unless transactional', async () => {
    const contactId = await contact();
    const quiet = await post({ contactId, channel: 'sms', message: { text: 'Sale!' } });
    expect(quiet.status).toBe(409);
    expect(quiet.body.error.code).toBe('quiet_hours');
    expect(Date.parse(quiet.body.error.details.until)).toBeGreaterThan(Date.now());
    expect(quiet.body.error.message).toMatch(/quiet hours.* \/ .*免打扰/);
    const needed = await post({
      contactId,
      channel: 'sms',
      message: { text: 'Code 1' },
      transactional: true,
    });
    expect(needed.status).toBe(200);
    expect((await outboxOf(contactId)).map((m) => m.body)).toEqual(['Code 1']);
  });

  it('name the field at fault: an unknown contact or channel, a missing message', async () => {
    const contactId = await contact();
    const nobody = await post({ contactId: uniqueId('nobody'), channel: 'sms', message: { text: 'Hi' } });
    expect(nobody.status).toBe(422);
    expect(nobody.body.error.details).toEqual([
      { path: 'contactId', message: expect.stringMatching(/There is no contact .* \/ 没有联系人/) },
    ]);
    const fax = await post({ contactId, channel: 'fax', message: { text: 'Hi' }, transactional: true });
    expect(fax.status).toBe(422);
    expect(fax.body.error.details).toEqual([
      {
        path: 'channel',
        message: expect.stringMatching(/No connector delivers the channel "fax". \/ 没有连接器/),
      },
    ]);
    const noChannel = await post({ contactId, message: { text: 'Hi' } });
    expect(noChannel.status).toBe(422);
    expect(noChannel.body.error.details).toEqual([
      {
        path: 'channel',
        message: 'channel names the channel to send on, such as sms. / channel 须为发送渠道，例如 sms。',
      },
    ]);
    const noEmail = await post({ contactId, channel: 'email', message: { text: 'Hi' }, transactional: true });
    expect(noEmail.status).toBe(422);
    expect(noEmail.body.error.details[0].path).toBe('channel');
    expect(noEmail.body.error.message).toMatch(
      /no address the channel "email" reaches .* \/ 该联系人没有渠道/,
    );
    expect(await outboxOf(contactId)).toEqual([]);
  });
});
