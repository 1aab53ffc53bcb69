import { at, buildTemplate, chain, exits, link, type TemplateLocale } from './shared';

/**
 * 促销 / 秒杀 / flash sale: a heads-up on enrollment, the coupon at 20:00 when the 24-hour sale
 * opens, a last call two hours before it ends to those who have not paid, and for buyers thanks
 * (points, their referrer credited, an invitation to refer friends) and a follow-up three days on.
 */

const NODE_IDS = [
  'enrolled',
  'preannounce',
  'launch-time',
  'launch',
  'await-order',
  'last-call',
  'await-last',
  'missed',
  'buyer',
  'thanks',
  'follow-up-wait',
  'follow-up',
  'bought',
] as const;

interface Copy {
  name: string;
  description: string;
  labels: Record<(typeof NODE_IDS)[number], string>;
  preannounce: string;
  launch: string;
  lastCall: string;
  thanks: string;
  followUp: string;
  buyerReason: string;
  referrerReason: string;
}

const COPY: Record<TemplateLocale, Copy> = {
  zh: {
    name: '限时秒杀',
    description:
      '一场 24 小时的限时秒杀（开抢当天 20:00 前导入成员）：报名就收到预告；20:00 开抢时收到专属券码；结束前 2 小时，只提醒还没下单的人。' +
      '付款（order.paid）的人走感谢路径：打上「promo-buyer」标签、加 20 积分、给邀请人记裂变奖励（50 积分），' +
      '3 天后回访并邀请晒单。本流程特意不设「转化目标」：目标会在付款那一刻直接结束流程，感谢和回访就发不出去了；' +
      '购买者从「已购买」出口离开，转化按这个出口统计。活动消息迟发不如不发，所以超出频次上限的消息直接跳过。',
    labels: {
      enrolled: '报名参加秒杀',
      preannounce: '活动预告',
      'launch-time': '等到 20:00 开抢',
      launch: '开抢：发专属券码',
      'await-order': '等下单（到结束前 2 小时）',
      'last-call': '最后 2 小时提醒',
      'await-last': '等下单（最后 2 小时）',
      missed: '结束：未购买',
      buyer: '购买者：标签 + 积分 + 邀请人奖励',
      thanks: '感谢 + 邀请好友',
      'follow-up-wait': '等 3 天',
      'follow-up': '回访：用得怎么样',
      bought: '结束：已购买',
    },
    preannounce: [
      '{{ contact.name | default: "亲" }}，先给你透个底 👀',
      '「{{ event.product }}」限时秒杀 20:00 准时开抢，只有 24 小时，数量有限！',
      '你的专属券码已经备好，开抢时第一时间发给你，记得留意消息～',
    ].join('\n'),
    launch: [
      '⏰ 秒杀开始！「{{ event.product }}」限时 24 小时',
      '你的专属券码：{{ event.couponCode }}',
      '下单立减，手慢无 👉 https://shop.example.com/flash?code={{ event.couponCode }}',
    ].join('\n'),
    lastCall: [
      '{{ contact.name | default: "亲" }}，「{{ event.product }}」秒杀只剩最后 2 小时 ⏳',
      '券码 {{ event.couponCode }} 20:00 失效，别错过 👉 https://shop.example.com/flash?code={{ event.couponCode }}',
    ].join('\n'),
    thanks: [
      '下单成功，谢谢支持！🎉 已为你加 20 积分。',
      '好东西分享给朋友：用你的专属链接邀请好友下单，每成交一位再送你 50 积分 👉 https://shop.example.com/flash?ref={{ contact.id }}',
    ].join('\n'),
    followUp: [
      '{{ contact.name | default: "亲" }}，「{{ event.product }}」用得怎么样？😊',
      '欢迎在群里晒单分享感受，有任何问题直接回复我，我来帮你处理～',
    ].join('\n'),
    buyerReason: '秒杀下单',
    referrerReason: '邀请好友参加秒杀并下单',
  },
  en: {
    name: 'Flash sale',
    description:
      'A 24-hour flash sale (enroll members before 20:00 on launch day): members get a heads-up when enrolled, ' +
      'their coupon code when the sale opens at 20:00 and, only if they have not paid yet, a last call two hours before it ends. Buyers (order.paid) take ' +
      'the thank-you path: tagged "promo-buyer", 20 points, their referrer credited 50 points (referral), and a ' +
      'follow-up 3 days later inviting them to share. There is deliberately no conversion goal: a goal would end ' +
      'the run the moment they pay, before any thanks; buyers leave by the "bought" exit, which is where ' +
      'conversion is counted. A late sale message is worse than none, so messages over the frequency cap are skipped.',
    labels: {
      enrolled: 'Signed up for the sale',
      preannounce: 'Heads-up',
      'launch-time': 'Wait for 20:00 launch',
      launch: 'Launch: send their coupon',
      'await-order': 'Wait for an order (until 2 h before the end)',
      'last-call': 'Last call: 2 hours left',
      'await-last': 'Wait for an order (last 2 hours)',
      missed: 'Done: did not buy',
      buyer: 'Buyer: tag, points, credit the referrer',
      thanks: 'Thanks + invite friends',
      'follow-up-wait': 'Wait 3 days',
      'follow-up': 'Follow-up: how is it?',
      bought: 'Done: bought',
    },
    preannounce: [
      'Hi {{ contact.name | default: "there" }}, here\'s an early heads-up 👀',
      'Our {{ event.product }} flash sale opens at 20:00 sharp and runs for just 24 hours, while stocks last!',
      "Your personal coupon is ready; we'll send it the moment the sale opens.",
    ].join('\n'),
    launch: [
      '⏰ The flash sale is on! {{ event.product }}, 24 hours only',
      'Your coupon code: {{ event.couponCode }}',
      'Grab it before it sells out 👉 https://shop.example.com/flash?code={{ event.couponCode }}',
    ].join('\n'),
    lastCall: [
      'Hi {{ contact.name | default: "there" }}, only 2 hours left in the {{ event.product }} flash sale ⏳',
      "Code {{ event.couponCode }} expires at 20:00. Don't miss out 👉 https://shop.example.com/flash?code={{ event.couponCode }}",
    ].join('\n'),
    thanks: [
      "Order confirmed, thank you! 🎉 We've added 20 points to your account.",
      'Know someone who would love it? Share your personal link: every friend who buys earns you 50 more points 👉 https://shop.example.com/flash?ref={{ contact.id }}',
    ].join('\n'),
    followUp: [
      'Hi {{ contact.name | default: "there" }}, how are you getting on with your {{ event.product }}? 😊',
      'Share a photo in the group if you like, and if anything is not right, just reply and I will sort it out.',
    ].join('\n'),
    buyerReason: 'Flash sale order',
    referrerReason: 'Referred a friend who bought in the flash sale',
  },
};

