import { type CallbackConfig, customerContactId } from '@sopflow/connectors';
import { ContactHistory } from '@sopflow/core/api';
import {
  type CallbackDelivery,
  type CallbackTarget,
  customerEventXml,
  deliverCallback,
} from '../../connectors/src/wecom/fake-callbacks';
import type { TestApp } from './stack';

/**
 * A WeCom customer adding a staff member, as the tests and the benchmark produce it: WeCom's signed,
 * encrypted `add_external_contact` callback to sopflow's `/api/inbound/wecom`, so the contact (found
 * by its external user id, or made), its `channelCode` and `wecomStaffIds`, the `wecom.customer_added`
 * event and the flows it starts all come from sopflow's own code path.
 */

/** What WeCom's add_external_contact callback says. */
export interface CustomerAdd {
  staffId: string;
  externalUserId: string;
  /** The channel code (`State`) of the contact way the customer came through. */
  state?: string;
  welcomeCode?: string;
  /** When the customer added the staff member (epoch ms; the callback's CreateTime has whole seconds). */
  at: number;
}

/** sopflow's WeCom callback, as the admin console is set up with it: the URL and the corp's callback settings. */
export const weComCallbackTarget = (sopflowUrl: string, callback: CallbackConfig): CallbackTarget => ({
  ...callback,
  url: `${sopflowUrl.replace(/\/$/, '')}/api/inbound/wecom`,
});

/**
 * Delivers an add as WeCom does (retried when not answered 200 within 5 s, 3 tries in all). Throws
 * when no try was answered 200. The same add delivered again is WeCom's redelivery: the same event.
 * Answers the contact a new customer becomes, and how each try went; with `sopflow` (an app in this
 * process), once it has processed the add, which it answers for before.
 */
export async function deliverCustomerAdd(
  target: CallbackTarget,
  add: CustomerAdd,
  sopflow?: Pick<TestApp, 'inboundSettled'>,
): Promise<{ contactId: string; delivery: CallbackDelivery }> {
  const xml = customerEventXml(target.receiveId, {
    changeType: 'add_external_contact',
    staffId: add.staffId,
    externalUserId: add.externalUserId,
    ...(add.state === undefined ? {} : { state: add.state }),
    ...(add.welcomeCode === undefined ? {} : { welcomeCode: add.welcomeCode }),
    createTime: Math.floor(add.at / 1000),
  });
  const delivery = await deliverCallback(target, xml);
  if (!delivery.delivered)
    throw new Error(
      `WeCom's callback for ${add.externalUserId} was not answered 200: ${JSON.stringify(delivery.attempts)}`,
    );
  await sopflow?.inboundSettled();
  return { contactId: customerContactId(add.externalUserId), delivery };
}

/** The flows (workflow ids) a contact is enrolled in, newest first, as `GET /api/contacts/:id` shows them. */
export async function enrollmentsOf(
  app: Pick<TestApp, 'request'>,
  contactId: string,
): Promise<{ workflowId: string; flowId: string }[]> {
  const answer = await app.request('GET', `/api/contacts/${encodeURIComponent(contactId)}`);
  if (answer.status !== 200) throw new Error(`GET /api/contacts/${contactId} answered ${answer.status}`);
  return ContactHistory.parse(answer.body).enrollments.map(({ workflowId, flowId }) => ({
    workflowId,
    flowId,
  }));
}

/**
 * A flow an add through a channel code starts: with `posterState`, a branch on the add's state
 * tags the contact `from-poster` (that code) or `from-elsewhere`; then it holds for a week. Its
 * goal is `order.paid`, so a paying contact's run converts.
 */
export function channelCodeFlow(id: string, posterState?: string) {
  const tagging = posterState
    ? {
        nodes: [
          {
            id: 'which',
            type: 'branch',
            branches: [{ id: 'poster', when: { field: 'event.state', op: 'eq', value: posterState } }],
          },
          { id: 'tag-poster', type: 'update_contact', update: { addTags: ['from-poster'] } },
          { id: 'tag-other', type: 'update_contact', update: { addTags: ['from-elsewhere'] } },
        ],
        edges: [
          { id: 'a', source: 'in', target: 'which' },
          { id: 'b', source: 'which', sourceHandle: 'poster', target: 'tag-poster' },
          { id: 'c', source: 'which', sourceHandle: 'else', target: 'tag-other' },
          { id: 'd', source: 'tag-poster', target: 'hold' },
          { id: 'e', source: 'tag-other', target: 'hold' },
        ],
      }
    : { nodes: [], edges: [{ id: 'a', source: 'in', target: 'hold' }] };
  return {
    schemaVersion: 1,
    id,
    name: id,
    nodes: [
      { id: 'in', type: 'trigger', trigger: { kind: 'event', event: 'wecom.customer_added' } },
      ...tagging.nodes,
      { id: 'hold', type: 'wait_for_event', event: 'never.comes', timeout: 'P7D' },
      { id: 'out', type: 'exit' },
    ],
    edges: [
      ...tagging.edges,
      { id: 'f', source: 'hold', sourceHandle: 'event', target: 'out' },
      { id: 'g', source: 'hold', sourceHandle: 'timeout', target: 'out' },
    ],
    settings: { timezone: 'Asia/Shanghai', reentry: { mode: 'always' }, goal: { event: 'order.paid' } },
  };
}
