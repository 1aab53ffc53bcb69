import {
  type ConnectorInstance,
  defineConnector,
  type OutboundMessage,
  type Recipient,
  SendError,
  type SendResult,
} from '../connector';
import { testMessage } from '../shared/test-message';
import { weComUserIdAddress } from './addresses';
import { AppMessageConfig } from './config';
import { sharedLimiter, sleep } from './limiter';
import { newsArticles } from './news';
import { WeComClient } from './wecom-client';

/** What the WeCom connectors take besides their config; tests inject a clock. */
export interface WeComDeps {
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The request body of `message/send`, built the same way for the same message so that a retry is
 * byte-for-byte the same JSON (which is what WeCom's duplicate check compares).
 */
export function appMessageBody(message: OutboundMessage, config: AppMessageConfig): Record<string, unknown> {
  const touser = message.to.wecomUserId;
  if (!touser) {
    throw new SendError('permanent', `The recipient ${message.to.id} has no WeCom user id (wecomUserId).`);
  }
  const head = { touser, agentid: config.agentId };
  // WeCom's duplicate check: within the interval, a request with the very same JSON is accepted but
  // not delivered again. The runtime's idempotency key is what sopflow guarantees: the delivery is
  // recorded under it before the one send, and a finished key is never sent again. But when a send
  // times out after WeCom took it, the runtime cannot know and retries with the same key; the
  // provider's check is what keeps the member from seeing it twice (within the interval). The cost:
  // two different deliveries with identical content to the same member inside the interval arrive
  // once, which for staff notifications is nearly always what is wanted.
  const tail = { enable_duplicate_check: 1, duplicate_check_interval: config.duplicateCheckIntervalSec };
  if (message.articles?.length) {
    return { ...head, msgtype: 'news', news: { articles: newsArticles(message.articles, 'news') }, ...tail };
  }
  if (message.format === 'markdown') {
    return { ...head, msgtype: 'markdown', markdown: { content: message.text }, ...tail };
  }
  return { ...head, msgtype: 'text', text: { content: message.text }, ...tail };
}

const idsOf = (list: unknown) =>
  typeof list === 'string' ? list.split('|').filter(Boolean) : Array.isArray(list) ? list.map(String) : [];

/** Application messages (应用消息) from one self-built app to members, paced per member. */
export function createAppMessageSender(config: AppMessageConfig, deps: WeComDeps = {}): ConnectorInstance {
  const now = deps.now ?? Date.now;
  const wait = deps.sleep ?? sleep;
  const client = new WeComClient({
    corpId: config.corpId,
    secret: config.secret,
    baseUrl: config.baseUrl,
    timeoutMs: config.timeoutMs,
    rateLimitedRetryMs: config.limits.rateLimitedRetryMs,
    fetch: deps.fetch,
    now: deps.now,
  });
  // Above 30/min or 1000/hour from the same app a member's messages are dropped without an error,
  // so the limit is kept here: wait briefly for a slot, or hand the send back to be retried later.
  const limiter = sharedLimiter(
    `wecom-app\n${client.baseUrl}\n${config.corpId}\n${config.agentId}`,
    [
      { limit: config.limits.perMemberPerMinute, windowMs: MINUTE },
      { limit: config.limits.perMemberPerHour, windowMs: HOUR },
    ],
    deps.now,
  );

  async function pace(userId: string): Promise<void> {
    const deadline = now() + config.limits.maxPacingDelayMs;
    for (;;) {
      const slot = limiter.tryTake(userId);
      if (slot.ok) return;
      if (now() + slot.retryAfterMs > deadline) {
        throw new SendError(
          'rate-limited',
          `The WeCom member ${userId} reached this app's message limit (${config.limits.perMemberPerMinute}/min, ` +
            `${config.limits.perMemberPerHour}/hour); WeCom would drop more without an error.`,
          { retryAfterMs: slot.retryAfterMs },
        );
      }
      await wait(slot.retryAfterMs);
    }
  }

  async function send(message: OutboundMessage): Promise<SendResult> {
    const body = appMessageBody(message, config);
    const userId = body.touser as string;
    await pace(userId);
    const answer = await client.post<{ invaliduser?: unknown; unlicenseduser?: unknown; msgid?: string }>(
      '/cgi-bin/message/send',
      body,
    );
    // Some invalid recipients do not fail the call: they are listed, and the rest are sent to.
    if (idsOf(answer.invaliduser).includes(userId)) {
      throw new SendError(
        'permanent',
        `WeCom did not deliver to ${userId}: not a member, or outside the app's visible range (invaliduser).`,
        { providerCode: 'invaliduser' },
      );
    }
    if (idsOf(answer.unlicenseduser).includes(userId)) {
      throw new SendError('permanent', `WeCom did not deliver to ${userId}: the member has no license.`, {
        providerCode: 'unlicenseduser',
      });
    }
    return { status: 'sent', providerMessageId: answer.msgid };
  }

  return {
    send,
    test: (to: Recipient) =>
      send(testMessage('wechat', to, `sopflow test message (${new Date(now()).toISOString()})`)),
  };
}

export const weComAppConnector = defineConnector({
  name: 'wecom-app',
  description: {
    en: 'WeCom application messages from a self-built app to members.',
    zh: '企业微信自建应用向成员发送应用消息。',
  },
  channels: ['wechat'],
  address: weComUserIdAddress,
  capabilities: ['markdown', 'articles'],
  configSchema: AppMessageConfig,
  secretFields: ['secret'],
  create: (config, context) =>
    Object.assign(createAppMessageSender(config, { fetch: context.fetch, log: context.log }), {
      // WeCom drops an identical message within this interval (enable_duplicate_check).
      dedupWindowMs: config.duplicateCheckIntervalSec * 1000,
    }),
});
