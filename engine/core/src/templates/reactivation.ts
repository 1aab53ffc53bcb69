import { at, buildTemplate, chain, exits, link, type TemplateLocale } from './shared';

/**
 * 唤醒 / 召回 / win-back: a member silent for N days gets a gentle WeChat check-in; no reply in
 * three days brings a come-back coupon on another channel (SMS, or email without a phone); no
 * click in three more days tags them dormant and sends the community lead a churn alert task.
 */

const NODE_IDS = [
  'silent',
  'check-in',
  'await-reply',
  'coupon',
  'sms-coupon',
  'await-click',
  'welcome-back',
  'welcome-back-msg',
  'back',
  'dormant',
  'churn-alert',
  'followed-up',
  'unhandled',
] as const;

/** The code sent when the coupon system does not answer with one: a general come-back code. */
const COUPON_CODE = '{{ http.coupon.body.code | default: "COMEBACK20" }}';

interface Copy {
  name: string;
  description: string;
  labels: Record<(typeof NODE_IDS)[number], string>;
  checkIn: string;
  sms: string;
  emailSubject: string;
  email: string;
  welcomeBack: string;
  welcomeBackReason: string;
  staffName: string;
  alertSubject: string;
  alert: string;
}

const COPY: Record<TemplateLocale, Copy> = {
  zh: {
    name: '沉默成员唤醒',
    description:
      '成员连续 N 天没发言（member.silent 事件，带 silentDays）时：先在微信上轻轻问候一句；3 天没回复，换个渠道，' +
      '用短信送一张回归券（没有手机号的改发邮件）；再 3 天没点开券链接，打上「dormant」（流失）标签，' +
      '并给社群主管发一条流失预警任务，2 天内跟进。回复或点开链接的成员打上「reactivated」标签并加 10 积分；' +
      '用券下单（order.paid）是本流程的转化目标，随时达成随时结束。同一成员 30 天内不会重复进入。',
    labels: {
      silent: '成员沉默 N 天',
      'check-in': '微信轻问候',
      'await-reply': '等回复（3 天）',
      coupon: '券系统发回归券',
      'sms-coupon': '短信送券（无手机号改发邮件）',
      'await-click': '等点开券链接（3 天）',
      'welcome-back': '标记已唤醒，+10 积分',
      'welcome-back-msg': '欢迎回来',
      back: '结束：已唤醒',
      dormant: '标记流失',
      'churn-alert': '流失预警：主管 2 天内跟进',
      'followed-up': '结束：已人工跟进',
      unhandled: '结束：预警超时未处理',
    },
    checkIn: [
      '{{ contact.name | default: "亲" }}，好久不见～已经 {{ event.silentDays }} 天没看到你冒泡啦 🌱',
      '最近还好吗？群里这阵子分享了不少干货，有空回来看看。',
      '有什么想法或建议，直接回复我就好～',
    ].join('\n'),
    sms: `{{ contact.name | default: "亲" }}，好久不见！送你一张 20 元回归券：${COUPON_CODE}，7 天内有效，点此使用 https://shop.example.com/c/${COUPON_CODE} 回T退订`,
    emailSubject: '好久不见，送你一张回归券',
    email: [
      '{{ contact.name | default: "亲" }}，好久不见！',
      `送你一张 20 元回归券：${COUPON_CODE}，7 天内有效。`,
      `点此使用：https://shop.example.com/c/${COUPON_CODE}`,
      '群里这阵子分享了不少干货，期待你回来看看～',
    ].join('\n'),
    welcomeBack: [
      '欢迎回来 🎉 送你 10 积分，积分可以在群里兑换福利。',
      '这阵子的精华帮你整理好了 👉 https://example.com/digest',
      '想看什么内容，随时告诉我～',
    ].join('\n'),
    welcomeBackReason: '沉默后回归',
    staffName: '社群主管',
    alertSubject: '流失预警：{{ contact.name | default: contact.id }}',
    alert: [
      '流失预警 ⚠️',
      '成员：{{ contact.name | default: "（未填姓名）" }}（ID：{{ contact.id }}）',
      '已经 {{ event.silentDays }} 天没有发言，微信问候和短信回归券都没有回应，已标记为「dormant」（流失）。',
      '请在 2 天内亲自联系一次（私聊或电话），了解原因并记录；处理完后在 sopflow 里把任务标记为完成。',
    ].join('\n'),
  },
  en: {
    name: 'Win back silent members',
    description:
      'When a member has been silent for N days (a member.silent event carrying silentDays): a gentle check-in on ' +
      'WeChat; after 3 days without a reply, a come-back coupon on another channel, SMS (email when there is no ' +
      'phone number); after 3 more days without a click, the member is tagged "dormant" (churned) and the ' +
      'community lead gets a churn alert task with a 2-day deadline. Members who reply or open the coupon link are ' +
      'tagged "reactivated" and get 10 points; paying with the coupon (order.paid) is the goal and ends the run at ' +
      'any step. A member enters again at most once every 30 days.',
    labels: {
      silent: 'Member silent for N days',
      'check-in': 'Gentle WeChat check-in',
      'await-reply': 'Wait for a reply (3 days)',
      coupon: 'Issue a coupon (coupon system)',
      'sms-coupon': 'Coupon by SMS (email if no phone)',
      'await-click': 'Wait for a coupon click (3 days)',
      'welcome-back': 'Tag reactivated, +10 points',
      'welcome-back-msg': 'Welcome back',
      back: 'Done: won back',
      dormant: 'Tag dormant',
      'churn-alert': 'Churn alert: lead follows up in 2 days',
      'followed-up': 'Done: followed up in person',
      unhandled: 'Done: alert not handled in time',
    },
    checkIn: [
      'Hi {{ contact.name | default: "there" }}, long time no see! It has been {{ event.silentDays }} days since we last heard from you 🌱',
      "How have you been? There's been plenty of good stuff in the group lately; drop by when you have a moment.",
      'Any thoughts or ideas? Just reply here.',
    ].join('\n'),
    sms: `Hi {{ contact.name | default: "there" }}, we miss you! Here's a welcome-back coupon: ${COUPON_CODE}, valid 7 days: https://shop.example.com/c/${COUPON_CODE} Reply STOP to opt out`,
    emailSubject: 'We miss you: a welcome-back coupon',
    email: [
      'Hi {{ contact.name | default: "there" }}, long time no see!',
      `Here's a welcome-back coupon: ${COUPON_CODE}, valid for 7 days.`,
      `Use it here: https://shop.example.com/c/${COUPON_CODE}`,
      "There's been plenty of good stuff in the group lately; we'd love to see you back.",
    ].join('\n'),
    welcomeBack: [
      'Welcome back 🎉 Here are 10 points, which you can swap for member perks in the group.',
      'We rounded up the best of what you missed 👉 https://example.com/digest',
      'Tell me anytime what you would like to see more of.',
    ].join('\n'),
    welcomeBackReason: 'Came back after going quiet',
    staffName: 'Community lead',
    alertSubject: 'Churn alert: {{ contact.name | default: contact.id }}',
    alert: [
      'Churn alert ⚠️',
      'Member: {{ contact.name | default: "(no name)" }} (ID: {{ contact.id }})',
      'Silent for {{ event.silentDays }} days; neither the WeChat check-in nor the SMS coupon got a response. Tagged "dormant" (churned).',
      'Please contact them in person within 2 days (private chat or phone), find out why and note it; then mark this task done in sopflow.',
    ].join('\n'),
  },
};

