import type { IntegratorDeliveryStatus, IntegratorEventType } from '@sopflow/core/api';
import type { Locale } from '../../locale';

/** The Webhooks page's words, by locale (the page picks its own, so i18n.ts is untouched). */

const en = {
  title: 'Webhooks',
  intro:
    'Tell your own systems what happens: each subscription gets the events it chooses, signed with its secret (header x-sopflow-signature, as inbound webhooks), in order per contact, retried with back-off while its endpoint fails. Deduplicate on x-sopflow-event-id.',
  adminOnly: 'Only admins manage webhooks.',
  newSubscription: 'New subscription',
  editSubscription: 'Change subscription',
  url: 'Endpoint URL',
  description: 'Description',
  eventTypes: 'Events',
  enabled: 'Deliver (off: events wait until it is on again)',
  enabledColumn: 'Delivering',
  rotateSecret: 'Make a new secret',
  create: 'Subscribe',
  save: 'Save',
  cancel: 'Cancel',
  failed: 'Not saved:',
  listTitle: 'Subscriptions',
  none: 'No subscriptions yet.',
  loadFailed: 'Could not load:',
  secret: 'Secret',
  showSecret: 'Show secret',
  pending: 'Waiting',
  failedCount: 'Given up',
  on: 'on',
  off: 'off',
  edit: 'Change',
  delete: 'Delete',
  log: 'Delivery log',
  deleteConfirm: (url: string) => `Delete the subscription to ${url} and its delivery log?`,
  deleteFailed: 'Could not delete:',
  logTitle: (url: string) => `Deliveries to ${url}`,
  logEmpty: 'Nothing delivered yet.',
  event: 'Event',
  contact: 'Contact',
  status: 'Status',
  attempts: 'Attempts',
  answer: 'Last answer',
  at: 'Happened',
  replay: 'Send again',
  replayed: 'Queued to be sent again.',
  close: 'Close',
  statuses: { pending: 'waiting', delivered: 'delivered', failed: 'given up' } satisfies Record<
    IntegratorDeliveryStatus,
    string
  >,
  eventWords: {
    'journey.entered': 'Entered a flow',
    'journey.exited': 'Left a flow',
    'journey.converted': 'Converted in a flow',
    'contact.unsubscribed': 'Unsubscribed',
    'contact.resubscribed': 'Subscribed again',
    'campaign.finished': 'Campaign finished',
    'message.status_changed': 'Message status changed',
  } satisfies Record<IntegratorEventType, string>,
};

export type WebhooksMessages = typeof en;

const zh: WebhooksMessages = {
  title: 'Webhook 推送',
  intro:
    '把发生的事推送给你自己的系统：每个订阅接收所选事件，用其密钥签名（请求头 x-sopflow-signature，与入站 webhook 相同），同一联系人的事件按顺序推送，端点失败时按退避间隔重试。请按 x-sopflow-event-id 去重。',
  adminOnly: '只有管理员可以管理 webhook。',
  newSubscription: '新建订阅',
  editSubscription: '修改订阅',
  url: '接收地址',
  description: '说明',
  eventTypes: '事件',
  enabled: '推送（关闭时事件会保留，打开后继续推送）',
  enabledColumn: '推送中',
  rotateSecret: '生成新密钥',
  create: '订阅',
  save: '保存',
  cancel: '取消',
  failed: '未保存：',
  listTitle: '订阅',
  none: '还没有订阅。',
  loadFailed: '无法加载：',
  secret: '密钥',
  showSecret: '显示密钥',
  pending: '待推送',
  failedCount: '已放弃',
  on: '开',
  off: '关',
  edit: '修改',
  delete: '删除',
  log: '推送记录',
  deleteConfirm: (url) => `删除推送到 ${url} 的订阅及其推送记录？`,
  deleteFailed: '无法删除：',
  logTitle: (url) => `推送到 ${url} 的记录`,
  logEmpty: '还没有推送。',
  event: '事件',
  contact: '联系人',
  status: '状态',
  attempts: '尝试次数',
  answer: '最近应答',
  at: '发生时间',
  replay: '重新推送',
  replayed: '已排队重新推送。',
  close: '关闭',
  statuses: { pending: '待推送', delivered: '已送达', failed: '已放弃' },
  eventWords: {
    'journey.entered': '进入流程',
    'journey.exited': '离开流程',
    'journey.converted': '在流程中转化',
    'contact.unsubscribed': '退订',
    'contact.resubscribed': '重新订阅',
    'campaign.finished': '活动结束',
    'message.status_changed': '消息状态变化',
  },
};

export const webhooksMessages: Record<Locale, WebhooksMessages> = { en, zh };

/** The page's place in the URL hash. */
export const WEBHOOKS_HASH = '#/webhooks';
export const isWebhooksHash = (hash: string) =>
  hash === WEBHOOKS_HASH || hash.startsWith(`${WEBHOOKS_HASH}/`);
