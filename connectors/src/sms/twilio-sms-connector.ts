import { z } from 'zod';
import { defineConnector, type OutboundMessage, type SendResult } from '../connector';
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

export const twilioSmsConfigSchema = z
  .object({
    accountSid: z
      .string()
      .regex(/^AC[0-9a-fA-F]{32}$/, 'An Account SID looks like AC followed by 32 hex digits.'),
    /** SECRET: the account's Auth Token (also what signs Twilio's webhooks to us). */
    authToken: z.string().min(1).optional(),
    /** An API key instead of the Auth Token for the REST calls. */
    apiKeySid: z
      .string()
      .regex(/^SK[0-9a-fA-F]{32}$/)
      .optional(),
    /** SECRET: the API key's secret. */
    apiKeySecret: z.string().min(1).optional(),
    /** The sending number (E.164) or alphanumeric sender id; or use a Messaging Service. */
    from: z.string().min(1).optional(),
    messagingServiceSid: z
      .string()
      .regex(/^MG[0-9a-fA-F]{32}$/)
      .optional(),
    /** Where Twilio posts delivery status changes: `<public URL>/api/inbound/twilio/status`. */
    statusCallbackUrl: z.url().optional(),
    /** Seconds Twilio may keep trying to deliver (at most 14400 = 4 h). */
    validityPeriodSeconds: z.number().int().min(1).max(14_400).optional(),
    baseUrl: z.url().default('https://api.twilio.com'),
    timeoutMs: z.number().int().min(1000).default(15_000),
    optOutLine: optOutLineSchema.default({ enabled: true, locale: 'en' }),
    sendWindow: sendWindowSchema.optional(),
  })
  .strict()
  .refine((c) => c.from || c.messagingServiceSid, { message: 'Set from or messagingServiceSid.' })
  .refine((c) => c.authToken || (c.apiKeySid && c.apiKeySecret), {
    message: 'Set authToken, or apiKeySid with apiKeySecret.',
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
  description: 'Twilio Programmable Messaging: free-text SMS with the opt-out line appended.',
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
