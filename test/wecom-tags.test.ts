import { randomBytes } from 'node:crypto';
import {
  type CallbackConfig,
  MARK_TAGS_JOB,
  type MarkTagsReport,
  SYNC_CORP_TAGS_JOB,
} from '@sopflow/connectors';
import type { ProviderTagList } from '@sopflow/core/api';
import { connectorJobRunId, connectorJobScheduleId } from '@sopflow/server';
import { connectorJob, contactFlowWorkflowId } from '@sopflow/workflows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeWeComServer } from '../connectors/src/wecom/fake-wecom-server';
import { publishFlow, startTestApp, type TestApp, uniqueId } from './support/stack';
import { postWeComCallback, routeToWeComMass, weComCallbackEnv } from './support/wecom';

/**
 * WeCom corp tags both ways, against the fake WeCom: the corp tag list is read into Postgres when
 * the channel is routed and again when WeCom calls back `change_external_tag` (signed and
 * encrypted as WeCom does), and the builder's tag pickers get it from `GET /api/tags`; a flow's
 * update step that tags a customer reaches WeCom's `mark_tag` through each staff member the
 * customer follows. Later events win, whichever side made them.
 */

const WECOM = { corpId: uniqueId('ww-tags'), secret: 'wecom-contact-secret-tags-0028' };
const CALLBACK: CallbackConfig = {
  token: 'tags-callback-token',
  encodingAESKey: 'Tags0123456789abcdefghijklmnopqrstuvwxyzABC',
  receiveId: WECOM.corpId,
};
const STAFF = ['staff-mei', 'staff-li'];
const job = (name: string) => ({ connector: 'wecom-mass', account: 'wechat', job: name });

const edge = (source: string, target: string) => ({
  id: `${source}-${target}`,
  source,
  sourceHandle: 'next',
  target,
});

