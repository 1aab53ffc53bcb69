import { z } from 'zod';
import { configField, defineConnector, type OutboundMessage, type SendResult } from '../connector';
import { timeoutField } from '../shared/config-fields';
import { OptedOutError, ProviderSendError } from '../shared/provider-errors';
import { failSend, normalizePhone, parseJson, providerRequests, retryAfterMs } from '../shared/provider-http';
import {
  appendOptOutLine,
  enforceSendWindow,
  optOutLine,
  optOutLineSchema,
  sendWindowSchema,
} from './compliance';
import { twilioInboundHandler, twilioStatusHandler } from './inbound';
import { phoneAddress } from './phone-address';

/**
 * Twilio Programmable Messaging: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`,
 * form-encoded, HTTP Basic auth (AccountSid:AuthToken, or ApiKeySid:ApiKeySecret).
 *
 * Docs: twilio.com/docs/messaging/api/message-resource, /docs/api/errors (21211, 21610, 20429),
 * /docs/usage/webhooks/webhooks-security (X-Twilio-Signature).
 *
 * Free text, so this connector appends the marketing opt-out line ("Reply STOP to opt out") unless
 * it is switched off. Twilio has no idempotency key for Messages: a 5xx or a timeout is retried and
 * may then deliver twice; a 429 was never processed and is always safe to retry.
 */

/** Fields of the config that are credentials: encrypt them at rest, never log them. */
export const twilioSmsSecretFields = ['authToken', 'apiKeySecret'] as const;

/** A Twilio id: two letters and 32 hex digits (AC… an account, SK… an API key, MG… a Messaging Service). */
const twilioSid = (prefix: string, what: string, whatZh: string) =>
  z
    .string()
    .regex(
      new RegExp(`^${prefix}[0-9a-fA-F]{32}$`),
      `${what} looks like ${prefix} followed by 32 hex digits. / ${whatZh}的格式是 ${prefix} 后跟 32 位十六进制数字。`,
    );

export const twilioSmsConfigSchema = z
  .object({
    accountSid: twilioSid('AC', 'An Account SID', 'Account SID').meta(
      configField(
        ['Account SID', 'Account SID'],
        ['From the Twilio Console’s Account Info.', '在 Twilio Console 的 Account Info 中查看。'],
      ),
    ),
    authToken: z
      .string()
      .min(1)
      .optional()
      .meta(
        configField(
          ['Auth Token', 'Auth Token'],
          [
            'The account’s Auth Token, beside the Account SID; it also signs Twilio’s webhooks to us. Or use an API key below.',
            '账户的 Auth Token（在 Account SID 旁），Twilio 回调也用它签名。也可改用下方的 API 密钥。',
          ],
        ),
      ),
    apiKeySid: twilioSid('SK', 'An API key SID', 'API Key SID')
      .optional()
      .meta(
        configField(
          ['API Key SID', 'API Key SID'],
          [
            'An API key for the REST calls instead of the Auth Token.',
            '调用 REST API 时代替 Auth Token 的 API 密钥。',
          ],
        ),
      ),
    apiKeySecret: z
      .string()
      .min(1)
      .optional()
      .meta(
        configField(
          ['API Key Secret', 'API Key Secret'],
          [
            'The API key’s secret, shown once when the key is made.',
            'API 密钥的 Secret，仅在创建密钥时显示一次。',
          ],
        ),
      ),
    from: z
      .string()
      .min(1)
      .optional()
      .meta(
        configField(
          ['From number', '发送号码'],
          [
            'The sending number (E.164, e.g. +15017122661) or alphanumeric sender ID; or set a Messaging Service SID.',
            '发送号码（E.164 格式，例如 +15017122661）或字母数字发送方 ID；也可填写 Messaging Service SID。',
          ],
        ),
      ),
    messagingServiceSid: twilioSid('MG', 'A Messaging Service SID', 'Messaging Service SID')
      .optional()
      .meta(
        configField(
          ['Messaging Service SID', 'Messaging Service SID'],
          [
            'Send through a Messaging Service instead of one number.',
            '通过 Messaging Service 发送，而不是单个号码。',
          ],
        ),
      ),
    statusCallbackUrl: z
      .url()
      .optional()
      .meta(
        configField(
          ['Status callback URL', '状态回调 URL'],
          ['Where Twilio posts delivery status changes.', 'Twilio 推送投递状态变化的地址。'],
        ),
      ),
    validityPeriodSeconds: z
      .number()
      .int()
      .min(1)
      .max(14_400)
      .optional()
      .meta(
        configField(
          ['Validity period (s)', '有效期（秒）'],
          [
            'Seconds Twilio may keep trying to deliver (at most 14400 = 4 h).',
            'Twilio 尝试投递的最长秒数（最多 14400，即 4 小时）。',
          ],
        ),
      ),
    baseUrl: z
      .url()
      .default('https://api.twilio.com')
      .meta(
        configField(
          ['API base URL', 'API 地址'],
          ['Change it only for a proxy or tests.', '仅在使用代理或测试时修改。'],
        ),
      ),
    timeoutMs: timeoutField(15_000, ['How long one send may take.', '一次发送最多等待的毫秒数。']),
    optOutLine: optOutLineSchema
      .default({ enabled: true, locale: 'en' })
      .meta(
        configField(
          ['Opt-out line', '退订提示'],
          [
            'The line appended to marketing SMS, e.g. “Reply STOP to opt out”.',
            '追加在营销短信末尾的退订提示，例如“拒收请回复R”。',
          ],
        ),
      ),
    sendWindow: sendWindowSchema
      .optional()
      .meta(
        configField(
          ['Send window', '发送时段'],
          ['Marketing SMS go out only inside this window.', '营销短信只在此时段内发送。'],
        ),
      ),
  })
  .strict()
  .refine((c) => c.from || c.messagingServiceSid, {
    message: 'Set from or messagingServiceSid. / 请填写发送号码 (from) 或 Messaging Service SID。',
  })
  .refine((c) => c.authToken || (c.apiKeySid && c.apiKeySecret), {
    message:
      'Set authToken, or apiKeySid with apiKeySecret. / 请填写 Auth Token，或同时填写 API Key SID 和 API Key Secret。',
  });