export const promoFlow = buildTemplate('promo', COPY, (t, step) => ({
  nodes: [
    step.of('trigger', 'enrolled', at(0, 0), {
      trigger: {
        kind: 'webhook',
        event: 'promo.enrolled',
        payload: [
          { name: 'product', type: 'string', required: true },
          { name: 'couponCode', type: 'string', required: true },
          { name: 'referrerId', type: 'string', required: false },
        ],
      },
    }),
    step.send('preannounce', at(0, 1), t.preannounce),
    step.waitUntil('launch-time', at(0, 2), '20:00'),
    step.send('launch', at(0, 3), t.launch),
    step.waitForEvent('await-order', at(0, 4), 'order.paid', 'PT22H'),
    step.send('last-call', at(0, 5), t.lastCall),
    step.waitForEvent('await-last', at(0, 6), 'order.paid', 'PT2H'),
    step.exit('missed', at(0, 7)),
    step.update('buyer', at(1, 7), {
      addTags: ['promo-buyer'],
      points: { add: 20, reason: t.buyerReason },
      creditReferrer: { field: 'event.referrerId', points: 50, reason: t.referrerReason },
    }),
    step.send('thanks', at(1, 8), t.thanks),
    step.wait('follow-up-wait', at(1, 9), 'P3D'),
    step.send('follow-up', at(1, 10), t.followUp),
    step.exit('bought', at(1, 11)),
  ],
  edges: [
    ...chain('enrolled', 'preannounce', 'launch-time', 'launch', 'await-order'),
    ...exits('await-order', { event: 'buyer', timeout: 'last-call' }),
    link('last-call', 'await-last'),
    ...exits('await-last', { event: 'buyer', timeout: 'missed' }),
    ...chain('buyer', 'thanks', 'follow-up-wait', 'follow-up', 'bought'),
  ],
  settings: { frequencyCap: { max: 3, per: 'P1D', onCap: 'skip' } },
}));
