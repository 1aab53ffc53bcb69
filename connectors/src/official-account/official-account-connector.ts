import { z } from 'zod';
import {
  configField,
  defineConnector,
  type OutboundMessage,
  type Recipient,
  type SendResult,
} from '../connector';
import { quotaTimeZoneField, timeoutField } from '../shared/config-fields';
import { msUntilLocalTime } from '../shared/local-time';
import { OptedOutError, ProviderSendError } from '../shared/provider-errors';
import { correlationId, failSend, jsonAnswer, parseJson, providerRequests } from '../shared/provider-http';
import { officialAccountCallbackHandler } from './inbound';
import { openIdAddress } from './open-id-address';
import {
  lastInteraction,
  OFFICIAL_ACCOUNT_SERVICE_WINDOW,
  OUTSIDE_WINDOW,
  outsideWindowError,
  SERVICE_WINDOW_MS,
} from './service-window';

/**
 * WeChat Official Account (公众号), to a follower's OpenID.
 *
 * - `message.template` set: a template message (`/cgi-bin/message/template/send`), `data` as
 *   `{key: {value}}`, `client_msg_id` derived from the idempotency key (the platform sends one
 *   message per openid + client_msg_id within 10 minutes, so a retry after a timeout does not
 *   double-send within that time).
 * - otherwise a customer-service message (`/cgi-bin/message/custom/send`): `news` with the first
 *   article when the message has articles (the platform allows one since 2018), else `text`. Only
 *   allowed within 48 hours of the user's last interaction (45015 otherwise): when the callback
 *   (`inbound.ts`) saw that interaction longer ago, the send fails at once with the permanent
 *   reason `outside_48h_window` (a step that must reach the follower then needs a template); when
 *   it saw none (callbacks not configured, a follower from before), WeChat decides.
 *
 * Access token: cached per connector instance, refetched shortly before expiry and once on
 * 40001/40014/42001. `tokenMode: 'stable'` (default) uses `/cgi-bin/stable_token`, whose normal mode
 * returns the same token to every caller, so several workers share it; `'classic'` uses
 * `/cgi-bin/token`, where every fetch invalidates the previous token (only for a single worker or an
 * account whose token another system already manages that way).
 *
 * Docs: developers.weixin.qq.com/doc/service/api/base/api_getstableaccesstoken,
 * .../api/customer/message/api_sendcustommessage, .../api/notify/template/api_sendtemplatemessage.
 */

/** Fields of the config that are credentials: encrypt them at rest, never log them. */
export const officialAccountSecretFields = ['appSecret'] as const;

export const officialAccountConfigSchema = z
  .object({
    appId: z
      .string()
      .min(1)
      .meta(
        configField(
          ['AppID', '开发者ID (AppID)'],
          [
            'The account’s AppID, under Settings and Development > Basic Configuration.',
            '公众号的开发者ID (AppID)，在“设置与开发 > 基本配置”中查看。',
          ],
        ),
      ),
    appSecret: z
      .string()
      .min(1)
      .meta(
        configField(
          ['AppSecret', '开发者密码 (AppSecret)'],
          [
            'The account’s AppSecret, from the same page (reset it there if it is lost).',
            '公众号的开发者密码 (AppSecret)，在同一页面获取（遗失可在该页重置）。',
          ],
        ),
      ),
    baseUrl: z
      .url()
      .default('https://api.weixin.qq.com')
      .meta(
        configField(
          ['API base URL', 'API 地址'],
          [
            'The WeChat API base URL; change it only for a proxy or tests.',
            '微信 API 地址；仅在使用代理或测试时修改。',
          ],
        ),
      ),
    tokenMode: z
      .enum(['stable', 'classic'])
      .default('stable')
      .meta(
        configField(
          ['Access token mode', 'access_token 获取方式'],
          [
            'stable: the stable access_token, shared by every worker; classic: each fetch invalidates the last (only when one system alone fetches tokens).',
            'stable：稳定版 access_token，多个进程可共用；classic：每次获取都会使上一个失效（仅当只有一个系统获取 token 时使用）。',
          ],
        ),
      ),
    timeoutMs: timeoutField(10_000, [
      'How long one call to WeChat may take.',
      '一次调用微信接口最多等待的毫秒数。',
    ]),
    templateLinkParam: z
      .string()
      .min(1)
      .default('_url')
      .meta(
        configField(
          ['Link parameter', '跳转链接参数'],
          [
            'A template parameter with this name is the template message’s link (url), not a data field.',
            '以此命名的模板参数作为模板消息的跳转链接 (url)，而不是模板数据字段。',
          ],
        ),
      ),
    kfAccount: z
      .string()
      .min(1)
      .optional()
      .meta(
        configField(
          ['Customer service account', '客服账号'],
          [
            'Send customer-service messages as this account (kf_account), e.g. kf2001@gh_xxx.',
            '以此客服账号 (kf_account) 发送客服消息，例如 kf2001@gh_xxx。',
          ],
        ),
      ),
    quotaTimeZone: quotaTimeZoneField([
      'The IANA time zone WeChat’s daily API quotas reset in.',
      '微信每日接口调用配额重置所用的 IANA 时区。',
    ]),
  })
  .strict();