export const reactivationFlow = buildTemplate('reactivation', COPY, (t, step) => ({
  nodes: [
    step.of('trigger', 'silent', at(0, 0), {
      trigger: {
        kind: 'event',
        event: 'member.silent',
        payload: [{ name: 'silentDays', type: 'number', required: true }],
      },
    }),
    step.send('check-in', at(0, 1), t.checkIn),
    step.waitForEvent('await-reply', at(0, 2), 'message.received', 'P3D'),
    step.of('http_request', 'coupon', at(0, 3), {
      method: 'POST',
      url: 'https://coupons.example.com/api/coupons',
      headers: { 'Content-Type': 'application/json' },
      body: '{"contactId": {{ contact.id | json }}, "campaign": "win-back", "validDays": 7}',
    }),
    step.of('send', 'sms-coupon', at(0, 4), {
      channel: 'sms',
      message: { text: t.sms },
      fallback: { channel: 'email', message: { subject: t.emailSubject, text: t.email } },
    }),
    step.waitForEvent('await-click', at(0, 5), 'link.clicked', 'P3D'),
    step.update('welcome-back', at(1, 6), {
      addTags: ['reactivated'],
      removeTags: ['dormant'],
      points: { add: 10, reason: t.welcomeBackReason },
    }),
    step.send('welcome-back-msg', at(1, 7), t.welcomeBack),
    step.exit('back', at(1, 8)),
    step.update('dormant', at(0, 6), { addTags: ['dormant'], removeTags: ['active', 'reactivated'] }),
    step.of('staff_task', 'churn-alert', at(0, 7), {
      assignee: {
        channel: 'email',
        id: 'community-lead',
        name: t.staffName,
        email: 'community-lead@example.com',
      },
      message: { subject: t.alertSubject, text: t.alert },
      deadline: 'P2D',
    }),
    step.exit('followed-up', at(-1, 8)),
    step.exit('unhandled', at(0, 8)),
  ],
  edges: [
    ...chain('silent', 'check-in', 'await-reply'),
    ...exits('await-reply', { event: 'welcome-back', timeout: 'coupon' }),
    ...chain('coupon', 'sms-coupon', 'await-click'),
    ...exits('await-click', { event: 'welcome-back', timeout: 'dormant' }),
    ...chain('welcome-back', 'welcome-back-msg', 'back'),
    link('dormant', 'churn-alert'),
    ...exits('churn-alert', { done: 'followed-up', expired: 'unhandled' }),
  ],
  settings: {
    frequencyCap: { max: 2, per: 'P1D', onCap: 'defer' },
    reentry: { mode: 'after', after: 'P30D' },
    goal: { event: 'order.paid' },
  },
}));