export type TwilioSmsConfig = z.infer<typeof twilioSmsConfigSchema>;

// ---------------------------------------------------------------------------------------------
// Answers

interface TwilioMessage {
  sid?: string;
  status?: string;
  error_code?: number | null;
}

interface TwilioError {
  code?: number;
  message?: string;
  more_info?: string;
  status?: number;
}

/**
 * - rate-limited: HTTP 429 / 20429, never processed, always safe; waits Retry-After (default 1 s).
 * - retryable: HTTP 5xx.
 * - permanent + optedOut: 21610 (the recipient replied STOP to this sender).
 * - permanent: 21211 (invalid To), other 4xx (auth 20003, unverified 21608, not SMS-capable ...).
 */
export function classifyTwilioError(status: number, body: TwilioError, headers: Headers): ProviderSendError {
  const code = body.code ?? status;
  const text = `Twilio: ${code}${body.message ? ` (${body.message})` : ''}.`;
  const details = { providerCode: code };
  if (status === 429 || code === 20429)
    return new ProviderSendError('rate-limited', text, {
      ...details,
      retryAfterMs: retryAfterMs(headers) ?? 1000,
    });
  if (status >= 500) return new ProviderSendError('retryable', text, details);
  if (code === 21610) return new OptedOutError(text, details);
  return new ProviderSendError('permanent', text, details);
}

// ---------------------------------------------------------------------------------------------

export const twilioSmsConnector = defineConnector({
  name: 'twilio-sms',
  description: {
    en: 'Twilio Programmable Messaging: free-text SMS with the opt-out line appended.',
    zh: 'Twilio 短信（Programmable Messaging）：自由文本短信，末尾追加退订提示。',
  },
  channels: ['sms'],
  address: phoneAddress,
  configSchema: twilioSmsConfigSchema,
  secretFields: twilioSmsSecretFields,
  inbound: [twilioInboundHandler, twilioStatusHandler],
  create: (config, context) => {
    const requests = providerRequests(context.fetch, config.timeoutMs, 'Twilio');
    const url = new URL(
      `/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`,
      config.baseUrl,
    ).toString();
    const user = config.apiKeySid ?? config.accountSid;
    const password = config.apiKeySid ? (config.apiKeySecret ?? '') : (config.authToken ?? '');
    const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

    async function post(to: string, body: string): Promise<SendResult> {
      const form = new URLSearchParams({ To: to, Body: body });
      if (config.messagingServiceSid) form.set('MessagingServiceSid', config.messagingServiceSid);
      else if (config.from) form.set('From', config.from);
      if (config.statusCallbackUrl) form.set('StatusCallback', config.statusCallbackUrl);
      if (config.validityPeriodSeconds) form.set('ValidityPeriod', String(config.validityPeriodSeconds));
      const answer = await requests.post(
        url,
        { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        form.toString(),
      );
      if (answer.status === 200 || answer.status === 201) {
        const message = parseJson<TwilioMessage>(answer, 'Twilio');
        return { status: 'sent', providerMessageId: message.sid };
      }
      let failure: TwilioError = {};
      try {
        failure = JSON.parse(answer.text) as TwilioError;
      } catch {
        // A proxy's HTML error page: classify by status alone.
      }
      return failSend(context.log, 'twilio-sms', classifyTwilioError(answer.status, failure, answer.headers));
    }

    function recipient(phone: string | undefined): string {
      const to = phone ? normalizePhone(phone) : '';
      if (!to) throw new ProviderSendError('permanent', 'Twilio: the contact has no phone number.');
      if (!/^\+[1-9]\d{6,14}$/.test(to))
        throw new ProviderSendError(
          'permanent',
          `Twilio: "${to}" is not an E.164 number (+ and country code).`,
          {
            providerCode: 'not-e164',
          },
        );
      return to;
    }

    return {
      async send(message: OutboundMessage) {
        const to = recipient(message.to.phone);
        enforceSendWindow(config.sendWindow);
        const body = config.optOutLine.enabled
          ? appendOptOutLine(message.text, optOutLine(config.optOutLine))
          : message.text;
        return post(to, body);
      },
      async test(to) {
        return post(recipient(to.phone), 'sopflow: test message from the Twilio connector.');
      },
    };
  },
});