export type OfficialAccountConfig = z.infer<typeof officialAccountConfigSchema>;

interface WechatAnswer {
  errcode?: number;
  errmsg?: string;
  msgid?: number | string;
  access_token?: string;
  expires_in?: number;
}

/** The token was rejected: refetch it and try once more. */
const TOKEN_ERRORS = new Set([40001, 40014, 42001]);

/**
 * Maps a non-zero errcode of a send to a `SendError`.
 * - retryable: -1 (busy), and a token error that persists after one refresh.
 * - rate-limited: 45009 (daily API quota: until local midnight), 45011 (minute quota: 60 s).
 * - permanent + optedOut: 43004 (the user does not follow the account).
 * - permanent: 45015 (outside the 48-hour window: reason `outside_48h_window`), 45047 (customer-service count limit), 43101
 *   (subscription refused), 40003 (invalid openid), 40037 (invalid template_id), 47003 (invalid
 *   argument), 45008 (too many articles), 48001 (API not authorised), and unknown codes.
 */
export function classifyOfficialAccountError(
  errcode: number,
  errmsg: string | undefined,
  config: Pick<OfficialAccountConfig, 'quotaTimeZone'>,
  now: Date = new Date(),
): ProviderSendError {
  const text = `WeChat Official Account: ${errcode}${errmsg ? ` (${errmsg})` : ''}.`;
  const details = { providerCode: errcode };
  switch (errcode) {
    case -1:
      return new ProviderSendError('retryable', text, details);
    case 45009:
      return new ProviderSendError('rate-limited', text, {
        ...details,
        retryAfterMs: msUntilLocalTime(now, config.quotaTimeZone, '00:00') + 60_000,
      });
    case 45011:
      return new ProviderSendError('rate-limited', text, { ...details, retryAfterMs: 60_000 });
    case 43004:
      return new OptedOutError(text, details);
    case 45015:
      return outsideWindowError(errcode, undefined);
    default:
      if (TOKEN_ERRORS.has(errcode)) return new ProviderSendError('retryable', text, details);
      return new ProviderSendError('permanent', text, details);
  }
}

/** Errors of the token endpoint: busy or quota is temporary, anything else is the configuration. */
function tokenError(answer: WechatAnswer, status: number, config: OfficialAccountConfig): ProviderSendError {
  const code = answer.errcode ?? status;
  if (code === -1 || status >= 500 || code === 45009 || code === 45011)
    return classifyOfficialAccountError(code === status ? -1 : code, answer.errmsg, config);
  return new ProviderSendError(
    'permanent',
    `WeChat Official Account: cannot get an access token: ${code}${answer.errmsg ? ` (${answer.errmsg})` : ''}. Check appId, appSecret and the IP whitelist.`,
    { providerCode: code },
  );
}

/** The body of a template message. */
export function templateMessageBody(
  openId: string,
  template: { id: string; params: Record<string, string> },
  idempotencyKey: string,
  linkParam: string,
): Record<string, unknown> {
  const data: Record<string, { value: string }> = {};
  for (const [key, value] of Object.entries(template.params)) if (key !== linkParam) data[key] = { value };
  const url = template.params[linkParam];
  return {
    touser: openId,
    template_id: template.id,
    ...(url ? { url } : {}),
    client_msg_id: correlationId(idempotencyKey),
    data,
  };
}

/** The body of a customer-service message: one news article, or text. */
export function customMessageBody(
  openId: string,
  message: Pick<OutboundMessage, 'text' | 'articles'>,
  kfAccount?: string,
): Record<string, unknown> {
  const article = message.articles?.[0];
  const body: Record<string, unknown> = article
    ? {
        touser: openId,
        msgtype: 'news',
        news: {
          articles: [
            {
              title: article.title,
              description: article.description ?? '',
              url: article.url,
              picurl: article.picUrl ?? '',
            },
          ],
        },
      }
    : { touser: openId, msgtype: 'text', text: { content: message.text } };
  if (kfAccount) body.customservice = { kf_account: kfAccount };
  return body;
}

