import { createHash, randomBytes, randomInt } from 'node:crypto';
import {
  type CallbackConfig,
  computeTwilioSignature,
  echoForTest,
  encryptForTest,
  RECONCILE_GROUPS_JOB,
} from '@sopflow/connectors';
import { connectorJobRunId } from '@sopflow/server';
import { contactFlowWorkflowId, runStateQuery } from '@sopflow/workflows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSmtpServer, type TestSmtpServer } from '../connectors/src/email/smtp-test-server';
import {
  type FakeOfficialAccount,
  startFakeOfficialAccount,
} from '../connectors/src/official-account/official-account-fake';
import { type FakeAliyun, startFakeAliyun } from '../connectors/src/sms/fakes/aliyun-fake';
import { type FakeTwilio, startFakeTwilio } from '../connectors/src/sms/fakes/twilio-fake';
import { FakeWeComServer } from '../connectors/src/wecom/fake-wecom-server';
import { publishFlow, startTestApp, type TestApp, uniqueId } from './support/stack';
import { until, WorkerProcesses } from './support/worker-process';

/**
 * Every channel through a real connector, each pointed at a local stand-in for its provider on
 * loopback: what the provider receives, unsubscribe links and provider opt-outs, inbound SMS and
 * WeCom callbacks, and a worker killed while a provider holds a send's answer.
 */

/** How the API shows a secret. */
const MASK = '••••••••';
/** Where people and providers reach the API (a TLS proxy in front of it); requests go to app.url. */
const PUBLIC_URL = 'https://sopflow.test';
const CHANNELS = ['wechat', 'wechat_group', 'email', 'sms', 'wechat_oa'] as const;

const WECOM = { corpId: 'ww-e2e-corp', secret: 'wecom-app-secret-e2e-0001', agentId: 1000002 };
const ROBOT_KEY = `robot-key-e2e-${randomBytes(6).toString('hex')}`;
const SMTP = { user: 'sopflow', pass: 'smtp-pass-e2e-0002' };
const ALIYUN = { accessKeyId: 'LTAI5tE2eTestKeyId', accessKeySecret: 'aliyun-secret-e2e-0003' };
const OA = { appId: 'wx-e2e-app', appSecret: 'oa-app-secret-e2e-0004' };
const TWILIO = {
  accountSid: `AC${randomBytes(16).toString('hex')}`,
  authToken: 'twilio-auth-token-e2e-0005',
  from: '+15005550006',
};
const SECRETS = [WECOM.secret, ROBOT_KEY, SMTP.pass, ALIYUN.accessKeySecret, OA.appSecret];

const CALLBACK: CallbackConfig = {
  token: 'wecom-callback-token-e2e',
  encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  receiveId: WECOM.corpId,
};
const CALLBACK_ENV = {
  SOPFLOW_WECOM_CALLBACK_TOKEN: CALLBACK.token,
  SOPFLOW_WECOM_CALLBACK_AES_KEY: CALLBACK.encodingAESKey,
  SOPFLOW_WECOM_CORP_ID: CALLBACK.receiveId,
};

// biome-ignore lint/suspicious/noExplicitAny: flow documents are written as plain JSON here.
type Node = Record<string, any>;
const edge = (source: string, target: string, sourceHandle = 'next') => ({
  id: `${source}-${sourceHandle}-${target}`,
  source,
  sourceHandle,
  target,
});
/** `next` edges from each node to the one after it. */
const chain = (...ids: string[]) => ids.slice(1).map((id, i) => edge(ids[i]!, id));
/** A flow document; by default its nodes run one after another. */
function flow(id: string, nodes: Node[], edges = chain(...nodes.map((n) => n.id as string))) {
  return { schemaVersion: 1, id, name: id, nodes, edges };
}
const webhookTrigger = { id: 'in', type: 'trigger', trigger: { kind: 'webhook' } };

/** OutId / client_msg_id: the connectors' correlation id of a delivery's idempotency key. */
const correlationId = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 32);
const mainlandMobile = () => `+86139${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
const usMobile = () => `+1555${String(randomInt(0, 10_000_000)).padStart(7, '0')}`;

async function route(app: TestApp, channel: string, connector: string, config: unknown) {
  const answer = await app.request('PUT', `/api/channels/${channel}`, { connector, config });
  if (answer.status !== 200) throw new Error(`routing ${channel}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

async function removeRoutes(app: TestApp) {
  // channel_routes is shared by every test file: leave every channel on the outbox again.
  for (const channel of CHANNELS) await app.request('DELETE', `/api/channels/${channel}`);
}

async function resultOf(app: TestApp, workflowId: string) {
  return app.client.workflow.getHandle(workflowId).result();
}

interface DeliveryRow {
  idempotency_key: string;
  node_id: string;
  channel: string;
  connector: string;
  status: string;
  provider_message_id: string | null;
  error: string | null;
}
const deliveriesOf = (app: TestApp, workflowId: string) =>
  app.sql<DeliveryRow[]>`
    select idempotency_key, node_id, channel, connector, status, provider_message_id, error
    from deliveries where workflow_id = ${workflowId} order by created_at, node_id`;

const unsubscribedOf = async (app: TestApp, contactId: string) =>
  (await app.store.contacts.get(contactId))?.unsubscribed ?? [];

