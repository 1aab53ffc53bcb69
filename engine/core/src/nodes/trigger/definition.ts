import { z } from 'zod';
import { EventName, PayloadField, TimeZone } from '../../flow/fields';
import { defineNode, form, nodeSchema } from '../define';
import { conditionField, EVENT_NAME_FORM } from '../form-fields';

const payload = z
  .array(PayloadField)
  .max(100)
  .optional()
  .meta(
    form('Payload fields', '事件字段', {
      help: { en: 'Declare them to have {{ event.* }} checked.', zh: '声明后会检查 {{ event.* }} 的引用。' },
    }),
  );

export const WebhookTrigger = z
  .object({
    kind: z.literal('webhook'),
    /** The event name recorded for each delivery, e.g. `member.joined`. */
    event: EventName.default('webhook').meta(EVENT_NAME_FORM),
    /** Fields of the payload; when given, `{{event.*}}` references are checked against them. */
    payload,
  })
  .meta(form('A webhook is called', '收到 Webhook 调用'));

/** Starts the flow when an event is posted for a contact (`POST /api/events`). */
export const EventTrigger = z
  .object({
    kind: z.literal('event'),
    event: EventName.meta(EVENT_NAME_FORM),
    /** Only events whose payload matches start the flow; fields are `payload.*`. */
    filter: conditionField('Only if', '仅当'),
    payload,
  })
  .meta(form('An event happens', '发生某个事件'));

/** Contacts are enrolled one at a time by an operator or the API. */
export const ManualTrigger = z
  .object({ kind: z.literal('manual'), payload })
  .meta(form('Enrolled by hand or API', '手动或通过 API 加入'));

/** A broadcast: everyone matching `where` (or everyone) is enrolled when a campaign runs it. */
export const AudienceTrigger = z
  .object({
    kind: z.literal('audience'),
    where: conditionField('Only contacts where', '仅限满足条件的联系人'),
  })
  .meta(form('A campaign runs (audience)', '运行群发活动（人群）'));

/** A recurring enrollment on a Temporal Schedule. */
export const ScheduleTrigger = z
  .object({
    kind: z.literal('schedule'),
    /** Five-field cron, e.g. `0 20 * * *` for every evening at 20:00. */
    cron: z
      .string()
      .regex(/^\s*(\S+\s+){4}\S+\s*$/, {
        error:
          'A cron expression has five fields, e.g. "0 20 * * *". / cron 表达式有五个字段，例如 "0 20 * * *"。',
      })
      .meta(
        form('Cron (minute hour day month weekday)', 'Cron（分 时 日 月 周）', {
          help: { en: '0 20 * * * = every evening at 20:00', zh: '0 20 * * * = 每晚 20:00' },
        }),
      ),
    timezone: TimeZone.optional().meta(form('Time zone', '时区', { widget: 'timezone' })),
    where: conditionField('Only contacts where', '仅限满足条件的联系人'),
  })
  .meta(form('On a schedule', '按计划定时'));

/**
 * The contact event a WeCom customer adding a staff member becomes (add_external_contact), with
 * its payload `{ staffId, externalUserId, state?, welcomeCode?, at }`.
 */
export const CUSTOMER_ADDED_EVENT = 'wecom.customer_added';

/** The payload of `wecom.customer_added`, declared so `{{ event.* }}` references are checked. */
export const CUSTOMER_ADDED_PAYLOAD: readonly PayloadField[] = [
  { name: 'staffId', type: 'string', required: true },
  { name: 'externalUserId', type: 'string', required: true },
  { name: 'state', type: 'string', required: false },
  { name: 'welcomeCode', type: 'string', required: false },
  { name: 'at', type: 'number', required: false },
];

const idList = (en: string, zh: string, help: { en: string; zh: string }) =>
  z
    .array(z.string().trim().min(1).max(64))
    .max(200)
    .optional()
    .meta(form(en, zh, { help }));

/**
 * A customer added a staff member on WeCom (好友添加): the start of a new-friend welcome, whose
 * first send may use the event's welcome code. Empty lists mean any channel code, any staff member.
 */
export const CustomerAddedTrigger = z
  .object({
    kind: z.literal('customer_added'),
    /** Only customers who came through one of these channel codes (the contact way's `state`). */
    channelCodes: idList('Only through channel codes', '仅限渠道活码', {
      en: 'The state of the contact way (渠道活码); empty: any.',
      zh: '「联系我」的 state；留空则不限。',
    }),
    /** Only adds of these staff members (WeCom user ids). */
    staffIds: idList('Only for staff', '仅限员工', {
      en: 'WeCom user ids of the staff members; empty: any.',
      zh: '员工的企业微信 UserID；留空则不限。',
    }),
  })
  .meta(form('A customer adds a staff member (WeCom)', '客户添加员工为好友（企业微信）'));
export type CustomerAddedTrigger = z.infer<typeof CustomerAddedTrigger>;

/** Whether a `wecom.customer_added` payload is one the trigger starts on. */
export function customerAddedMatches(
  trigger: CustomerAddedTrigger,
  payload: Record<string, unknown>,
): boolean {
  const pick = (list: readonly string[] | undefined, value: unknown) =>
    !list?.length || (typeof value === 'string' && list.includes(value));
  return pick(trigger.channelCodes, payload.state) && pick(trigger.staffIds, payload.staffId);
}

export const Trigger = z
  .discriminatedUnion('kind', [
    WebhookTrigger,
    EventTrigger,
    ManualTrigger,
    AudienceTrigger,
    ScheduleTrigger,
    CustomerAddedTrigger,
  ])
  .meta(form('Starts when', '何时开始'));
export type Trigger = z.infer<typeof Trigger>;

/** The payload fields a trigger declares, which `{{ event.* }}` and the start checks go by; undefined: free-form. */
export function triggerPayload(trigger: Trigger): readonly PayloadField[] | undefined {
  if (trigger.kind === 'customer_added') return CUSTOMER_ADDED_PAYLOAD;
  return 'payload' in trigger ? trigger.payload : undefined;
}

export const TriggerNode = nodeSchema('trigger', { trigger: Trigger });
export type TriggerNode = z.infer<typeof TriggerNode>;

export const trigger = defineNode({
  schema: TriggerNode,
  words: {
    label: { en: 'Trigger', zh: '触发器' },
    hint: { en: 'What enrolls a contact', zh: '联系人从这里进入流程' },
  },
  check(node, context) {
    const trigger = node.trigger;
    if (trigger.kind === 'event' && trigger.filter)
      return context.condition(trigger.filter, 'trigger.filter', { payload: true });
    if ((trigger.kind === 'audience' || trigger.kind === 'schedule') && trigger.where)
      return context.condition(trigger.where, 'trigger.where');
    return [];
  },
  defaults: () => ({ trigger: { kind: 'webhook' as const, event: 'webhook' } }),
});
