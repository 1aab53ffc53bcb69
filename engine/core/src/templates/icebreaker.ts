import { at, buildTemplate, chain, exits, link, memberJoined, type TemplateLocale } from './shared';

/**
 * 破冰 / icebreaker: the three evenings after the join day, one easy question at 20:00 in a
 * private chat (an open question, a personal one from the profile, a check-in mini-game). The
 * first reply earns points and today's check-in and ends the flow: that first message is the aim.
 */

const NODE_IDS = [
  'joined',
  'settle',
  'day1-evening',
  'day1-question',
  'day1-reply',
  'day2-evening',
  'day2-profile',
  'day2-city',
  'day2-interest',
  'day2-general',
  'day2-reply',
  'day3-evening',
  'day3-game',
  'day3-reply',
  'first-reply',
  'reward',
  'ice-broken',
  'quiet',
  'still-quiet',
] as const;

interface Copy {
  name: string;
  description: string;
  labels: Record<(typeof NODE_IDS)[number], string>;
  cityBranch: string;
  interestBranch: string;
  day1Question: string;
  day2City: string;
  day2Interest: string;
  day2General: string;
  day3Game: string;
  reward: string;
  firstReplyReason: string;
}

const COPY: Record<TemplateLocale, Copy> = {
  zh: {
    name: '新人破冰（3 天）',
    description:
      '新人进群满一天后（欢迎流程的自我介绍窗口已过），连续 3 晚 20:00 私聊一个轻松的问题：第 1 天开放问题，' +
      '第 2 天根据资料里的城市或兴趣问个性化问题，第 3 天打卡小游戏。新人第一次回复就加 20 积分并记一次打卡，' +
      '然后结束——破冰的目标就是这第一句话。3 天都没回复的打上「quiet-newcomer」标签，方便运营人工跟进。',
    labels: {
      joined: '新人进群',
      settle: '先等 1 天（欢迎流程先走完）',
      'day1-evening': '第 1 天 20:00',
      'day1-question': '开放问题',
      'day1-reply': '等回复（到次日 18:00）',
      'day2-evening': '第 2 天 20:00',
      'day2-profile': '资料里有什么？',
      'day2-city': '问所在城市',
      'day2-interest': '问兴趣爱好',
      'day2-general': '通用小问题',
      'day2-reply': '等回复（到次日 18:00）',
      'day3-evening': '第 3 天 20:00',
      'day3-game': '打卡小游戏',
      'day3-reply': '等回复（1 天）',
      'first-reply': '首次发言：+20 积分，记打卡',
      reward: '告诉新人得了积分',
      'ice-broken': '结束：已破冰',
      quiet: '标记沉默新人',
      'still-quiet': '结束：仍未发言',
    },
    cityBranch: '有城市',
    interestBranch: '有兴趣',
    day1Question: [
      '{{ contact.name | default: "新朋友" }}，进群一天啦，感觉怎么样？😊',
      '想问你一个小问题：你最希望在「{{ event.group }}」里收获什么？',
      '直接回复我，或者在群里说都可以～第一次发言送 20 积分 🎁',
    ].join('\n'),
    day2City: [
      '{{ contact.name | default: "新朋友" }}，看到你在{{ contact.attributes.city }}～',
      '今天的问题：{{ contact.attributes.city }}有什么你私藏的好去处或美食？推荐一个给大家吧 🍜',
    ].join('\n'),
    day2Interest: [
      '{{ contact.name | default: "新朋友" }}，听说你喜欢{{ contact.attributes.interest }}～',
      '今天的问题：你是怎么喜欢上{{ contact.attributes.interest }}的？最近有什么心得想分享吗？',
    ].join('\n'),
    day2General: [
      '{{ contact.name | default: "新朋友" }}，今天的小问题：最近让你开心的一件小事是什么？🌟',
      '回复我或者发到群里，和大家分享一下吧～',
    ].join('\n'),
    day3Game: [
      '今日打卡小游戏 🎲',
      '用 3 个词形容你自己，回复「打卡 + 3 个词」就算完成今天的打卡！',
      '比如：打卡 吃货 夜猫子 爱旅行',
      '第一次回复送 20 积分，群友们也来猜猜你是谁～',
    ].join('\n'),
    reward: [
      '收到啦，谢谢你的分享！🎉',
      '首次发言 +20 积分，今日打卡 +5 积分，你现在一共有 {{ contact.points }} 积分。',
      '以后每天在群里打卡都能攒积分，积分可以兑换群里的福利哦～',
    ].join('\n'),
    firstReplyReason: '破冰：第一次发言',
  },
  en: {
    name: 'Icebreaker (first 3 days)',
    description:
      "From a day after joining (once the welcome flow's introduction window is over), three evenings at " +
      '20:00 each bring one easy question in a private chat: an open question on day 1, a personal one from ' +
      'the profile (city or interest) on day 2, a check-in mini-game on day 3. The first reply earns 20 points ' +
      "plus today's check-in and ends the flow, since that first message is what an icebreaker is for. " +
      'Members silent all three days are tagged "quiet-newcomer" for the team to follow up in person.',
    labels: {
      joined: 'Member joined',
      settle: 'Wait a day (let the welcome finish)',
      'day1-evening': 'Day 1, 20:00',
      'day1-question': 'Open question',
      'day1-reply': 'Wait for a reply (until 18:00 next day)',
      'day2-evening': 'Day 2, 20:00',
      'day2-profile': 'What does the profile say?',
      'day2-city': 'Ask about their city',
      'day2-interest': 'Ask about their interest',
      'day2-general': 'Light general question',
      'day2-reply': 'Wait for a reply (until 18:00 next day)',
      'day3-evening': 'Day 3, 20:00',
      'day3-game': 'Check-in mini-game',
      'day3-reply': 'Wait for a reply (1 day)',
      'first-reply': 'First message: +20 points, check-in',
      reward: 'Tell them about the points',
      'ice-broken': 'Done: ice broken',
      quiet: 'Tag quiet newcomer',
      'still-quiet': 'Done: still quiet',
    },
    cityBranch: 'Has a city',
    interestBranch: 'Has an interest',
    day1Question: [
      'Hi {{ contact.name | default: "there" }}, it\'s been a day since you joined. How\'s it going? 😊',
      'A quick question: what do you most hope to get from {{ event.group }}?',
      'Reply here or post in the group; your first message earns 20 points 🎁',
    ].join('\n'),
    day2City: [
      'Hi {{ contact.name | default: "there" }}, I see you\'re in {{ contact.attributes.city }}!',
      "Today's question: what's your favourite hidden spot or dish in {{ contact.attributes.city }}? Recommend one to the group 🍜",
    ].join('\n'),
    day2Interest: [
      'Hi {{ contact.name | default: "there" }}, I hear you\'re into {{ contact.attributes.interest }}!',
      "Today's question: how did you get into {{ contact.attributes.interest }}? Anything you've learned lately that you'd share?",
    ].join('\n'),
    day2General: [
      'Hi {{ contact.name | default: "there" }}, today\'s little question: what small thing made you happy recently? 🌟',
      'Reply here or share it in the group!',
    ].join('\n'),
    day3Game: [
      'Check-in mini-game 🎲',
      'Describe yourself in 3 words and reply "check-in + your 3 words" to check in for today!',
      'For example: check-in foodie night-owl traveller',
      'Your first reply earns 20 points, and the group gets to guess who you are.',
    ].join('\n'),
    reward: [
      'Got it, thanks for sharing! 🎉',
      "First message +20 points, today's check-in +5: you now have {{ contact.points }} points.",
      'Check in in the group every day to keep collecting points and swap them for member perks.',
    ].join('\n'),
    firstReplyReason: 'Icebreaker: first message',
  },
};

