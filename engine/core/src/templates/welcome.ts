import { at, buildTemplate, chain, exits, link, memberJoined, type TemplateLocale } from './shared';

/**
 * 入群欢迎 / welcome on join: @mention the new member in the group with the rules and the group's
 * value, invite a self-introduction ten minutes later, then tag those who speak within a day and
 * nudge the others once in a private chat.
 */

const NODE_IDS = [
  'joined',
  'greet',
  'pause',
  'invite-intro',
  'await-intro',
  'introduced',
  'done-introduced',
  'nudge',
  'done-nudged',
] as const;

interface Copy {
  name: string;
  description: string;
  labels: Record<(typeof NODE_IDS)[number], string>;
  greet: string;
  inviteIntro: string;
  nudge: string;
  introReason: string;
}

const COPY: Record<TemplateLocale, Copy> = {
  zh: {
    name: '入群欢迎',
    description:
      '新人进群后，机器人立即在群里 @新人，发送群规和本群能带来的价值；10 分钟后邀请新人做自我介绍。' +
      '24 小时内发言的新人打上「introduced」标签并加 10 积分；没有发言的，由小助手私聊轻推一次。' +
      '夜里（22:00–08:00）进群的新人，欢迎语早上 8 点再发，以免深夜打扰全群。',
    labels: {
      joined: '新人进群',
      greet: '@新人：欢迎 + 群规',
      pause: '等 10 分钟',
      'invite-intro': '邀请自我介绍',
      'await-intro': '等待第一次发言（1 天）',
      introduced: '标记已自我介绍，+10 积分',
      'done-introduced': '结束：已发言',
      nudge: '私聊轻推一次',
      'done-nudged': '结束：已私聊',
    },
    greet: [
      '@{{ contact.name | default: "新朋友" }} 欢迎加入「{{ event.group }}」🎉',
      '在这里你可以：',
      '· 每周二、周四晚 8 点的干货分享',
      '· 群友专属福利，活动优先报名',
      '· 和一群同好交流、互相答疑',
      '📌 群规（花 1 分钟看完）：',
      '1. 友善交流，禁止人身攻击',
      '2. 禁止刷屏，禁止发广告和无关链接',
      '3. 尊重原创，转载请注明出处',
      '违反群规会被提醒，屡次违反将被移出群聊。有问题随时 @群主～',
    ].join('\n'),
    inviteIntro: [
      '@{{ contact.name | default: "新朋友" }} 来做个简单的自我介绍吧，让大家认识你 👋',
      '可以参考：我是___，来自___，平时喜欢___，希望在群里收获___。',
      '第一次发言有积分奖励哦～',
    ].join('\n'),
    nudge: [
      '{{ contact.name | default: "你好" }}，我是「{{ event.group }}」的小助手 😊',
      '看你还没在群里说过话，是不是不知道从哪儿开始？发一句「大家好，我是……」就可以，群友们都很友好。',
      '有任何问题也可以直接回复我～',
    ].join('\n'),
    introReason: '入群自我介绍',
  },
  en: {
    name: 'Welcome on join',
    description:
      'When someone joins a group, the bot @mentions them in the group with the group rules and what the ' +
      'group offers, and 10 minutes later invites a self-introduction. Members who post within 24 hours are ' +
      'tagged "introduced" and get 10 points; the others get one gentle private nudge. Members who join at ' +
      'night (22:00–08:00) are greeted at 08:00, so the whole group is not pinged at night.',
    labels: {
      joined: 'Member joined',
      greet: '@member: welcome + rules',
      pause: 'Wait 10 minutes',
      'invite-intro': 'Invite a self-introduction',
      'await-intro': 'Wait for their first post (1 day)',
      introduced: 'Tag introduced, +10 points',
      'done-introduced': 'Done: they posted',
      nudge: 'Nudge privately once',
      'done-nudged': 'Done: nudged',
    },
    greet: [
      '@{{ contact.name | default: "new friend" }} welcome to {{ event.group }}! 🎉',
      'What you get here:',
      '· tips and know-how every Tuesday and Thursday at 8 pm',
      '· member-only perks and early sign-up for events',
      '· people who share your interests and help each other',
      '📌 Group rules (a one-minute read):',
      '1. Be kind: no personal attacks',
      '2. No flooding, no ads or unrelated links',
      '3. Respect original work and credit your sources',
      'Breaking a rule earns a reminder; repeat offenders are removed. Questions? @ the group owner anytime.',
    ].join('\n'),
    inviteIntro: [
      '@{{ contact.name | default: "new friend" }} tell us a little about yourself 👋',
      "For example: I'm ___ from ___, I enjoy ___, and I hope this group helps me with ___.",
      'Your first post earns you points!',
    ].join('\n'),
    nudge: [
      'Hi {{ contact.name | default: "there" }}, I\'m the helper of {{ event.group }} 😊',
      'We haven\'t heard from you in the group yet. Not sure where to start? A simple "Hi all, I\'m ..." is perfect; everyone is friendly.',
      'You can also just reply to me with any question.',
    ].join('\n'),
    introReason: 'Self-introduction after joining',
  },
};

export const welcomeFlow = buildTemplate('welcome', COPY, (t, step) => ({
  nodes: [
    step.of('trigger', 'joined', at(0, 0), { trigger: memberJoined() }),
    step.send('greet', at(0, 1), t.greet, 'wechat_group'),
    step.wait('pause', at(0, 2), 'PT10M'),
    step.send('invite-intro', at(0, 3), t.inviteIntro, 'wechat_group'),
    step.waitForEvent('await-intro', at(0, 4), 'message.received', 'P1D'),
    step.update('introduced', at(-1, 5), {
      addTags: ['introduced'],
      points: { add: 10, reason: t.introReason },
    }),
    step.exit('done-introduced', at(-1, 6)),
    step.send('nudge', at(1, 5), t.nudge),
    step.exit('done-nudged', at(1, 6)),
  ],
  edges: [
    ...chain('joined', 'greet', 'pause', 'invite-intro', 'await-intro'),
    ...exits('await-intro', { event: 'introduced', timeout: 'nudge' }),
    link('introduced', 'done-introduced'),
    link('nudge', 'done-nudged'),
  ],
}));
