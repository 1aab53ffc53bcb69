import { z } from 'zod';
import { Duration } from '../../flow/fields';
import { defineNode, durationMs, form, nodeSchema } from '../define';
import { channelField, messageField } from '../form-fields';

/** A staff member, addressed on a channel. */
export const StaffMember = z.object({
  channel: channelField(),
  id: z.string().min(1).max(200).meta(form('Staff id', '员工 ID')),
  name: z.string().max(200).optional().meta(form('Staff name', '员工姓名')),
  email: z
    .string()
    .max(320)
    .optional()
    .meta(form('Email', '邮箱', { showWhen: { field: 'channel', is: ['email'] } })),
  phone: z
    .string()
    .max(40)
    .optional()
    .meta(form('Phone', '手机号', { showWhen: { field: 'channel', is: ['sms'] } })),
  wecomUserId: z
    .string()
    .max(200)
    .optional()
    .meta(form('WeCom user id', '企业微信 UserID', { showWhen: { field: 'channel', is: ['wechat'] } })),
});
export type StaffMember = z.infer<typeof StaffMember>;

/**
 * Work for a person: the task (with the prepared text and the contact) goes to a staff member,
 * then the flow waits for `task.done` for this step until the deadline, escalating on the way.
 */
export const StaffTaskNode = nodeSchema('staff_task', {
  assignee: StaffMember.meta(form('Assign to', '指派给')),
  message: messageField(),
  deadline: Duration.meta(form('Deadline', '截止时间', { widget: 'duration' })),
  escalation: z
    .object({
      after: Duration.meta(form('After', '超过', { widget: 'duration' })),
      assignee: StaffMember.meta(form('Escalate to', '升级给')),
    })
    .optional()
    .meta(form('Escalate', '升级')),
});
export type StaffTaskNode = z.infer<typeof StaffTaskNode>;

const COPY = {
  en: {
    staff: 'Community lead',
    task: 'Please follow up with {{ contact.name | default: "this member" }} personally.',
  },
  zh: { staff: '社群负责人', task: '请私聊跟进一下 {{ contact.name | default: "这位成员" }}。' },
};

export const staffTask = defineNode({
  schema: StaffTaskNode,
  words: {
    label: { en: 'Staff task', zh: '员工任务' },
    hint: { en: 'Work for a person', zh: '交给员工处理' },
  },
  idPrefix: 'task',
  exits: () => ['done', 'expired'],
  waits: () => true,
  check: (node, context) => [
    ...context.channel(node.assignee.channel, 'assignee.channel'),
    ...(node.escalation
      ? context.channel(node.escalation.assignee.channel, 'escalation.assignee.channel')
      : []),
    ...context.message(node.message, 'message'),
  ],
  timing: { longest: (node) => durationMs(node.deadline) },
  defaults: (locale) => ({
    assignee: { channel: 'wechat', id: 'staff-1', name: COPY[locale].staff },
    message: { text: COPY[locale].task },
    deadline: 'P1D',
  }),
});