export const officialAccountConnector = defineConnector({
  name: 'wechat-oa',
  description: {
    en: 'WeChat Official Account: template messages, or customer-service text/news within 48 h.',
    zh: '微信公众号：模板消息，或 48 小时内的客服文本/图文消息。',
  },
  channels: ['wechat_oa'],
  address: openIdAddress,
  capabilities: ['template', 'articles'],
  configSchema: officialAccountConfigSchema,
  secretFields: officialAccountSecretFields,
  inbound: [officialAccountCallbackHandler],
  freeFormWindows: [OFFICIAL_ACCOUNT_SERVICE_WINDOW],
  create: (config, context) => {
    const requests = providerRequests(context.fetch, config.timeoutMs, 'WeChat Official Account');
    const endpoint = (path: string) => new URL(path, config.baseUrl);
    let cached: { token: string; expiresAt: number } | undefined;
    let inflight: Promise<string> | undefined;

    async function fetchToken(): Promise<string> {
      const answer =
        config.tokenMode === 'stable'
          ? await requests.post(
              endpoint('/cgi-bin/stable_token').toString(),
              { 'content-type': 'application/json' },
              JSON.stringify({
                grant_type: 'client_credential',
                appid: config.appId,
                secret: config.appSecret,
                force_refresh: false,
              }),
            )
          : await (() => {
              const url = endpoint('/cgi-bin/token');
              url.search = new URLSearchParams({
                grant_type: 'client_credential',
                appid: config.appId,
                secret: config.appSecret,
              }).toString();
              return requests.get(url.toString());
            })();
      const parsed = answer.status >= 500 ? {} : parseJson<WechatAnswer>(answer, 'WeChat Official Account');
      if (!parsed.access_token) throw tokenError(parsed, answer.status, config);
      // Refresh a minute early (stable tokens are valid for at least 5 more minutes when handed out).
      const lifetime = Math.max(30, (parsed.expires_in ?? 7200) - 60);
      cached = { token: parsed.access_token, expiresAt: Date.now() + lifetime * 1000 };
      return parsed.access_token;
    }

    function accessToken(): Promise<string> {
      if (cached && Date.now() < cached.expiresAt) return Promise.resolve(cached.token);
      inflight ??= fetchToken().finally(() => {
        inflight = undefined;
      });
      return inflight;
    }

    async function post(path: string, body: Record<string, unknown>): Promise<WechatAnswer> {
      for (let attempt = 0; ; attempt++) {
        const token = await accessToken();
        const url = endpoint(path);
        url.search = new URLSearchParams({ access_token: token }).toString();
        const answer = await requests.post(
          url.toString(),
          { 'content-type': 'application/json' },
          JSON.stringify(body),
        );
        const parsed = jsonAnswer<WechatAnswer>(answer, 'WeChat Official Account');
        if (attempt === 0 && parsed.errcode !== undefined && TOKEN_ERRORS.has(parsed.errcode)) {
          if (cached?.token === token) cached = undefined;
          continue;
        }
        return parsed;
      }
    }

    async function deliver(path: string, body: Record<string, unknown>): Promise<SendResult> {
      const answer = await post(path, body);
      if (!answer.errcode) {
        return {
          status: 'sent',
          ...(answer.msgid !== undefined ? { providerMessageId: String(answer.msgid) } : {}),
        };
      }
      return failSend(
        context.log,
        'wechat-oa',
        classifyOfficialAccountError(answer.errcode, answer.errmsg, config),
        { path },
      );
    }

    function openIdOf(to: Recipient): string {
      if (!to.openId)
        throw new ProviderSendError('permanent', 'WeChat Official Account: the contact has no OpenID.', {
          providerCode: 'no-openid',
        });
      return to.openId;
    }

    return {
      async send(message: OutboundMessage) {
        const openId = openIdOf(message.to);
        if (message.template) {
          return deliver(
            '/cgi-bin/message/template/send',
            templateMessageBody(openId, message.template, message.idempotencyKey, config.templateLinkParam),
          );
        }
        const lastAt = await lastInteraction(context.storage.records, openId);
        if (lastAt !== undefined && Date.now() - lastAt > SERVICE_WINDOW_MS)
          return failSend(context.log, 'wechat-oa', outsideWindowError(OUTSIDE_WINDOW, lastAt), {
            path: '/cgi-bin/message/custom/send',
          });
        if ((message.articles?.length ?? 0) > 1)
          context.log?.('wechat-oa sends only the first article of a customer-service news message', {
            articles: message.articles?.length,
          });
        return deliver('/cgi-bin/message/custom/send', customMessageBody(openId, message, config.kfAccount));
      },
      async test(to) {
        return deliver(
          '/cgi-bin/message/custom/send',
          customMessageBody(
            openIdOf(to),
            { text: 'sopflow: test message from the Official Account connector.' },
            config.kfAccount,
          ),
        );
      },
    };
  },
});
