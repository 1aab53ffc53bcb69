import type { ConnectorRecords, FreeFormWindow } from '../connector';
import { ProviderSendError } from '../shared/provider-errors';

/**
 * WeChat's 48-hour rule: customer-service (free-form) messages reach a follower only within 48 hours
 * of their last interaction with the account (a message, a follow, a scan, a click menu); template
 * messages at any time. The callback notes each interaction in the connector's records, and a send
 * reads it back.
 */

export const SERVICE_WINDOW_MS = 48 * 60 * 60_000;

/** The window, as the compile warnings read it. */
export const OFFICIAL_ACCOUNT_SERVICE_WINDOW: FreeFormWindow = {
  id: 'wechat-oa-48h',
  channels: ['wechat_oa'],
  hours: SERVICE_WINDOW_MS / 3_600_000,
  label: { en: 'Official Account customer-service messages', zh: '公众号客服消息' },
  message: {
    en: 'WeChat then allows only template messages: give the step a template message, or wait less.',
    zh: '此后微信只允许发送模板消息：请为该步骤设置模板消息，或缩短等待。',
  },
};

/** The stable reason a free-form send outside the window fails with. */
export const OUTSIDE_WINDOW = 'outside_48h_window';

const keyOf = (openId: string) => `interaction:${openId}`;

/** When the follower last interacted with the account, as the callbacks told it; undefined when never heard. */
export async function lastInteraction(
  records: ConnectorRecords,
  openId: string,
): Promise<number | undefined> {
  return (await records.get<{ at: number }>(keyOf(openId)))?.value.at;
}

/**
 * Notes an interaction at `at` (ms). A later one wins, whatever order the callbacks (and WeChat's
 * retries of them) come in, and however many callers write at once.
 */
export async function recordInteraction(
  records: ConnectorRecords,
  openId: string,
  at: number,
): Promise<void> {
  for (;;) {
    const current = await records.get<{ at: number }>(keyOf(openId));
    if (current && current.value.at >= at) return;
    if (await records.put(keyOf(openId), { at }, current?.version)) return;
  }
}

/** The failure of a free-form send outside the window: permanent, with the reason in both languages. */
export function outsideWindowError(
  providerCode: string | number,
  lastAt: number | undefined,
): ProviderSendError {
  const since = lastAt === undefined ? '' : ` (last interaction ${new Date(lastAt).toISOString()})`;
  return new ProviderSendError(
    'permanent',
    `WeChat Official Account: ${OUTSIDE_WINDOW}: the follower has not interacted with the account in the last 48 hours${since}, so WeChat allows only template messages; give the step a template message. ` +
      '超出 48 小时客服消息窗口：该粉丝 48 小时内未与公众号互动，微信只允许发送模板消息，请为此步骤设置模板消息。',
    { providerCode },
  );
}