describe('channels through real connectors', () => {
  let app: TestApp;
  let wecom: FakeWeComServer;
  let smtp: TestSmtpServer;
  let aliyun: FakeAliyun;
  let oa: FakeOfficialAccount;
  let twilio: FakeTwilio;
  const chatId = uniqueId('wrOgQhDgAA');

  const routeAll = async () => {
    await route(app, 'wechat', 'wecom-app', { ...WECOM, baseUrl: wecom.url });
    await route(app, 'wechat_group', 'wecom-group-robot', {
      robots: { [chatId]: ROBOT_KEY },
      baseUrl: wecom.url,
    });
    await route(app, 'email', 'smtp', {
      host: smtp.host,
      port: smtp.port,
      auth: SMTP,
      from: { address: 'ops@sopflow.test', name: 'Sopflow Ops' },
    });
    await routeAliyun();
    await route(app, 'wechat_oa', 'wechat-oa', { ...OA, baseUrl: oa.url });
  };
  const routeAliyun = () =>
    route(app, 'sms', 'aliyun-sms', { ...ALIYUN, signName: '社群运营', endpoint: aliyun.url });

  beforeAll(async () => {
    wecom = await FakeWeComServer.start({
      apps: [{ corpId: WECOM.corpId, secret: WECOM.secret }],
      robots: [ROBOT_KEY],
    });
    smtp = await startTestSmtpServer({ users: { [SMTP.user]: SMTP.pass } });
    aliyun = await startFakeAliyun(ALIYUN);
    oa = await startFakeOfficialAccount(OA);
    twilio = await startFakeTwilio(TWILIO);
    app = await startTestApp({ env: { SOPFLOW_PUBLIC_URL: PUBLIC_URL, ...CALLBACK_ENV } });
    await routeAll();
  });

  afterAll(async () => {
    if (app) await removeRoutes(app);
    await app?.stop();
    await Promise.all([wecom?.close(), smtp?.close(), aliyun?.close(), oa?.close(), twilio?.close()]);
  });

  it('lists the connectors, with what each can carry', async () => {
    const { status, body } = await app.request('GET', '/api/connectors');
    expect(status).toBe(200);
    const byName = Object.fromEntries(
      (body.connectors as { name: string; capabilities: string[] }[]).map((connector) => [
        connector.name,
        connector,
      ]),
    );
    expect(byName['wecom-app']).toMatchObject({
      channels: ['wechat'],
      capabilities: ['markdown', 'articles'],
      secretFields: ['secret'],
    });
    expect(byName['wecom-group-robot']).toMatchObject({
      channels: ['wechat_group'],
      secretFields: ['robots'],
    });
    expect(byName.smtp).toMatchObject({ channels: ['email'], secretFields: ['auth.pass'] });
    expect(byName['aliyun-sms']).toMatchObject({ channels: ['sms'], secretFields: ['accessKeySecret'] });
    expect(byName['aliyun-sms']?.capabilities).toEqual(['template']);
    expect(byName['wechat-oa']).toMatchObject({ channels: ['wechat_oa'], secretFields: ['appSecret'] });
  });

  it('sends one flow through every channel, each provider getting exactly what its API defines', async () => {
    await routeAll();
    const flowId = uniqueId('all-channels');
    await publishFlow(
      app,
      flow(flowId, [
        webhookTrigger,
        {
          id: 'wx',
          type: 'send',
          channel: 'wechat',
          message: { text: 'Hi {{ contact.name }}, welcome! ({{ contact.id }})' },
        },
        {
          id: 'grp',
          type: 'send',
          channel: 'wechat_group',
          message: {
            text: '欢迎新朋友 {{ contact.name }} ({{ contact.id }})',
            group: '{{ event.chatId }}',
            mentions: ['{{ contact.wecomUserId }}'],
          },
        },
        {
          id: 'mail',
          type: 'send',
          channel: 'email',
          message: {
            subject: 'Welcome, {{ contact.name }}',
            format: 'html',
            text: '<p>Hello {{ contact.name }}</p><p>Your code: {{ contact.attributes.coupon }}</p>',
          },
        },
        {
          id: 'sms',
          type: 'send',
          channel: 'sms',
          message: {
            text: 'Coupon for {{ contact.name }}',
            template: {
              id: 'SMS_240001',
              params: { name: '{{ contact.name }}', coupon: '{{ contact.attributes.coupon }}' },
            },
          },
        },
        {
          id: 'oa',
          type: 'send',
          channel: 'wechat_oa',
          message: {
            text: 'Welcome',
            template: {
              id: 'TPL_welcome',
              params: {
                first: '欢迎 {{ contact.name }}',
                keyword1: '{{ contact.attributes.coupon }}',
                _url: 'https://example.com/welcome?c={{ contact.id }}',
              },
            },
          },
        },
        { id: 'out', type: 'exit' },
      ]),
    );

    const id = uniqueId('c');
    const contact = {
      id,
      name: 'Ann <b>&',
      email: `${id}@example.com`,
      phone: mainlandMobile(),
      wecomUserId: `wx-${id}`,
      openId: `o-${id}`,
      attributes: { coupon: 'SAVE20' },
    };
    oa.user(contact.openId, { following: true });
    const enrolled = await app.webhook(flowId, { contact, event: { chatId } });
    expect(enrolled.status).toBe(202);
    const workflowId = enrolled.body.workflowId as string;
    expect((await resultOf(app, workflowId)).outcome).toEqual({ kind: 'exited', nodeId: 'out' });

    const rows = await deliveriesOf(app, workflowId);
    const row = (node: string) => rows.find((r) => r.node_id === node)!;
    expect(rows.map((r) => [r.node_id, r.channel, r.connector, r.status])).toEqual([
      ['wx', 'wechat', 'wecom-app', 'sent'],
      ['grp', 'wechat_group', 'wecom-group-robot', 'sent'],
      ['mail', 'email', 'smtp', 'sent'],
      ['sms', 'sms', 'aliyun-sms', 'sent'],
      ['oa', 'wechat_oa', 'wechat-oa', 'sent'],
    ]);

    // WeCom application message: message/send with the app's token, text, the duplicate check on.
    expect(wecom.delivered.filter((d) => d.touser === contact.wecomUserId)).toEqual([
      {
        touser: contact.wecomUserId,
        body: {
          touser: contact.wecomUserId,
          agentid: WECOM.agentId,
          msgtype: 'text',
          text: { content: `Hi Ann <b>&, welcome! (${id})` },
          enable_duplicate_check: 1,
          duplicate_check_interval: 1800,
        },
      },
    ]);
    const appCall = wecom.calls.find(
      (c) => c.api === 'message/send' && (c.body as { touser?: string }).touser === contact.wecomUserId,
    );
    expect(appCall?.query.access_token).toEqual(expect.any(String));
    expect(row('wx').provider_message_id).toEqual(expect.any(String));

    // Group robot: webhook/send?key=<the group's robot>, text with the member @mentioned.
    expect(wecom.robotMessages.filter((m) => JSON.stringify(m.body).includes(id))).toEqual([
      {
        key: ROBOT_KEY,
        body: {
          msgtype: 'text',
          text: { content: `欢迎新朋友 Ann <b>& (${id})`, mentioned_list: [contact.wecomUserId] },
        },
      },
    ]);

    // Email: subject and text as written, the contact's name escaped in the HTML part.
    const mails = smtp.received.filter((m) => m.envelope.to.includes(contact.email));
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.envelope.from).toBe('ops@sopflow.test');
    expect(mail.parsed.subject).toBe('Welcome, Ann <b>&');
    expect(mail.parsed.to).toMatchObject({ value: [{ address: contact.email, name: 'Ann <b>&' }] });
    expect(mail.parsed.text?.trim()).toBe('Hello Ann <b>&\nYour code: SAVE20');
    expect(mail.parsed.html).toContain('<p>Hello Ann &lt;b&gt;&amp;</p><p>Your code: SAVE20</p>');
    expect(mail.parsed.html).not.toContain('<b>');
    expect(mail.parsed.messageId).toBe(row('mail').provider_message_id);
    const header = (name: string) =>
      mail.parsed.headerLines
        .find((h) => h.key === name)
        ?.line.slice(name.length + 1)
        .replace(/\r?\n[ \t]+/g, ' ')
        .trim();
    const unsubscribe = /^<(https:\/\/[^>]+)>$/.exec(header('list-unsubscribe') ?? '')?.[1];
    expect(unsubscribe).toMatch(new RegExp(`^${PUBLIC_URL}/u/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}$`));
    expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');

    // Aliyun SendSms: signed request (checked by the fake), TemplateCode and rendered TemplateParam.
    expect(aliyun.sent.filter((s) => s.phone === contact.phone)).toEqual([
      {
        phone: contact.phone,
        signName: '社群运营',
        templateCode: 'SMS_240001',
        templateParam: { name: 'Ann <b>&', coupon: 'SAVE20' },
        outId: correlationId(row('sms').idempotency_key),
        bizId: row('sms').provider_message_id,
      },
    ]);

    // Official Account template message: template_id, url, data as {key: {value}}, client_msg_id.
    expect(oa.delivered.filter((d) => d.openId === contact.openId)).toEqual([
      {
        kind: 'template',
        openId: contact.openId,
        msgid: Number(row('oa').provider_message_id),
        body: {
          touser: contact.openId,
          template_id: 'TPL_welcome',
          url: `https://example.com/welcome?c=${id}`,
          client_msg_id: correlationId(row('oa').idempotency_key),
          data: { first: { value: '欢迎 Ann <b>&' }, keyword1: { value: 'SAVE20' } },
        },
      },
    ]);
  });

  it('shows every secret masked and stores none in plain text', async () => {
    await routeAll();
    const listed = await app.request('GET', '/api/channels');
    expect(listed.status).toBe(200);
    const byChannel = Object.fromEntries(
      (listed.body.routes as { channel: string; config: unknown }[]).map((r) => [r.channel, r]),
    );
    expect(byChannel.wechat).toMatchObject({
      connector: 'wecom-app',
      config: { corpId: WECOM.corpId, agentId: WECOM.agentId, secret: MASK },
    });
    expect(byChannel.wechat_group).toMatchObject({
      connector: 'wecom-group-robot',
      config: { robots: MASK },
    });
    expect(byChannel.email).toMatchObject({
      connector: 'smtp',
      config: { host: '127.0.0.1', auth: { user: SMTP.user, pass: MASK } },
    });
    expect(byChannel.sms).toMatchObject({
      connector: 'aliyun-sms',
      config: { accessKeyId: ALIYUN.accessKeyId, accessKeySecret: MASK },
    });
    expect(byChannel.wechat_oa).toMatchObject({
      connector: 'wechat-oa',
      config: { appId: OA.appId, appSecret: MASK },
    });
    const answered = JSON.stringify(listed.body);
    for (const secret of SECRETS) expect(answered).not.toContain(secret);

    const stored = await app.sql<{ channel: string; config: Record<string, unknown> }[]>`
      select channel, config from channel_routes where channel in ${app.sql([...CHANNELS])}`;
    expect(stored).toHaveLength(CHANNELS.length);
    const raw = JSON.stringify(stored);
    for (const secret of SECRETS) expect(raw).not.toContain(secret);
    const sealed = { $enc: expect.stringMatching(/^v1:/) };
    const config = (channel: string) => stored.find((r) => r.channel === channel)!.config;
    expect(config('wechat').secret).toEqual(sealed);
    expect(config('wechat_group').robots).toEqual({ ...sealed, json: true });
    expect((config('email').auth as Record<string, unknown>).pass).toEqual(sealed);
    expect(config('sms').accessKeySecret).toEqual(sealed);
    expect(config('wechat_oa').appSecret).toEqual(sealed);

    // The builder sends a config back as it was shown: masked secrets keep the stored ones.
    await route(app, 'wechat', 'wecom-app', byChannel.wechat!.config);
    const userId = uniqueId('wx-test');
    const tested = await app.request('POST', '/api/channels/wechat/test', { to: { wecomUserId: userId } });
    expect(tested).toMatchObject({ status: 200, body: { connector: 'wecom-app', status: 'sent' } });
    expect(wecom.delivered.filter((d) => d.touser === userId)).toHaveLength(1);
  });

  it('unsubscribes from email with the one-click link, not with a GET, and later emails take the fallback', async () => {
    await routeAll();
    const flowId = uniqueId('unsubscribe');
    await publishFlow(
      app,
      flow(
        flowId,
        [
          webhookTrigger,
          {
            id: 'first',
            type: 'send',
            channel: 'email',
            message: { subject: 'News for {{ contact.id }}', text: 'Our first letter.' },
          },
          { id: 'pause', type: 'wait_for_event', event: 'proceed', timeout: 'PT10M' },
          {
            id: 'second',
            type: 'send',
            channel: 'email',
            message: { subject: 'More news for {{ contact.id }}', text: 'Our second letter.' },
            fallback: {
              channel: 'wechat',
              message: { text: 'No more email for {{ contact.id }}: here instead.' },
            },
          },
          { id: 'done', type: 'exit' },
          { id: 'late', type: 'exit' },
        ],
        [
          ...chain('in', 'first', 'pause'),
          edge('pause', 'second', 'event'),
          edge('second', 'done'),
          edge('pause', 'late', 'timeout'),
        ],
      ),
    );
    const id = uniqueId('c');
    const contact = { id, name: 'Bea', email: `${id}@example.com`, wecomUserId: `wx-${id}` };
    expect((await app.webhook(flowId, { contact })).status).toBe(202);

    const mail = await until(
      () => smtp.received.find((m) => m.envelope.to.includes(contact.email)),
      'the first email',
    );
    const link = /<(https:\/\/[^>]+)>/.exec(
      mail.parsed.headerLines.find((h) => h.key === 'list-unsubscribe')!.line.replace(/\r?\n[ \t]+/g, ''),
    )![1]!;
    const { pathname } = new URL(link);
    expect(link).toBe(`${PUBLIC_URL}${pathname}`);

    // A GET (a link scanner, or the person opening it) only shows the confirm page.
    const page = await fetch(`${app.url}${pathname}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('<form method="post">');
    expect(html).toContain('email');
    expect(await unsubscribedOf(app, id)).toEqual([]);

    // RFC 8058 one-click: the mail provider POSTs List-Unsubscribe=One-Click.
    const posted = await fetch(`${app.url}${pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(posted.status).toBe(200);
    await posted.text();
    expect(await unsubscribedOf(app, id)).toEqual(['email']);
    // Again: still once.
    await (
      await fetch(`${app.url}${pathname}`, { method: 'POST', body: 'List-Unsubscribe=One-Click' })
    ).text();
    expect(await unsubscribedOf(app, id)).toEqual(['email']);

    // A tampered link unsubscribes nobody.
    const tampered = await fetch(`${app.url}${pathname.slice(0, -2)}xx`, { method: 'POST' });
    expect(tampered.status).toBe(404);
    await tampered.text();

    // The contact is mid-flow: the next email is not sent, the fallback on WeCom is.
    const event = await app.request('POST', '/api/events', { contactId: id, name: 'proceed', payload: {} });
    expect(event.status).toBe(202);
    const workflowId = contactFlowWorkflowId(flowId, id);
    expect((await resultOf(app, workflowId)).outcome).toEqual({ kind: 'exited', nodeId: 'done' });
    expect(smtp.received.filter((m) => m.envelope.to.includes(contact.email))).toHaveLength(1);
    expect(wecom.delivered.filter((d) => d.touser === contact.wecomUserId)).toMatchObject([
      { body: { text: { content: `No more email for ${id}: here instead.` } } },
    ]);
    const rows = await deliveriesOf(app, workflowId);
    expect(rows.map((r) => [r.node_id, r.channel, r.status])).toEqual([
      ['first', 'email', 'sent'],
      ['second', 'wechat', 'sent'],
    ]);
  });

  it('marks a contact unsubscribed from SMS when the provider answers that they refused it', async () => {
    await routeAliyun();
    const flowId = uniqueId('refused');
    await publishFlow(
      app,
      flow(
        flowId,
        [
          webhookTrigger,
          {
            id: 'promo',
            type: 'send',
            channel: 'sms',
            message: { text: 'Sale', template: { id: 'SMS_240002', params: { name: '{{ contact.name }}' } } },
          },
          { id: 'sent', type: 'exit' },
          { id: 'refused', type: 'exit' },
        ],
        [...chain('in', 'promo', 'sent'), edge('promo', 'refused', 'failed')],
      ),
    );
    const id = uniqueId('c');
    const contact = { id, name: 'Cai', phone: mainlandMobile() };
    // 该手机用户已退订推广短信: the person replied TD to this signature before.
    aliyun.script(contact.phone, 'isv.CUSTOMER_REFUSED');
    const enrolled = await app.webhook(flowId, { contact });
    expect(enrolled.status).toBe(202);
    const workflowId = enrolled.body.workflowId as string;
    expect((await resultOf(app, workflowId)).outcome).toEqual({ kind: 'exited', nodeId: 'refused' });
    expect(await unsubscribedOf(app, id)).toEqual(['sms']);
    expect((await deliveriesOf(app, workflowId)).map((r) => [r.node_id, r.status, r.error])).toEqual([
      ['promo', 'failed', 'opted out'],
    ]);
    const asked = () => aliyun.log.filter((l) => l.params.PhoneNumbers === contact.phone);
    expect(asked().map((l) => l.code)).toEqual(['isv.CUSTOMER_REFUSED']);

    // Never tried again, in any flow: the next run does not call the provider at all.
    const again = await app.webhook(flowId, { contact, event: { delivery: 2 } });
    expect(again.status).toBe(202);
    expect((await resultOf(app, again.body.workflowId)).outcome).toEqual({
      kind: 'exited',
      nodeId: 'refused',
    });
    expect(asked()).toHaveLength(1);
  });

  describe('Twilio SMS', () => {
    const flowId = uniqueId('twilio');
    const inbound = async (params: Record<string, string>, signature?: string, query = '') => {
      const response = await fetch(`${app.url}/api/inbound/twilio${query}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          // Twilio signs the URL it was configured with: the public one, query string included.
          'x-twilio-signature':
            signature ??
            computeTwilioSignature(TWILIO.authToken, `${PUBLIC_URL}/api/inbound/twilio${query}`, params),
        },
        body: new URLSearchParams(params).toString(),
      });
      return { status: response.status, body: await response.text() };
    };
    const reply = (from: string, body: string) => ({
      AccountSid: TWILIO.accountSid,
      ApiVersion: '2010-04-01',
      Body: body,
      From: from,
      MessageSid: `SM${randomBytes(16).toString('hex')}`,
      NumMedia: '0',
      SmsSid: `SM${randomBytes(16).toString('hex')}`,
      To: TWILIO.from,
    });
    const toPhone = (phone: string) => twilio.messages.filter((m) => m.to === phone);

    beforeAll(async () => {
      await route(app, 'sms', 'twilio-sms', { ...TWILIO, baseUrl: twilio.url });
      await publishFlow(
        app,
        flow(
          flowId,
          [
            webhookTrigger,
            {
              id: 'hello',
              type: 'send',
              channel: 'sms',
              message: { text: 'Hi {{ contact.name }}, what brings you here?' },
            },
            { id: 'listen', type: 'wait_for_event', event: 'message.received', timeout: 'PT10M' },
            {
              id: 'echo',
              type: 'send',
              channel: 'sms',
              message: { text: 'You said: {{ lastEvent.payload.text }}' },
            },
            { id: 'replied', type: 'exit' },
            { id: 'silent', type: 'exit' },
            { id: 'skipped', type: 'exit' },
          ],
          [
            ...chain('in', 'hello', 'listen'),
            edge('listen', 'echo', 'event'),
            edge('echo', 'replied'),
            edge('listen', 'silent', 'timeout'),
            edge('hello', 'skipped', 'failed'),
          ],
        ),
      );
    });
    afterAll(async () => {
      await routeAliyun();
    });

    it('turns a signed reply into a message.received event that a waiting flow takes', async () => {
      await route(app, 'sms', 'twilio-sms', { ...TWILIO, baseUrl: twilio.url });
      const id = uniqueId('c');
      const contact = { id, name: 'Dov', phone: usMobile() };
      expect((await app.webhook(flowId, { contact })).status).toBe(202);
      await until(() => (toPhone(contact.phone).length > 0 ? true : undefined), 'the first SMS');
      expect(toPhone(contact.phone)).toMatchObject([
        { from: TWILIO.from, body: 'Hi Dov, what brings you here?\nReply STOP to opt out' },
      ]);
      // The run now waits at the wait step, so the reply is what moves it on.
      const workflowId = contactFlowWorkflowId(flowId, id);
      await until(async () => {
        const state = await app.client.workflow.getHandle(workflowId).query(runStateQuery);
        return state.awaiting?.nodeId === 'listen' ? true : undefined;
      }, 'the run to wait for a reply');

      expect(await inbound(reply(contact.phone, 'Just curious'), 'bm90IGEgc2lnbmF0dXJl')).toMatchObject({
        status: 401,
      });
      const answer = await inbound(reply(contact.phone, 'Just curious'));
      expect(answer).toEqual({ status: 200, body: '<Response/>' });
      expect((await resultOf(app, workflowId)).outcome).toEqual({ kind: 'exited', nodeId: 'replied' });
      expect(toPhone(contact.phone).map((m) => m.body)).toEqual([
        'Hi Dov, what brings you here?\nReply STOP to opt out',
        'You said: Just curious\nReply STOP to opt out',
      ]);
      expect(await unsubscribedOf(app, id)).toEqual([]);
    });

    it('checks the signature over the URL with its query string, as Twilio signs it', async () => {
      await route(app, 'sms', 'twilio-sms', { ...TWILIO, baseUrl: twilio.url });
      const params = reply(usMobile(), 'hello');
      expect(await inbound(params, undefined, '?account=main&x=1')).toEqual({
        status: 200,
        body: '<Response/>',
      });
      const withoutQuery = computeTwilioSignature(
        TWILIO.authToken,
        `${PUBLIC_URL}/api/inbound/twilio`,
        params,
      );
      expect((await inbound(params, withoutQuery, '?account=main&x=1')).status).toBe(401);
    });

    it('unsubscribes from SMS on a STOP or TD reply, and sends them nothing more', async () => {
      await route(app, 'sms', 'twilio-sms', { ...TWILIO, baseUrl: twilio.url });
      for (const word of ['STOP', 'TD']) {
        const id = uniqueId('c');
        const contact = { id, name: 'Eli', phone: usMobile() };
        await app.store.contacts.upsert({ id, name: contact.name, addresses: { phone: contact.phone } });
        expect(await inbound(reply(contact.phone, word))).toEqual({ status: 200, body: '<Response/>' });
        expect(await unsubscribedOf(app, id)).toEqual(['sms']);

        const enrolled = await app.webhook(flowId, { contact });
        expect(enrolled.status).toBe(202);
        expect((await resultOf(app, enrolled.body.workflowId)).outcome).toEqual({
          kind: 'exited',
          nodeId: 'skipped',
        });
        expect(toPhone(contact.phone)).toEqual([]);
      }
    });

    it('finds a contact saved with a formatted number, and subscribes them again on START', async () => {
      const id = uniqueId('c');
      const e164 = usMobile();
      // Saved as an operator typed it; Twilio reports senders in E.164.
      const typed = `+1 (${e164.slice(2, 5)}) ${e164.slice(5, 8)}-${e164.slice(8)}`;
      await app.store.contacts.upsert({ id, name: 'Gus', addresses: { phone: typed } });
      expect(await inbound(reply(e164, 'stop'))).toEqual({ status: 200, body: '<Response/>' });
      expect(await unsubscribedOf(app, id)).toEqual(['sms']);
      expect(await inbound(reply(e164, 'Start'))).toEqual({ status: 200, body: '<Response/>' });
      expect(await unsubscribedOf(app, id)).toEqual([]);
      // Any other reply from someone we do not know changes nothing.
      expect(await inbound(reply(usMobile(), 'START'))).toEqual({ status: 200, body: '<Response/>' });
    });

    it('marks the contact unsubscribed when Twilio answers 21610', async () => {
      await route(app, 'sms', 'twilio-sms', { ...TWILIO, baseUrl: twilio.url });
      const id = uniqueId('c');
      const contact = { id, name: 'Fay', phone: usMobile() };
      twilio.script(contact.phone, 21610);
      const enrolled = await app.webhook(flowId, { contact });
      expect(enrolled.status).toBe(202);
      expect((await resultOf(app, enrolled.body.workflowId)).outcome).toEqual({
        kind: 'exited',
        nodeId: 'skipped',
      });
      expect(await unsubscribedOf(app, id)).toEqual(['sms']);
    });
  });

  describe('WeCom callback', () => {
    const flowId = uniqueId('joined');
    const callback = (query: Record<string, string>, body?: string) =>
      fetch(`${app.url}/api/inbound/wecom?${new URLSearchParams(query)}`, {
        method: body === undefined ? 'GET' : 'POST',
        ...(body === undefined ? {} : { headers: { 'content-type': 'text/xml' }, body }),
      }).then(async (r) => ({ status: r.status, body: await r.text() }));
    const joinXml = (externalUserId: string, createTime: number) =>
      `<xml><ToUserName><![CDATA[${WECOM.corpId}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>` +
      `<CreateTime>${createTime}</CreateTime><MsgType><![CDATA[event]]></MsgType>` +
      `<Event><![CDATA[change_external_chat]]></Event><ChatId><![CDATA[${chatId}]]></ChatId>` +
      `<ChangeType><![CDATA[update]]></ChangeType><UpdateDetail><![CDATA[add_member]]></UpdateDetail>` +
      `<JoinScene>3</JoinScene><QuitScene>0</QuitScene><MemChangeCnt>1</MemChangeCnt>` +
      `<MemChangeList><Item><![CDATA[${externalUserId}]]></Item></MemChangeList>` +
      `<LastMemVer><![CDATA[9c3f97c2ada667dfb5f6d03308d963e1]]></LastMemVer>` +
      `<CurMemVer><![CDATA[71217227bbd112ecfe3a49c482195cb4]]></CurMemVer></xml>`;

    beforeAll(async () => {
      await publishFlow(
        app,
        flow(flowId, [
          {
            id: 'in',
            type: 'trigger',
            trigger: {
              kind: 'event',
              event: 'member.joined',
              filter: { field: 'payload.chatId', op: 'eq', value: chatId },
            },
          },
          {
            id: 'welcome',
            type: 'send',
            channel: 'wechat_group',
            message: {
              text: 'Welcome {{ event.memberId }} ({{ event.joinMethod }})',
              group: '{{ event.chatId }}',
            },
          },
          { id: 'out', type: 'exit' },
        ]),
      );
    });

    it('answers the URL check', async () => {
      const answer = await callback({ ...echoForTest(CALLBACK, 'echo-7421') });
      expect(answer).toEqual({ status: 200, body: 'echo-7421' });
    });

    it('creates the contact of a joining member and starts their flow, once per delivery', async () => {
      await routeAll();
      // The callback does not say staff or customer: the mass-send account reads the group to tell.
      await route(app, 'wechat', 'wecom-mass', {
        corpId: WECOM.corpId,
        secret: WECOM.secret,
        sender: 'staff-e2e',
        baseUrl: wecom.url,
      });
      const external = `wm${randomBytes(10).toString('hex')}`;
      const joinedAt = Math.floor(Date.now() / 1000);
      wecom.setGroupChat({
        chat_id: chatId,
        owner: 'staff-e2e',
        create_time: joinedAt - 86_400,
        member_list: [
          { userid: 'staff-e2e', type: 1, join_time: joinedAt - 86_400, join_scene: 1 },
          { userid: external, type: 2, join_time: joinedAt, join_scene: 3 },
        ],
        member_version: '71217227bbd112ecfe3a49c482195cb4',
      });
      const contactId = `wecom:${external}`;
      const xml = joinXml(external, joinedAt);
      const delivery = encryptForTest(CALLBACK, xml);
      expect(await callback(delivery.query, delivery.body)).toEqual({ status: 200, body: '' });
      // Answered at once; the group's read runs in the background.
      const read = { connector: 'wecom-mass', account: 'wechat', job: RECONCILE_GROUPS_JOB, only: chatId };
      expect(await resultOf(app, connectorJobRunId(read))).toMatchObject({ joins: 1, failed: [] });

      const workflowId = contactFlowWorkflowId(flowId, contactId);
      expect((await resultOf(app, workflowId)).outcome).toEqual({ kind: 'exited', nodeId: 'out' });
      expect(await app.store.contacts.get(contactId)).toMatchObject({
        id: contactId,
        addresses: { wecomExternalUserId: external },
      });
      expect(await app.store.contacts.get('wecom:staff-e2e')).toBeUndefined();
      const welcomes = () => wecom.robotMessages.filter((m) => JSON.stringify(m.body).includes(external));
      expect(welcomes()).toEqual([
        { key: ROBOT_KEY, body: { msgtype: 'text', text: { content: `Welcome ${external} (qr-code)` } } },
      ]);
      const events = () =>
        app.sql<{ event_id: string; name: string; payload: Record<string, unknown> }[]>`
          select event_id, name, payload from events where contact_id = ${contactId}`;
      expect(await events()).toEqual([
        {
          event_id: expect.stringMatching(/^wecom:reconcile:/),
          name: 'member.joined',
          payload: expect.objectContaining({
            chatId,
            memberId: external,
            source: 'reconcile',
            joinScene: 3,
            joinMethod: 'qr-code',
          }),
        },
      ]);

      // WeCom retries a delivery it got no answer for: the same event, encrypted and signed anew.
      const retry = encryptForTest(CALLBACK, xml);
      expect(retry.query.msg_signature).not.toBe(delivery.query.msg_signature);
      expect(await callback(retry.query, retry.body)).toEqual({ status: 200, body: '' });
      expect(await events()).toHaveLength(1);
      const enrollments = await app.sql`
        select 1 from enrollments where flow_id = ${flowId} and contact_id = ${contactId}`;
      expect(enrollments).toHaveLength(1);
      expect(welcomes()).toHaveLength(1);
    });

    it('refuses a callback with a bad signature', async () => {
      const external = `wm${randomBytes(10).toString('hex')}`;
      const delivery = encryptForTest(CALLBACK, joinXml(external, Math.floor(Date.now() / 1000)));
      const forged = { ...delivery.query, msg_signature: '0'.repeat(40) };
      const answer = await callback(forged, delivery.body);
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'bad-signature' } });
      // Signed with another token: refused too.
      const other = encryptForTest({ ...CALLBACK, token: 'not-the-token' }, joinXml(external, 1));
      expect((await callback(other.query, other.body)).status).toBe(401);
      expect(await app.store.contacts.get(`wecom:${external}`)).toBeUndefined();
    });
  });
});

describe('a worker killed while the provider holds the answer', () => {
  let app: TestApp;
  let aliyun: FakeAliyun;
  let wecom: FakeWeComServer;
  const workers = new WorkerProcesses();

  beforeAll(async () => {
    aliyun = await startFakeAliyun(ALIYUN);
    wecom = await FakeWeComServer.start({ apps: [{ corpId: WECOM.corpId, secret: WECOM.secret }] });
    app = await startTestApp({ worker: false, env: { SOPFLOW_PUBLIC_URL: PUBLIC_URL } });
    // Provider timeouts longer than the kill takes, shorter than the activity's 30 s.
    await route(app, 'sms', 'aliyun-sms', {
      ...ALIYUN,
      signName: '社群运营',
      endpoint: aliyun.url,
      timeoutMs: 25_000,
    });
    await route(app, 'wechat', 'wecom-app', { ...WECOM, baseUrl: wecom.url, timeoutMs: 25_000 });
  });

  afterAll(async () => {
    await workers.killAll();
    if (app) await removeRoutes(app);
    await app?.stop();
    await Promise.all([aliyun?.close(), wecom?.close()]);
  });

  /** The run's result; on a timeout, fails with its pending activities and the workers' output. */
  async function finished(workflowId: string, timeoutMs = 90_000) {
    const handle = app.client.workflow.getHandle(workflowId);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(async () => {
        const described = await handle.describe().catch((e: unknown) => String(e));
        const pending =
          typeof described === 'string'
            ? described
            : JSON.stringify(described.raw.pendingActivities, null, 1);
        reject(new Error(`${workflowId} did not finish: ${pending}\nworkers:\n${workers.allOutput()}`));
      }, timeoutMs);
    });
    try {
      return await Promise.race([handle.result(), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  async function oneSendFlow(channel: string, message: Node) {
    const flowId = uniqueId(`crash-${channel}`);
    await publishFlow(
      app,
      flow(flowId, [
        webhookTrigger,
        { id: 'send', type: 'send', channel, message },
        { id: 'out', type: 'exit' },
      ]),
    );
    return flowId;
  }

  it('records an SMS whose answer never came as unconfirmed and does not send it again', async () => {
    const flowId = await oneSendFlow('sms', {
      text: 'Code',
      template: { id: 'SMS_240003', params: { name: '{{ contact.name }}' } },
    });
    const contact = { id: uniqueId('c'), name: 'Gus', phone: mainlandMobile() };
    // The provider takes the message, then holds its answer until the test ends.
    aliyun.script(contact.phone, {
      delayMs: 600_000,
      body: { RequestId: 'held', Code: 'OK', Message: 'OK', BizId: 'held-biz-id' },
    });
    const received = () => aliyun.log.filter((l) => l.params.PhoneNumbers === contact.phone);

    const first = await workers.start(app.env);
    const enrolled = await app.webhook(flowId, { contact });
    expect(enrolled.status).toBe(202);
    const workflowId = enrolled.body.workflowId as string;
    await until(() => (received().length > 0 ? true : undefined), 'the provider to take the SMS');
    const [during] = await deliveriesOf(app, workflowId);
    expect(during?.status).toBe('sending');
    await workers.kill(first);

    // Temporal retries the attempt once its 30 s start-to-close timeout passes, on the new worker.
    await workers.start(app.env);
    expect((await finished(workflowId)).outcome).toEqual({ kind: 'exited', nodeId: 'out' });
    expect(received()).toHaveLength(1);
    expect(received()[0]!.params.TemplateParam).toBe(JSON.stringify({ name: 'Gus' }));
    expect((await deliveriesOf(app, workflowId)).map((r) => [r.status, r.error])).toEqual([
      ['unconfirmed', 'interrupted mid-call'],
    ]);
  }, 150_000);

  it('sends again through WeCom, whose duplicate check lets the person get it once', async () => {
    const flowId = await oneSendFlow('wechat', { text: 'Your table is booked, {{ contact.name }}.' });
    const contact = { id: uniqueId('c'), name: 'Hal', wecomUserId: `wx-${uniqueId('hal')}` };
    // WeCom takes and delivers the message, then holds its answer; the next call is answered at once.
    wecom.fail('message/send', { delayAfterHandlingMs: 600_000 });
    const calls = () =>
      wecom.calls.filter(
        (c) => c.api === 'message/send' && (c.body as { touser?: string }).touser === contact.wecomUserId,
      );

    const first = await workers.start(app.env);
    const enrolled = await app.webhook(flowId, { contact });
    expect(enrolled.status).toBe(202);
    const workflowId = enrolled.body.workflowId as string;
    await until(
      () => (wecom.delivered.some((d) => d.touser === contact.wecomUserId) ? true : undefined),
      'WeCom to deliver the message',
    );
    expect((await deliveriesOf(app, workflowId))[0]?.status).toBe('sending');
    await workers.kill(first);

    await workers.start(app.env);
    expect((await finished(workflowId)).outcome).toEqual({ kind: 'exited', nodeId: 'out' });
    // Sent twice, byte for byte the same; WeCom dropped the second as a duplicate.
    expect(calls()).toHaveLength(2);
    expect(calls()[1]!.body).toEqual(calls()[0]!.body);
    expect(calls()[0]!.body).toMatchObject({ enable_duplicate_check: 1 });
    expect(wecom.delivered.filter((d) => d.touser === contact.wecomUserId)).toHaveLength(1);
    expect(wecom.dropped).toEqual([{ touser: contact.wecomUserId, reason: 'duplicate' }]);
    expect((await deliveriesOf(app, workflowId)).map((r) => r.status)).toEqual(['sent']);
  }, 150_000);
});
