import { createHash } from 'node:crypto';
import {
  type ConnectorInstance,
  defineConnector,
  type OutboundMessage,
  type Recipient,
  SendError,
  type SendResult,
} from '../connector';
import { testMessage } from '../shared/test-message';
import { weComGroupAddress } from './addresses';
import type { WeComDeps } from './app-message-connector';
import { GroupRobotConfig } from './config';
import { sharedLimiter } from './limiter';
import { WECOM_MASS_SEND_LIMIT } from './limits';
import { newsArticles } from './news';
import { errcodeToSendError, requestWeCom } from './wecom-client';

const MINUTE = 60_000;

/** A mention that looks like a phone number: E.164, or an 11-digit mainland mobile. */
function asMobile(mention: string): string | undefined {
  const compact = mention.replace(/[\s-]/g, '');
  const mainland = /^(?:\+?86)?(1[3-9]\d{9})$/.exec(compact);
  if (mainland) return mainland[1];
  return /^\+\d{6,15}$/.test(compact) ? compact : undefined;
}

/** Sorts mentions into user ids and mobiles by their shape; `@all` stays a user-id mention. */
export function splitMentions(mentions: readonly string[] = []): { userIds: string[]; mobiles: string[] } {
  const userIds: string[] = [];
  const mobiles: string[] = [];
  for (const raw of mentions) {
    const mention = raw.trim();
    if (!mention) continue;
    const mobile = mention === '@all' ? undefined : asMobile(mention);
    if (mobile) {
      if (!mobiles.includes(mobile)) mobiles.push(mobile);
    } else if (!userIds.includes(mention)) userIds.push(mention);
  }
  return { userIds, mobiles };
}

/**
 * The webhook body: `text` with `mentioned_list` / `mentioned_mobile_list`, `markdown` with
 * `<@userid>` inside the content (markdown takes no mention lists, so it cannot mention by mobile
 * or `@all`), or `news` with 1 to 8 articles.
 */
export function robotMessageBody(
  message: OutboundMessage,
  log?: WeComDeps['log'],
): { msgtype: string } & Record<string, unknown> {
  const { userIds, mobiles } = splitMentions(message.mentions);
  if (message.articles?.length) {
    const articles = newsArticles(message.articles, 'robot news');
    if (userIds.length + mobiles.length > 0) log?.('WeCom robot news messages cannot mention anyone');
    return { msgtype: 'news', news: { articles } };
  }
  if (message.format === 'markdown') {
    const inline = userIds.filter((id) => id !== '@all' && !message.text.includes(`<@${id}>`));
    if (mobiles.length > 0 || userIds.includes('@all')) {
      log?.('WeCom robot markdown can mention user ids only; mobiles and @all are left out');
    }
    const content = inline.length
      ? `${message.text}\n${inline.map((id) => `<@${id}>`).join(' ')}`
      : message.text;
    return { msgtype: 'markdown', markdown: { content } };
  }
  return {
    msgtype: 'text',
    text: {
      content: message.text,
      ...(userIds.length ? { mentioned_list: userIds } : {}),
      ...(mobiles.length ? { mentioned_mobile_list: mobiles } : {}),
    },
  };
}

/**
 * Messages into WeCom groups through their group robots (群机器人). The webhook key is the only
 * credential, one per group. WeCom has no dedup for robots: a send that timed out after the robot
 * posted is posted again on retry.
 */
export function createGroupRobotSender(config: GroupRobotConfig, deps: WeComDeps = {}): ConnectorInstance {
  const baseUrl = config.baseUrl.replace(/\/+$/, '');

  async function send(message: OutboundMessage): Promise<SendResult> {
    const groupId = message.to.groupId;
    if (!groupId) {
      throw new SendError('permanent', `The recipient ${message.to.id} has no group id (groupId).`);
    }
    const key = Object.hasOwn(config.robots, groupId) ? config.robots[groupId] : undefined;
    if (!key) {
      throw new SendError(
        'permanent',
        `No WeCom group robot is configured for the group "${groupId}": add its webhook key under robots.`,
      );
    }
    const body = robotMessageBody(message, deps.log);
    // 20 messages a minute for each robot; the key enters the limiter's scope only as a hash.
    const limiter = sharedLimiter(
      `wecom-robot\n${createHash('sha256').update(key).digest('hex')}`,
      [{ limit: config.limits.perRobotPerMinute, windowMs: MINUTE }],
      deps.now,
    );
    const slot = limiter.tryTake('robot');
    if (!slot.ok) {
      throw new SendError(
        'rate-limited',
        `The WeCom robot of the group "${groupId}" reached ${config.limits.perRobotPerMinute} messages a minute.`,
        { retryAfterMs: slot.retryAfterMs },
      );
    }
    const url = new URL(`${baseUrl}/cgi-bin/webhook/send`);
    url.searchParams.set('key', key);
    const answer = await requestWeCom(
      'webhook/send',
      url,
      { method: 'POST', body },
      {
        timeoutMs: config.timeoutMs,
        fetch: deps.fetch,
        rateLimitedRetryMs: config.limits.rateLimitedRetryMs,
      },
    );
    if (answer.errcode) {
      throw errcodeToSendError(
        `webhook/send (group "${groupId}")`,
        answer.errcode,
        answer.errmsg,
        config.limits.rateLimitedRetryMs,
      );
    }
    return { status: 'sent' };
  }

  return {
    send,
    test: (to: Recipient) => send(testMessage('wechat_group', to, 'sopflow test message')),
  };
}

export const weComGroupRobotConnector = defineConnector({
  name: 'wecom-group-robot',
  description: {
    en: 'Messages into WeCom groups through their group robots (webhooks).',
    zh: '通过群机器人（Webhook）向企业微信群发送消息。',
  },
  channels: ['wechat_group'],
  address: weComGroupAddress,
  capabilities: ['markdown', 'articles', 'mentions'],
  configSchema: GroupRobotConfig,
  // Every value of the map is a webhook key.
  secretFields: ['robots'],
  create: (config, context) => createGroupRobotSender(config, { fetch: context.fetch, log: context.log }),
  // Counted per group, apart from customers.
  limits: [WECOM_MASS_SEND_LIMIT],
});
