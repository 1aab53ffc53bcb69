import { at, buildTemplate, chain, exits, link, type NodeInput, type TemplateLocale } from './shared';

/**
 * 养粉 / nurture: value content at 20:00 on days 1, 3, 5 and 7 after a fan adds the brand's WeCom
 * account. A click on the evening's link tags the fan engaged; day 7 branches on it: the engaged
 * are invited to a hands-on event, the others get the week's digest.
 */

const NODE_IDS = [
  'added',
  'day1-evening',
  'day1-tip',
  'day1-clicks',
  'day1-engaged',
  'day1-gap',
  'day3-evening',
  'day3-knowledge',
  'day3-clicks',
  'day3-engaged',
  'day3-gap',
  'day5-evening',
  'day5-story',
  'day5-clicks',
  'day5-engaged',
  'day5-gap',
  'day7-evening',
  'day7-engaged',
  'day7-invite',
  'day7-digest',
  'invited',
  'digested',
] as const;
type NodeId = (typeof NODE_IDS)[number];

interface Copy {
  name: string;
  description: string;
  labels: Record<NodeId, string>;
  engagedBranch: string;
  day1Tip: string;
  day3Knowledge: string;
  day5Story: string;
  day7Invite: string;
  day7Digest: string;
}

const COPY: Record<TemplateLocale, Copy> = {
  zh: {
    name: '养粉：7 天内容节奏',
    description:
      '新粉丝加了企业微信后，第 1、3、5、7 天晚上 20:00 各推送一篇有价值的内容：实用技巧、干货分享、群友故事。' +
      '当晚（到早上 8 点前）点开链接的打上「engaged」标签；第 7 天按参与度分流：有互动的邀请参加体验活动，' +
      '没互动的发一份本周精华。22:00–08:00 不发送；每人每天最多 2 条消息（跨所有流程计算），超出的顺延。',
    labels: {
      added: '新粉丝加了企微',
      'day1-evening': '第 1 天 20:00',
      'day1-tip': '实用小技巧',
      'day1-clicks': '当晚点开了吗？（到早上 8 点）',
      'day1-engaged': '标记有互动',
      'day1-gap': '隔一天',
      'day3-evening': '第 3 天 20:00',
      'day3-knowledge': '干货分享',
      'day3-clicks': '当晚点开了吗？（到早上 8 点）',
      'day3-engaged': '标记有互动',
      'day3-gap': '隔一天',
      'day5-evening': '第 5 天 20:00',
      'day5-story': '群友故事',
      'day5-clicks': '当晚点开了吗？（到早上 8 点）',
      'day5-engaged': '标记有互动',
      'day5-gap': '隔一天',
      'day7-evening': '第 7 天 20:00',
      'day7-engaged': '这周有互动吗？',
      'day7-invite': '邀请参加体验活动',
      'day7-digest': '本周精华回顾',
      invited: '结束：已邀请',
      digested: '结束：已发精华',
    },
    engagedBranch: '有互动',
    day1Tip: [
      '{{ contact.name | default: "你好" }}，很高兴认识你！先送你一个实用小技巧 👇',
      '【3 分钟上手：新手最常问的 5 个问题】',
      'https://example.com/n/day1',
      '觉得有用的话，回复我聊聊你的情况～',
    ].join('\n'),
    day3Knowledge: [
      '今天分享一篇干货 📖',
      '【效果翻倍的 3 个小习惯】',
      'https://example.com/n/day3',
      '看完有问题直接问我 😊',
    ].join('\n'),
    day5Story: [
      '分享一个群友的真实故事 ✨',
      '【从零开始坚持 100 天，她是怎么做到的】',
      'https://example.com/n/day5',
    ].join('\n'),
    day7Invite: [
      '{{ contact.name | default: "你好" }}，这周看你对我们的内容挺感兴趣 😊',
      '本周六下午有一场体验活动，名额有限，专门给你留了一个：',
      'https://example.com/n/event',
      '报名后会有工作人员联系你～',
    ].join('\n'),
    day7Digest: [
      '这周的精华都帮你整理好了，有空翻翻 📚',
      'https://example.com/n/digest',
      '想看什么主题，回复告诉我～',
    ].join('\n'),
  },
  en: {
    name: 'Nurture: 7-day content series',
    description:
      "After a new fan adds the brand's WeCom account, value content goes out at 20:00 on days 1, 3, 5 and 7: " +
      "a practical tip, a knowledge share, a member's story. Anyone who opens that evening's link (before 08:00) " +
      'is tagged "engaged"; on day 7 the engaged are invited to a hands-on event and the others get a digest of ' +
      'the week. Nothing is sent 22:00–08:00, and nobody gets more than 2 messages a day across all flows ' +
      '(extra ones wait).',
    labels: {
      added: 'Fan added us on WeCom',
      'day1-evening': 'Day 1, 20:00',
      'day1-tip': 'Practical tip',
      'day1-clicks': 'Opened it tonight? (until 08:00)',
      'day1-engaged': 'Tag engaged',
      'day1-gap': 'Skip a day',
      'day3-evening': 'Day 3, 20:00',
      'day3-knowledge': 'Knowledge share',
      'day3-clicks': 'Opened it tonight? (until 08:00)',
      'day3-engaged': 'Tag engaged',
      'day3-gap': 'Skip a day',
      'day5-evening': 'Day 5, 20:00',
      'day5-story': "A member's story",
      'day5-clicks': 'Opened it tonight? (until 08:00)',
      'day5-engaged': 'Tag engaged',
      'day5-gap': 'Skip a day',
      'day7-evening': 'Day 7, 20:00',
      'day7-engaged': 'Engaged this week?',
      'day7-invite': 'Invite to a hands-on event',
      'day7-digest': 'Digest of the week',
      invited: 'Done: invited',
      digested: 'Done: digest sent',
    },
    engagedBranch: 'Engaged',
    day1Tip: [
      'Hi {{ contact.name | default: "there" }}, great to meet you! Here is a practical tip to start 👇',
      '[Up and running in 3 minutes: the 5 questions beginners ask most]',
      'https://example.com/n/day1',
      'If it helps, reply and tell me about your situation.',
    ].join('\n'),
    day3Knowledge: [
      "Today's read 📖",
      '[3 small habits that double your results]',
      'https://example.com/n/day3',
      'Any questions after reading? Just ask me 😊',
    ].join('\n'),
    day5Story: [
      'A real story from one of our members ✨',
      '[From zero to 100 days in a row: how she did it]',
      'https://example.com/n/day5',
    ].join('\n'),
    day7Invite: [
      'Hi {{ contact.name | default: "there" }}, you\'ve clearly enjoyed this week\'s content 😊',
      "There's a hands-on session this Saturday afternoon with limited places, and we saved one for you:",
      'https://example.com/n/event',
      'Once you sign up, someone from our team will be in touch.',
    ].join('\n'),
    day7Digest: [
      "This week's best bits, all in one place 📚",
      'https://example.com/n/digest',
      'What would you like to read next? Reply and tell me.',
    ].join('\n'),
  },
};