export const icebreakerFlow = buildTemplate('icebreaker', COPY, (t, step) => {
  // A reply window closes at 18:00 the next day, before that evening's question at 20:00. A reply
  // answers the question just asked: one that came before it (a late answer to yesterday's) does not.
  const reply = (id: (typeof NODE_IDS)[number], timeout: string, row: number) =>
    step.waitForEvent(id, at(0, row), 'message.received', timeout, { kind: 'none' });
  const evening = (id: (typeof NODE_IDS)[number], row: number) => step.waitUntil(id, at(0, row), '20:00');

  return {
    nodes: [
      step.of('trigger', 'joined', at(0, 0), { trigger: memberJoined() }),
      step.wait('settle', at(0, 1), 'P1D'),
      evening('day1-evening', 2),
      step.send('day1-question', at(0, 3), t.day1Question),
      reply('day1-reply', 'PT22H', 4),
      evening('day2-evening', 5),
      step.of('branch', 'day2-profile', at(0, 6), {
        branches: [
          { id: 'has-city', label: t.cityBranch, when: { field: 'contact.attributes.city', op: 'exists' } },
          {
            id: 'has-interest',
            label: t.interestBranch,
            when: { field: 'contact.attributes.interest', op: 'exists' },
          },
        ],
      }),
      step.send('day2-city', at(-1, 7), t.day2City),
      step.send('day2-interest', at(0, 7), t.day2Interest),
      step.send('day2-general', at(1, 7), t.day2General),
      reply('day2-reply', 'PT22H', 8),
      evening('day3-evening', 9),
      step.send('day3-game', at(0, 10), t.day3Game),
      reply('day3-reply', 'P1D', 11),
      step.update('first-reply', at(2, 12), {
        addTags: ['first-message'],
        points: { add: 20, reason: t.firstReplyReason },
        checkIn: { points: 5 },
      }),
      step.send('reward', at(2, 13), t.reward),
      step.exit('ice-broken', at(2, 14)),
      step.update('quiet', at(0, 12), { addTags: ['quiet-newcomer'] }),
      step.exit('still-quiet', at(0, 13)),
    ],
    edges: [
      ...chain('joined', 'settle', 'day1-evening', 'day1-question', 'day1-reply'),
      ...exits('day1-reply', { event: 'first-reply', timeout: 'day2-evening' }),
      link('day2-evening', 'day2-profile'),
      ...exits('day2-profile', {
        'has-city': 'day2-city',
        'has-interest': 'day2-interest',
        else: 'day2-general',
      }),
      link('day2-city', 'day2-reply'),
      link('day2-interest', 'day2-reply'),
      link('day2-general', 'day2-reply'),
      ...exits('day2-reply', { event: 'first-reply', timeout: 'day3-evening' }),
      ...chain('day3-evening', 'day3-game', 'day3-reply'),
      ...exits('day3-reply', { event: 'first-reply', timeout: 'quiet' }),
      ...chain('first-reply', 'reward', 'ice-broken'),
      link('quiet', 'still-quiet'),
    ],
    settings: { frequencyCap: { max: 3, per: 'P1D', onCap: 'defer' } },
  };
});
