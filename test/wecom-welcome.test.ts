import type { CallbackConfig } from '@sopflow/connectors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeWeComServer } from '../connectors/src/wecom/fake-wecom-server';
import { edge } from './support/flows';
import { publishFlow, startTestApp, type TestApp, uniqueId } from './support/stack';
import { weComCallbackEnv } from './support/wecom';
import { deliverCustomerAdd, enrollmentsOf, weComCallbackTarget } from './support/wecom-adds';
import { until } from './support/worker-process';

/**
 * The new-friend welcome (好友欢迎语) end to end: a customer adds a staff member, the flow that
 * starts on it sends its first message through the add's welcome code (send_welcome_msg, within
 * WeCom's 20 s, once), or falls back to an ordinary mass message or its `failed` exit. Welcome flows
 * run on a task queue of their own, so a campaign flooding a slow provider cannot make one late.
 */

const WECOM = { corpId: 'ww-e2e-welcome', secret: 'wecom-welcome-secret-e2e-026' };
const CALLBACK: CallbackConfig = {
  token: 'welcome-callback-token',
  encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  receiveId: WECOM.corpId,
};
const STAFF = 'staff-lily';
/** Main worker slots: few, so the campaign below fills them. */
const MAIN_SLOTS = 3;
const WELCOME_DEADLINE_MS = 20_000;

