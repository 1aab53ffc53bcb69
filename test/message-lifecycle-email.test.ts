import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { deliveryStatusNotification, postBounce } from '../connectors/src/email/fake-bounces';
import { startTestSmtpServer, type TestSmtpServer } from '../connectors/src/email/smtp-test-server';
import { sendsOnce } from './support/flows';
import { publishFlow, startTestApp, type TestApp, uniqueId } from './support/stack';
import { until } from './support/worker-process';

/**
 * What happened to each email: a send goes queued → sent through a local SMTP server; a delivery
 * status notification (RFC 3464) for it, built from the message the server received and posted raw to
 * the keyed bounce intake, moves it to bounced (5.x.x), failed (4.x.x: the remote side gave up after
 * its retries) or delivered. A recipient the SMTP server refuses with a 5xx bounces at the send. A
 * wrong key is refused, a repeated DSN changes nothing, and a DSN for a message sopflow never sent is
 * answered as taken and logged.
 */

const PUBLIC_URL = 'https://sopflow.test';
const SMTP = { user: 'sopflow', pass: 'smtp-pass-lifecycle' };
const REFUSED = 'nobody@refused.test';

interface Lifecycle {
  idempotency_key: string;
  provider_message_id: string | null;
  lifecycle: string;
  lifecycle_code: string | null;
}

describe('message lifecycle of email, from bounces', () => {
  let app: TestApp;
  let smtp: TestSmtpServer;
  let intake: string;
  const flowId = uniqueId('email-lifecycle');
  const warned = vi.spyOn(console, 'warn');

  const lifecycleOfContact = (contactId: string) =>
    app.sql<Lifecycle[]>`
      select idempotency_key, provider_message_id, lifecycle, lifecycle_code from deliveries
      where contact_id = ${contactId} and flow_id = ${flowId}`;
  const statusesOf = async (key: string) =>
    (
      await app.sql<{ status: string }[]>`
        select status from message_statuses where delivery_key = ${key} order by recorded_at, at`
    ).map((r) => r.status);
  /** Enrolls a contact with this address; resolves once the delivery reached `lifecycle`. */
  const sendTo = async (email: string, lifecycle = 'sent') => {
    const id = uniqueId('c');
    expect((await app.webhook(flowId, { contact: { id, name: 'Vera', email } })).status).toBe(202);
    return until(async () => {
      const [row] = await lifecycleOfContact(id);
      return row?.lifecycle === lifecycle ? row : undefined;
    }, `the email to be ${lifecycle}`);
  };
  const receivedBy = (email: string) =>
    until(() => smtp.received.find((m) => m.envelope.to.includes(email)), 'the SMTP server to receive it');

  beforeAll(async () => {
    smtp = await startTestSmtpServer({
      users: { [SMTP.user]: SMTP.pass },
      onRcptTo: (address) => (address === REFUSED ? { code: 550, message: '5.1.1 User unknown' } : undefined),
    });
    app = await startTestApp({ env: { SOPFLOW_PUBLIC_URL: PUBLIC_URL } });
    const routed = await app.request('PUT', '/api/channels/email', {
      connector: 'smtp',
      config: {
        host: smtp.host,
        port: smtp.port,
        auth: SMTP,
        from: { address: 'ops@sopflow.test', name: 'Ops' },
      },
    });
    expect(routed.status).toBe(200);
    const urls = (await app.request('GET', '/api/inbound/sms-reply-urls')).body;
    expect(urls.emailBounces).toMatch(/^https:\/\/sopflow\.test\/api\/inbound\/email-bounces\/[0-9a-f]{32}$/);
    intake = `${app.url}${new URL(urls.emailBounces).pathname}`;
    await publishFlow(
      app,
      sendsOnce(flowId, 'email', { subject: 'Welcome', text: 'Hello {{ contact.name }}' }),
    );
  });

  afterAll(async () => {
    if (app) await app.request('DELETE', '/api/channels/email');
    await app?.stop();
    await smtp?.close();
    warned.mockRestore();
  });

  it('bounces on a 5.x.x DSN by the original Message-ID; a wrong key is refused, a repeat changes nothing', async () => {
    const email = `${uniqueId('vera')}@example.com`;
    const delivery = await sendTo(email);
    const dsn = deliveryStatusNotification((await receivedBy(email)).raw, email, {
      action: 'failed',
      status: '5.1.1',
      diagnostic: '550 5.1.1 User unknown',
    });
    expect((await postBounce(intake.replace(/[0-9a-f]{32}$/, '0'.repeat(32)), dsn)).status).toBe(404);
    expect((await lifecycleOfContact(await contactOf(delivery.idempotency_key)))[0]?.lifecycle).toBe('sent');

    expect(await postBounce(intake, dsn)).toEqual({ status: 200, body: 'ok' });
    expect((await postBounce(intake, dsn)).status).toBe(200);
    const [bounced] = await app.sql<Lifecycle[]>`
      select idempotency_key, provider_message_id, lifecycle, lifecycle_code from deliveries
      where idempotency_key = ${delivery.idempotency_key}`;
    expect(bounced).toMatchObject({ lifecycle: 'bounced', lifecycle_code: '5.1.1' });
    expect(await statusesOf(delivery.idempotency_key)).toEqual(['queued', 'sent', 'bounced']);
  });

  it('fails on a 4.x.x DSN (the remote side gave up), and is delivered on a delivery report', async () => {
    const gaveUp = `${uniqueId('full')}@example.com`;
    const first = await sendTo(gaveUp);
    await postBounce(
      intake,
      deliveryStatusNotification((await receivedBy(gaveUp)).raw, gaveUp, {
        action: 'failed',
        status: '4.4.7',
      }),
    );
    expect(await statusesOf(first.idempotency_key)).toEqual(['queued', 'sent', 'failed']);

    const reached = `${uniqueId('ok')}@example.com`;
    const second = await sendTo(reached);
    await postBounce(
      intake,
      deliveryStatusNotification((await receivedBy(reached)).raw, reached, {
        action: 'delivered',
        status: '2.0.0',
      }),
    );
    expect(await statusesOf(second.idempotency_key)).toEqual(['queued', 'sent', 'delivered']);
  });

  it('bounces at the send when the SMTP server refuses the recipient with a 5xx', async () => {
    const delivery = await sendTo(REFUSED, 'bounced');
    expect(delivery.lifecycle_code).toBe('550');
    expect(await statusesOf(delivery.idempotency_key)).toEqual(['queued', 'bounced']);
  });

  it('takes a DSN for a message sopflow did not send, and logs it; refuses a body that is no DSN', async () => {
    const stranger = 'Message-ID: <elsewhere.42@other.test>\r\nSubject: x\r\n\r\nhi';
    const dsn = deliveryStatusNotification(stranger, 'x@example.com', { action: 'failed', status: '5.1.1' });
    expect((await postBounce(intake, dsn)).status).toBe(200);
    expect(warned).toHaveBeenCalledWith(expect.stringContaining('<elsewhere.42@other.test>'));
    expect((await postBounce(intake, stranger)).status).toBe(400);
  });

  async function contactOf(key: string) {
    const [row] = await app.sql<
      { contact_id: string }[]
    >`select contact_id from deliveries where idempotency_key = ${key}`;
    return row!.contact_id;
  }
});