export const nurtureFlow = buildTemplate('nurture', COPY, (t, step) => {
  /**
   * One content evening: wait for 20:00, send, watch for a click until 08:00 (tagging the
   * engaged), then skip a day. Any moment from 20:00 to 08:00 plus a day lands before the
   * 20:00 two evenings on, so days 1, 3, 5 stay two days apart whether or not they click.
   */
  const contentDay = (day: 1 | 3 | 5, content: NodeId, text: string, row: number): NodeInput[] => {
    const id = (part: string) => `day${day}-${part}` as NodeId;
    return [
      step.waitUntil(id('evening'), at(0, row), '20:00'),
      step.send(content, at(0, row + 1), text),
      step.waitForEvent(id('clicks'), at(0, row + 2), 'link.clicked', 'PT12H'),
      step.update(id('engaged'), at(1, row + 3), { addTags: ['engaged'] }),
      step.wait(id('gap'), at(0, row + 4), 'P1D'),
    ];
  };
  const contentEdges = (day: 1 | 3 | 5, content: string, nextEvening: string) => [
    link(`day${day}-evening`, content),
    link(content, `day${day}-clicks`),
    link(`day${day}-clicks`, `day${day}-engaged`, 'event'),
    link(`day${day}-clicks`, `day${day}-gap`, 'timeout'),
    ...chain(`day${day}-engaged`, `day${day}-gap`, nextEvening),
  ];

  return {
    nodes: [
      step.of('trigger', 'added', at(0, 0), { trigger: { kind: 'event', event: 'contact.added' } }),
      ...contentDay(1, 'day1-tip', t.day1Tip, 1),
      ...contentDay(3, 'day3-knowledge', t.day3Knowledge, 6),
      ...contentDay(5, 'day5-story', t.day5Story, 11),
      step.waitUntil('day7-evening', at(0, 16), '20:00'),
      step.of('branch', 'day7-engaged', at(0, 17), {
        branches: [
          {
            id: 'engaged',
            label: t.engagedBranch,
            when: { field: 'contact.tags', op: 'contains', value: 'engaged' },
          },
        ],
      }),
      step.send('day7-invite', at(-1, 18), t.day7Invite),
      step.exit('invited', at(-1, 19)),
      step.send('day7-digest', at(1, 18), t.day7Digest),
      step.exit('digested', at(1, 19)),
    ],
    edges: [
      link('added', 'day1-evening'),
      ...contentEdges(1, 'day1-tip', 'day3-evening'),
      ...contentEdges(3, 'day3-knowledge', 'day5-evening'),
      ...contentEdges(5, 'day5-story', 'day7-evening'),
      link('day7-evening', 'day7-engaged'),
      ...exits('day7-engaged', { engaged: 'day7-invite', else: 'day7-digest' }),
      link('day7-invite', 'invited'),
      link('day7-digest', 'digested'),
    ],
    settings: { frequencyCap: { max: 2, per: 'P1D', onCap: 'defer' } },
  };
});