describe('the new-friend welcome', () => {
  let app: TestApp;
  let wecom: FakeWeComServer;
  const posterFlow = uniqueId('welcome-poster');
  const strictFlow = uniqueId('welcome-strict');
  const floodFlow = uniqueId('flood');
  const poster = uniqueId('poster');
  const strictStaff = uniqueId('staff-tom');

  /** A customer adds a staff member now: WeCom issues a welcome code (unless told not to) and calls back. */
  async function customerAdds(options: {
    staffId?: string;
    state?: string;
    code?: boolean;
    addedAgoMs?: number;
    /** Another app sends its welcome with the code first. */
    takenElsewhere?: boolean;
  }) {
    const staffId = options.staffId ?? STAFF;
    const externalUserId = uniqueId('wm');
    const at = Date.now() - (options.addedAgoMs ?? 0);
    const welcomeCode =
      options.code === false ? undefined : wecom.welcomes.issue(staffId, externalUserId, at);
    if (welcomeCode && options.takenElsewhere) wecom.welcomes.useElsewhere(welcomeCode);
    const { contactId } = await deliverCustomerAdd(
      weComCallbackTarget(app.url, CALLBACK),
      {
        staffId,
        externalUserId,
        at,
        ...(options.state ? { state: options.state } : {}),
        ...(welcomeCode ? { welcomeCode } : {}),
      },
      app,
    );
    // The callback is answered once the event is kept; once it is processed, the flows it started are enrolled.
    const started = await enrollmentsOf(app, contactId);
    return { contactId, started, externalUserId, welcomeCode, at };
  }
  const tagsOf = async (contactId: string) => (await app.store.contacts.get(contactId))?.tags ?? [];

  beforeAll(async () => {
    wecom = await FakeWeComServer.start({ apps: [WECOM] });
    app = await startTestApp({
      env: { SOPFLOW_WORKER_ACTIVITIES: String(MAIN_SLOTS), ...weComCallbackEnv(CALLBACK) },
    });
    const routed = await app.request('PUT', '/api/channels/wechat', {
      connector: 'wecom-mass',
      config: { ...WECOM, sender: STAFF, baseUrl: wecom.url },
    });
    expect(routed.status, JSON.stringify(routed.body)).toBe(200);
    const welcomeFlow = (id: string, trigger: object, otherwise: 'message' | 'failed') => ({
      schemaVersion: 1,
      id,
      name: id,
      nodes: [
        { id: 'added', type: 'trigger', trigger: { kind: 'customer_added', ...trigger } },
        {
          id: 'hello',
          type: 'send',
          channel: 'wechat',
          message: {
            text: '你好，欢迎来到读书会（{{ event.state | default: "direct" }}）',
            articles: [{ title: '新人指南', url: 'https://example.com/start' }],
          },
          welcome: { otherwise },
        },
        { id: 'greeted', type: 'update_contact', update: { addTags: ['greeted'] } },
        { id: 'missed', type: 'update_contact', update: { addTags: ['welcome-missed'] } },
        { id: 'end', type: 'exit' },
      ],
      edges: [
        edge('added', 'hello'),
        edge('hello', 'greeted'),
        edge('hello', 'missed', 'failed'),
        edge('greeted', 'end'),
        edge('missed', 'end'),
      ],
    });
    await publishFlow(app, welcomeFlow(posterFlow, { channelCodes: [poster] }, 'message'));
    await publishFlow(app, welcomeFlow(strictFlow, { staffIds: [strictStaff] }, 'failed'));
    await publishFlow(app, {
      schemaVersion: 1,
      id: floodFlow,
      name: floodFlow,
      nodes: [
        { id: 'everyone', type: 'trigger', trigger: { kind: 'audience' } },
        { id: 'promo', type: 'send', channel: 'wechat', message: { text: '本周会员日 8 折' } },
        { id: 'end', type: 'exit' },
      ],
      edges: [edge('everyone', 'promo'), edge('promo', 'end')],
    });
  });

  afterAll(async () => {
    if (app) await app.request('DELETE', '/api/channels/wechat');
    await app?.stop();
    await wecom?.close();
  });

  it('sends the first message through the welcome code, within 20 s and once, for its channel code only', async () => {
    const added = await customerAdds({ state: poster });
    expect(added.started.map((s) => s.flowId)).toEqual([posterFlow]);
    const welcome = await until(
      () => wecom.welcomes.sent.find((w) => w.code === added.welcomeCode),
      'the welcome',
      WELCOME_DEADLINE_MS,
    );
    expect(welcome.at - added.at).toBeLessThan(WELCOME_DEADLINE_MS);
    expect(welcome).toMatchObject({
      externalUserId: added.externalUserId,
      text: `你好，欢迎来到读书会（${poster}）`,
      attachments: [{ msgtype: 'link', link: { title: '新人指南', url: 'https://example.com/start' } }],
    });
    await until(
      async () => ((await tagsOf(added.contactId)).includes('greeted') ? true : undefined),
      'the tag',
    );
    expect(wecom.welcomes.answers.filter((a) => a.code === added.welcomeCode)).toHaveLength(1);
    expect(wecom.tasks.filter((t) => t.external_userid.includes(added.externalUserId))).toEqual([]);

    // Another channel code, or another staff member's add, starts neither flow.
    const other = await customerAdds({ state: uniqueId('live') });
    expect(other.started).toEqual([]);
  });

  it('falls back to an ordinary mass message when the add has no welcome code', async () => {
    const added = await customerAdds({ state: poster, code: false });
    const task = await until(
      () => wecom.tasks.find((t) => t.external_userid.includes(added.externalUserId)),
      'the mass-send task',
    );
    expect(task.text?.content).toContain('欢迎来到读书会');
    expect(wecom.count('externalcontact/send_welcome_msg')).toBe(1);
  });

  it('takes the failed exit when the code expired or another app used it (41051), as the step says', async () => {
    const expired = await customerAdds({ staffId: strictStaff, addedAgoMs: 21_000 });
    const taken = await customerAdds({ staffId: strictStaff, takenElsewhere: true });
    for (const added of [expired, taken]) {
      expect(added.started.map((s) => s.flowId)).toEqual([strictFlow]);
      await until(
        async () => ((await tagsOf(added.contactId)).includes('welcome-missed') ? true : undefined),
        'the failed exit',
      );
    }
    // The expired code was never sent to WeCom; the taken one was, once, and answered 41051.
    expect(wecom.welcomes.answers.filter((a) => a.code === expired.welcomeCode)).toEqual([]);
    expect(wecom.welcomes.answers.filter((a) => a.code === taken.welcomeCode).map((a) => a.errcode)).toEqual([
      41051,
    ]);
    expect(wecom.welcomes.sent.filter((w) => w.code === taken.welcomeCode)).toEqual([]);
    expect(wecom.tasks.filter((t) => t.external_userid.includes(taken.externalUserId))).toEqual([]);
  });

  it('is sent within its deadline while a campaign floods a slow provider', async () => {
    const audience = 40;
    const slowMs = 4_000;
    const contactIds: string[] = [];
    for (let i = 0; i < audience; i++) {
      const id = uniqueId('flooded');
      const saved = await app.request('PUT', `/api/contacts/${id}`, {
        addresses: { wecomExternalUserId: `wm-${id}` },
      });
      expect(saved.status).toBeLessThan(300);
      contactIds.push(id);
    }
    // Every campaign send takes the provider 4 s: the main queue's slots stay full for ~50 s.
    wecom.fail('externalcontact/add_msg_template', ...contactIds.map(() => ({ delayMs: slowMs })));
    const tasksBefore = wecom.count('externalcontact/add_msg_template');
    const campaign = await app.request('POST', '/api/campaigns', {
      flowId: floodFlow,
      audience: { contactIds },
    });
    expect(campaign.status, JSON.stringify(campaign.body)).toBe(202);
    await until(
      () => (wecom.count('externalcontact/add_msg_template') - tasksBefore >= MAIN_SLOTS ? true : undefined),
      'the campaign to fill the worker slots',
    );

    const added = await customerAdds({ state: poster });
    const welcome = await until(
      () => wecom.welcomes.sent.find((w) => w.code === added.welcomeCode),
      'the welcome under load',
      WELCOME_DEADLINE_MS + 5_000,
    );
    expect(welcome.at - added.at).toBeLessThan(WELCOME_DEADLINE_MS);
    // The flood was still going when the welcome went out: most campaign sends had not been made.
    const campaignCalls = wecom.calls.filter(
      (c) => c.api === 'externalcontact/add_msg_template' && c.at <= welcome.at,
    ).length;
    expect(campaignCalls - tasksBefore).toBeLessThan(audience / 2);
  });
});
