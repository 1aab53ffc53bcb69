import { JOIN_WAY_TO_PICK } from '../flow/fields';
import { at, buildTemplate, chain, exits, link, type TemplateLocale } from './shared';

/**
 * 企微新客 SOP / WeCom new customer: a customer adds a staff member (through any channel code, or
 * the ones the operator picks), gets the new-friend welcome through the add's welcome code at once,
 * is tagged a new customer, and five minutes later is invited into a customer group through a join
 * way; one who has not joined a day later gets a nudge. Then two evenings of value content.
 *
 * The join way is the operator's own, so the template names none: the invitation and the wait
 * carry `JOIN_WAY_TO_PICK`, which the compiler refuses with what to pick.
 */

const NODE_IDS = [
  'added',
  'welcome',
  'tag-new',
  'pause',
  'invite',
  'await-join',
  'joined',
  'nudge',
  'evening',
  'tip',
  'gap',
  'story',
  'done',
] as const;

interface Copy {
  name: string;
  description: string;
  labels: Record<(typeof NODE_IDS)[number], string>;
  welcome: string;
  invite: string;
  nudge: string;
  tip: string;
  story: string;
}

const COPY: Record<TemplateLocale, Copy> = {
  zh: {
    name: '企微新客 SOP',
    description:
      '客户扫渠道活码添加员工企业微信后：立即用欢迎语凭证发送好友欢迎语（凭证不可用时改发普通消息），' +
      '打上「new-customer」标签并同步到企业微信；5 分钟后发送加群邀请（带加群二维码），' +
      '1 天内入群的打上「in-group」标签，没入群的轻推一次；之后两个晚上 20:00 各推送一篇干货。' +
      '使用前请在触发器里选择渠道活码（留空则不限），并在「邀请入群」和「等待入群」两步选择同一个加群方式。',
    labels: {
      added: '客户添加员工（渠道活码）',
      welcome: '好友欢迎语',
      'tag-new': '打标签：新客',
      pause: '等 5 分钟',
      invite: '邀请入群（加群二维码）',
      'await-join': '等待入群（1 天）',
      joined: '打标签：已入群',
      nudge: '没入群：轻推一次',
      evening: '当晚 20:00',
      tip: '干货：新手指南',
      gap: '隔两天',
      story: '干货：客户故事',
      done: '结束',
    },
    // No name: the welcome goes within WeCom's 20 s, before the read of the customer brings it.
    welcome: [
      '你好，很高兴认识你！我是你的专属顾问 😊',
      '有任何问题都可以直接在这里问我，工作日 9:00–21:00 都在。',
      '稍后拉你进我们的客户群，群里有每周干货和专属福利～',
    ].join('\n'),
    invite: [
      '给你留了一个客户群的位置 🎁',
      '扫下方二维码入群：每周二、四晚 8 点干货分享，群友专属优惠，活动优先报名。',
    ].join('\n'),
    nudge: [
      '{{ contact.name | default: "你好" }}，看你还没进群，是不是二维码没看到？',
      '往上翻一下就能找到，群里这周还有新人专属福利，别错过～',
    ].join('\n'),
    tip: [
      '送你一份新手指南，3 分钟看完就能上手 👇',
      '【新手最常问的 5 个问题】',
      'https://example.com/n/start',
      '有不明白的直接回复我～',
    ].join('\n'),
    story: [
      '分享一个老客户的真实故事 ✨',
      '【她是怎么用 30 天看到效果的】',
      'https://example.com/n/story',
    ].join('\n'),
  },
  en: {
    name: 'WeCom new customer',
    description:
      "When a customer adds a staff member's WeCom through a channel code, the new-friend welcome goes out at " +
      "once through the add's welcome code (an ordinary message when the code cannot be used), the customer is " +
      'tagged "new-customer" (marked on WeCom too), and 5 minutes later invited into a customer group with the ' +
      'group QR code. Those who join within a day are tagged "in-group", the others are nudged once; then value ' +
      'content at 20:00 on two evenings. Before publishing, pick the channel codes in the trigger (empty: any) ' +
      'and the same join way in the invitation and in the wait for the join.',
    labels: {
      added: 'Customer adds staff (channel code)',
      welcome: 'New-friend welcome',
      'tag-new': 'Tag new customer',
      pause: 'Wait 5 minutes',
      invite: 'Invite into a group (QR code)',
      'await-join': 'Wait for the join (1 day)',
      joined: 'Tag in group',
      nudge: 'Not joined: nudge once',
      evening: 'That evening, 20:00',
      tip: 'Value: getting started',
      gap: 'Two days later',
      story: "Value: a customer's story",
      done: 'Done',
    },
    welcome: [
      'Hi, great to meet you! I am your personal advisor 😊',
      'Ask me anything right here; I am around on weekdays 9:00–21:00.',
      'In a moment I will invite you into our customer group, with weekly tips and member-only perks.',
    ].join('\n'),
    invite: [
      'We saved you a place in our customer group 🎁',
      'Scan the QR code below to join: tips every Tuesday and Thursday at 8 pm, member-only offers, early sign-up for events.',
    ].join('\n'),
    nudge: [
      'Hi {{ contact.name | default: "there" }}, you have not joined the group yet: did you miss the QR code?',
      'Scroll up a little to find it; new members get a special perk this week.',
    ].join('\n'),
    tip: [
      'Here is a beginner guide, three minutes to read 👇',
      '[The 5 questions beginners ask most]',
      'https://example.com/n/start',
      'Anything unclear? Just reply to me.',
    ].join('\n'),
    story: [
      'A real story from one of our customers ✨',
      '[How she saw results in 30 days]',
      'https://example.com/n/story',
    ].join('\n'),
  },
};

export const wecomNewCustomerFlow = buildTemplate('wecom-new-customer', COPY, (t, step) => ({
  nodes: [
    step.of('trigger', 'added', at(0, 0), { trigger: { kind: 'customer_added', channelCodes: [] } }),
    step.of('send', 'welcome', at(0, 1), {
      channel: 'wechat',
      message: { text: t.welcome },
      welcome: { otherwise: 'message' },
    }),
    step.update('tag-new', at(0, 2), { addTags: ['new-customer'] }),
    step.wait('pause', at(0, 3), 'PT5M'),
    step.of('send', 'invite', at(0, 4), {
      channel: 'wechat',
      message: { text: t.invite, joinWay: JOIN_WAY_TO_PICK },
    }),
    step.of('wait_for_event', 'await-join', at(0, 5), {
      event: 'member.joined',
      filter: { field: 'payload.joinWays', op: 'contains', value: JOIN_WAY_TO_PICK },
      timeout: 'P1D',
      lookBack: { kind: 'since-entry' },
    }),
    step.update('joined', at(-1, 6), { addTags: ['in-group'] }),
    step.send('nudge', at(1, 6), t.nudge),
    step.waitUntil('evening', at(0, 7), '20:00'),
    step.send('tip', at(0, 8), t.tip),
    step.wait('gap', at(0, 9), 'P2D'),
    step.send('story', at(0, 10), t.story),
    step.exit('done', at(0, 11)),
  ],
  edges: [
    ...chain('added', 'welcome', 'tag-new', 'pause', 'invite', 'await-join'),
    ...exits('await-join', { event: 'joined', timeout: 'nudge' }),
    link('joined', 'evening'),
    link('nudge', 'evening'),
    ...chain('evening', 'tip', 'gap', 'story', 'done'),
  ],
}));
