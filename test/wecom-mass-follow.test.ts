import { contactFlowWorkflowId } from '@sopflow/workflows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeWeComServer } from '../connectors/src/wecom/fake-wecom-server';
import { publishFlow, startTestApp, type TestApp, uniqueId } from './support/stack';
import { until } from './support/worker-process';

/**
 * A WeCom mass message is a task a staff member confirms in the app, so `add_msg_template`
 * answering is not delivery. The workflow follows each task until WeCom reports the customer got
 * it (the flow goes on by `next`), could not get it (by `failed`), or nobody sent it in time.
 */

const WECOM = { corpId: 'ww-e2e-mass', secret: 'wecom-mass-secret-e2e-0006' };
const SENDER = 'staff-lily';
const POLL_MS = 1_000;

const edge = (source: string, target: string, sourceHandle = 'next') => ({
  id: `${source}-${sourceHandle}-${target}`,
  source,
  sourceHandle,
  target,
});

describe('WeCom mass messages are followed until staff send them', () => {
  let app: TestApp;
  let wecom: FakeWeComServer;
  const flowId = uniqueId('mass-follow');

  beforeAll(async () => {
    wecom = await FakeWeComServer.start({ apps: [WECOM] });
    app = await startTestApp();
    const routed = await app.request('PUT', '/api/channels/wechat', {
      connector: 'wecom-mass',
      config: {
        ...WECOM,
        sender: SENDER,
        baseUrl: wecom.url,
        followUp: { everyMs: POLL_MS, giveUpAfterMs: 8_000 },
      },
    });
    expect(routed.status, JSON.stringify(routed.body)).toBe(200);
    await publishFlow(app, {
      schemaVersion: 1,
      id: flowId,
      name: flowId,
      nodes: [
        { id: 'in', type: 'trigger', trigger: { kind: 'webhook' } },
        {
          id: 'promo',
          type: 'send',
          channel: 'wechat',
          message: { text: '{{ contact.name }}，本周会员日 8 折' },
        },
        { id: 'reached', type: 'update_contact', update: { addTags: ['reached'] } },
        { id: 'missed', type: 'update_contact', update: { addTags: ['missed'] } },
        { id: 'end', type: 'exit' },
      ],
      edges: [
        edge('in', 'promo'),
        edge('promo', 'reached'),
        edge('promo', 'missed', 'failed'),
        edge('reached', 'end'),
        edge('missed', 'end'),
      ],
    });
  });

  afterAll(async () => {
    if (app) await app.request('DELETE', '/api/channels/wechat');
    await app?.stop();
    await wecom?.close();
  });

  /** Enrolls a customer and returns their workflow id and the mass-send task WeCom made for them. */
  async function enrollCustomer(name: string) {
    const contact = { id: uniqueId(name), name, wecomExternalUserId: uniqueId('wmExt') };
    const enrolled = await app.webhook(flowId, { contact });
    expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(202);
    const task = await until(
      () => wecom.tasks.find((t) => t.external_userid.includes(contact.wecomExternalUserId)),
      `the mass-send task for ${name}`,
    );
    return { contact, workflowId: contactFlowWorkflowId(flowId, contact.id), task };
  }

  const tagsOf = async (contactId: string) => (await app.store.contacts.get(contactId))?.tags ?? [];
  const followPolls = (msgid: string) =>
    wecom.calls.filter(
      (c) =>
        c.api === 'externalcontact/get_groupmsg_send_result' &&
        (c.body as { msgid?: string }).msgid === msgid,
    ).length;

  async function followActivities(workflowId: string) {
    const history = await app.client.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? []).filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'followDelivery',
    ).length;
  }

  it('goes on by `next` once the staff member sends the task, polling without a history event per poll', async () => {
    const { contact, workflowId, task } = await enrollCustomer('阿青');
    expect(task.sender).toBe(SENDER);
    // Staff take their time: the run keeps asking, and waits.
    await until(() => followPolls(task.msgid) >= 3 || undefined, 'three polls');
    expect(await tagsOf(contact.id)).toEqual([]);
    wecom.setSendStatus(task.msgid, contact.wecomExternalUserId, 1);
    await app.client.workflow.getHandle(workflowId).result();
    expect(await tagsOf(contact.id)).toEqual(['reached']);
    expect(await followActivities(workflowId)).toBe(1);
    const [delivery] = await app.sql<
      { status: string; confirmed_at: Date | null; lifecycle: string; idempotency_key: string }[]
    >`
      select status, confirmed_at, lifecycle, idempotency_key from deliveries
      where workflow_id = ${workflowId} and node_id = 'promo'`;
    expect(delivery?.status).toBe('sent');
    expect(delivery?.confirmed_at).toBeInstanceOf(Date);
    // The follow-up's answer is the message's lifecycle too: taken by WeCom, then delivered.
    expect(delivery?.lifecycle).toBe('delivered');
    const statuses = await app.sql<{ status: string }[]>`
      select status from message_statuses where delivery_key = ${delivery!.idempotency_key} order by recorded_at, at`;
    expect(statuses.map((s) => s.status)).toEqual(['queued', 'sent', 'delivered']);
  });

  it('takes `failed` when WeCom reports the customer is no longer a contact of the staff member', async () => {
    const { contact, workflowId, task } = await enrollCustomer('老周');
    wecom.setSendStatus(task.msgid, contact.wecomExternalUserId, 2);
    await app.client.workflow.getHandle(workflowId).result();
    expect(await tagsOf(contact.id)).toEqual(['missed']);
    const [delivery] = await app.sql<{ status: string; error: string | null; lifecycle: string }[]>`
      select status, error, lifecycle from deliveries where workflow_id = ${workflowId} and node_id = 'promo'`;
    expect(delivery).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('no longer a contact'),
      lifecycle: 'failed',
    });
  });

  it('takes `failed` when nobody sends the task before the follow-up gives up', async () => {
    const { contact, workflowId, task } = await enrollCustomer('小满');
    await app.client.workflow.getHandle(workflowId).result();
    expect(await tagsOf(contact.id)).toEqual(['missed']);
    expect(followPolls(task.msgid)).toBeGreaterThanOrEqual(2);
    expect(await followActivities(workflowId)).toBe(1);
  });
});