async function until<T>(read: () => Promise<T | undefined>, what: string, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('WeCom corp tags both ways', () => {
  let app: TestApp;
  let wecom: FakeWeComServer;
  let levels: Record<string, string>;
  const flowId = uniqueId('tag-vip');

  /** The groups of this corp that `GET /api/tags` offers, as group → tag names. */
  const offered = async () => {
    const answer = await app.request('GET', '/api/tags');
    expect(answer.status).toBe(200);
    return Object.fromEntries(
      (answer.body as ProviderTagList).groups
        .filter((g) => g.account === WECOM.corpId)
        .map((g) => [g.name, g.tags.map((t) => t.name)]),
    );
  };
  /** The run of a job started for one item (a contact, or the corp's tag list), until it ends. */
  const ranFor = async (name: string, only: string) =>
    until(
      () => app.client.workflow.getHandle(connectorJobRunId({ ...job(name), only })).result(),
      `${name} for ${only}`,
    ) as Promise<Record<string, unknown>>;
  const callback = (xml: string) => postWeComCallback(app.url, CALLBACK, xml);
  const newCustomer = async (tags: string[] = []) => {
    const id = uniqueId('customer');
    const externalUserId = `wm${randomBytes(10).toString('hex')}`;
    const saved = await app.request('PUT', `/api/contacts/${id}`, {
      wecomExternalUserId: externalUserId,
      attributes: { wecomStaffIds: STAFF },
      tags,
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(201);
    return { id, externalUserId };
  };

  beforeAll(async () => {
    wecom = await FakeWeComServer.start({ apps: [WECOM] });
    levels = wecom.corpTags.addGroup('客户等级', ['VIP', '普通'], 10);
    wecom.corpTags.addGroup('来源', ['直播'], 1);
    app = await startTestApp({ env: weComCallbackEnv(CALLBACK) });
    await routeToWeComMass(app, {
      ...WECOM,
      sender: STAFF[0],
      baseUrl: wecom.url,
      tags: { syncMinutes: 15 },
    });
    await publishFlow(app, {
      schemaVersion: 1,
      id: flowId,
      name: flowId,
      nodes: [
        { id: 'in', type: 'trigger', trigger: { kind: 'event', event: `${flowId}.bought` } },
        {
          id: 'tag',
          type: 'update_contact',
          update: { addTags: ['VIP', 'bought-once'], removeTags: ['普通'] },
        },
        { id: 'out', type: 'exit' },
      ],
      edges: [edge('in', 'tag'), edge('tag', 'out')],
    });
  });

  afterAll(async () => {
    await app?.request('DELETE', '/api/channels/wechat');
    await app?.stop();
    await wecom?.close();
  });

  it('reads the corp tag list into Postgres when the channel is routed, for the tag pickers', async () => {
    const report = await until(
      () =>
        app.client.workflow
          .getHandle(`${connectorJobScheduleId(job(SYNC_CORP_TAGS_JOB))}:scheduled`)
          .result(),
      'the first read of the corp tag list',
    );
    expect(report).toEqual({ groups: 2, tags: 3, deleted: 0 });
    // In WeCom's order: the group with the larger order value first.
    expect(await offered()).toEqual({ 客户等级: ['VIP', '普通'], 来源: ['直播'] });
    const schedule = await app.client.schedule
      .getHandle(connectorJobScheduleId(job(SYNC_CORP_TAGS_JOB)))
      .describe();
    expect(schedule.spec.intervals).toMatchObject([{ every: 15 * 60_000 }]);
  });

  it('reads the list again when WeCom calls back a tag change, answering at once', async () => {
    const created = wecom.corpTags.addGroup('意向', ['高意向']);
    const at = Math.floor(Date.now() / 1000);
    const answer = await callback(
      `<xml><ToUserName><![CDATA[${WECOM.corpId}]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName>` +
        `<CreateTime>${at}</CreateTime><MsgType><![CDATA[event]]></MsgType>` +
        '<Event><![CDATA[change_external_tag]]></Event>' +
        `<Id><![CDATA[${created.高意向}]]></Id><TagType><![CDATA[tag]]></TagType>` +
        '<ChangeType><![CDATA[create]]></ChangeType></xml>',
    );
    expect(answer).toMatchObject({ status: 200, body: '' });
    // WeCom waits 5 s for an answer; the read is not part of it.
    expect(answer.ms).toBeLessThan(5_000);
    expect(await ranFor(SYNC_CORP_TAGS_JOB, 'corp')).toMatchObject({ groups: 3, tags: 4 });
    expect((await offered()).意向).toEqual(['高意向']);

    // A deleted tag is marked deleted and offered no more.
    wecom.corpTags.deleteTag(levels.普通!);
    await callback(
      `<xml><ToUserName><![CDATA[${WECOM.corpId}]]></ToUserName><CreateTime>${at + 1}</CreateTime>` +
        '<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_tag]]></Event>' +
        `<Id><![CDATA[${levels.普通}]]></Id><TagType><![CDATA[tag]]></TagType><ChangeType><![CDATA[delete]]></ChangeType></xml>`,
    );
    await until(
      async () => ((await offered()).客户等级?.includes('普通') ? undefined : true),
      'the deletion',
    );
    const [row] = await app.sql<{ deleted: boolean }[]>`
      select deleted_at is not null as deleted from provider_tags where account = ${WECOM.corpId} and name = '普通'`;
    expect(row?.deleted).toBe(true);
    // Put back for the tests that follow, as an admin would.
    levels = { ...levels, ...wecom.corpTags.addGroup('客户等级-2', ['普通']) };
    await callback(
      `<xml><ToUserName><![CDATA[${WECOM.corpId}]]></ToUserName><CreateTime>${at + 2}</CreateTime>` +
        '<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_external_tag]]></Event>' +
        '<ChangeType><![CDATA[shuffle]]></ChangeType></xml>',
    );
    await until(async () => ((await offered())['客户等级-2'] ? true : undefined), 'the re-added tag');
  });

  it("marks a flow's update_contact tags on WeCom through every staff member the customer follows", async () => {
    const customer = await newCustomer(['普通']);
    // The API's own change (普通) is handed over first.
    expect(await ranFor(MARK_TAGS_JOB, customer.id)).toMatchObject({ marked: 2 });
    for (const staff of STAFF)
      expect(wecom.corpTags.namesOn(staff, customer.externalUserId)).toEqual(['普通']);

    const posted = await app.request('POST', '/api/events', {
      contactId: customer.id,
      name: `${flowId}.bought`,
    });
    expect(posted.status, JSON.stringify(posted.body)).toBeLessThan(300);
    await until(
      () => app.client.workflow.getHandle(contactFlowWorkflowId(flowId, customer.id)).result(),
      'the flow',
    );
    const report = (await ranFor(MARK_TAGS_JOB, customer.id)) as unknown as MarkTagsReport;
    expect(report).toMatchObject({ marked: 2, failed: [], sopflowOnly: ['bought-once'] });
    for (const staff of STAFF)
      expect(wecom.corpTags.namesOn(staff, customer.externalUserId)).toEqual(['VIP']);
    const marks = wecom.calls.filter(
      (c) =>
        c.api === 'externalcontact/mark_tag' &&
        (c.body as { external_userid: string }).external_userid === customer.externalUserId,
    );
    expect(
      marks
        .map((c) => (c.body as { userid: string }).userid)
        .slice(-2)
        .sort(),
    ).toEqual([...STAFF].sort());
    expect(marks.at(-1)?.body).toMatchObject({ add_tag: [levels.VIP], remove_tag: [levels.普通] });
    // Nothing is left to hand over.
    expect(await app.sql`select 1 from contact_tag_changes where contact_id = ${customer.id}`).toHaveLength(
      0,
    );
  });

  it('later events win: a WeCom edit after our change wins, and our change after a WeCom edit wins', async () => {
    const customer = await newCustomer();
    const marked = () => wecom.count('externalcontact/mark_tag');

    // sopflow tags the customer 直播 (stored, not handed over yet), then staff edit the customer in WeCom.
    await app.store.contacts.save([{ id: customer.id, tags: ['直播'] }]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const edited = await app.request('POST', '/api/events', {
      contactId: customer.id,
      name: 'wecom.customer_edited',
      payload: { staffId: STAFF[0], externalUserId: customer.externalUserId, at: Date.now() },
    });
    expect(edited.status, JSON.stringify(edited.body)).toBeLessThan(300);
    const before = marked();
    const report = (await app.client.workflow.execute(connectorJob, {
      taskQueue: app.taskQueue,
      workflowId: uniqueId('mark-tags'),
      args: [{ ...job(MARK_TAGS_JOB), only: customer.id }],
    })) as unknown as MarkTagsReport;
    // WeCom's later edit wins: our older change is not marked over it (reading the customer back brings WeCom's tags).
    expect(report).toMatchObject({ marked: 0, superseded: { wecom: 1, contact: 0 } });
    expect(marked()).toBe(before);
    expect(wecom.corpTags.namesOn(STAFF[0]!, customer.externalUserId)).toEqual([]);
    // Reading the customer back brings WeCom's tags in; they are WeCom's already, so nothing is noted to hand back.
    await app.store.contacts.save([{ id: customer.id, tags: [] }], 'read from WeCom', {
      tagsFromProvider: true,
    });
    expect(await app.sql`select 1 from contact_tag_changes where contact_id = ${customer.id}`).toHaveLength(
      0,
    );

    // Now sopflow changes the tag after that WeCom edit: ours is the later event, and WeCom gets it.
    const changed = await app.request('PUT', `/api/contacts/${customer.id}`, { tags: ['直播', 'VIP'] });
    expect(changed.status).toBe(200);
    expect(await ranFor(MARK_TAGS_JOB, customer.id)).toMatchObject({ marked: 2 });
    for (const staff of STAFF)
      expect(wecom.corpTags.namesOn(staff, customer.externalUserId)).toEqual(['VIP', '直播']);
  });
});
