import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type {
  Connector,
  ConnectorContext,
  ConnectorInstance,
  OutboundMessage,
  SendResult,
} from '../connector';
import type { InboundHandler } from '../inbound';
import { ProviderSendError } from '../shared/provider-errors';
import { normalizePhone } from '../shared/provider-http';
import { enforceSendWindow, type SendWindow, sendWindowSchema } from './compliance';
import { phoneAddress } from './phone-address';

export interface ProviderTemplate {
  id: string;
  params: Record<string, string>;
}

/**
 * The provider template for a message: the flow's own (`message.template`), else the connector's
 * fallback template with the rendered text as its single parameter. Template-only providers cannot
 * send free text, so a message with neither is a permanent configuration error.
 */
export function templateFor(
  message: Pick<OutboundMessage, 'template' | 'text'>,
  fallback: { id: string; param: string } | undefined,
  provider: string,
): ProviderTemplate {
  if (message.template) return message.template;
  if (fallback) return { id: fallback.id, params: { [fallback.param]: message.text } };
  throw new ProviderSendError(
    'permanent',
    `${provider} sends approved templates only: the message has no template and no fallback template is configured.`,
    { providerCode: 'no-template' },
  );
}

/**
 * Positional template parameters (Tencent's `TemplateParamSet` fills {1}, {2}, ... in order).
 * - With a configured order: the params in that order; a missing one is a permanent error.
 * - Keys that are all numbers ("1", "2", ...): ascending numeric order.
 * - Otherwise: the params' own key order (insertion order of the rendered object).
 */
export function orderedTemplateParams(
  params: Record<string, string>,
  order: readonly string[] | undefined,
  provider: string,
): string[] {
  if (order) {
    return order.map((key) => {
      const value = params[key];
      if (value === undefined)
        throw new ProviderSendError('permanent', `${provider}: template parameter "${key}" is missing.`, {
          providerCode: 'missing-param',
        });
      return value;
    });
  }
  const keys = Object.keys(params);
  if (keys.length > 0 && keys.every((key) => /^\d+$/.test(key))) keys.sort((a, b) => Number(a) - Number(b));
  return keys.map((key) => params[key] ?? '');
}

/** The settings every template-only SMS provider (Aliyun, Tencent) takes besides its credentials. */
export const templateSmsConfigFields = {
  /** A timed-out send is retried (and may then arrive twice); Aliyun advises at least 1 s. */
  timeoutMs: z.number().int().min(1000).default(10_000),
  /** Marketing send-time window; leave unset on a connector that sends notifications (Tencent itself enforces 08:00–22:00 for marketing SMS). */
  sendWindow: sendWindowSchema.optional(),
  /** Used when a message has no provider template: its text goes into this template's one parameter. */
  fallbackTemplate: z
    .object({ id: z.string().min(1), param: z.string().min(1) })
    .strict()
    .optional(),
  /** What the builder's test-send button sends. */
  testTemplate: z
    .object({ id: z.string().min(1), params: z.record(z.string(), z.string()).default({}) })
    .strict()
    .optional(),
  /** How long to wait after per-number flow control, or a frequency-policy hit whose window is not known. */
  flowControlRetryMs: z
    .number()
    .int()
    .positive()
    .default(10 * 60_000),
  /** The time zone the provider's daily quotas reset in (and Tencent's marketing hours are counted in). */
  quotaTimeZone: z.string().default('Asia/Shanghai'),
};

/** What `templateSms` reads of a connector's config. */
interface TemplateSmsSettings {
  sendWindow?: SendWindow;
  fallbackTemplate?: { id: string; param: string };
  testTemplate?: ProviderTemplate;
}

/** A template-only provider's one API call: a template to one (normalized) phone number. */
export type SendTemplate = (
  phone: string,
  template: ProviderTemplate,
  idempotencyKey: string,
) => Promise<SendResult>;

/**
 * Declares a template-only SMS connector (Aliyun, Tencent): the `sms` channel to phone numbers, with
 * `templateSms` around the provider's one API call.
 */
export function defineTemplateSmsConnector<Config extends TemplateSmsSettings>(spec: {
  name: string;
  /** The provider's name in error messages. */
  provider: string;
  description: string;
  configSchema: z.ZodType<Config>;
  secretFields: readonly string[];
  inbound: readonly InboundHandler[];
  sendTemplate(config: Config, context: ConnectorContext): SendTemplate;
}): Connector<Config> {
  return {
    name: spec.name,
    description: spec.description,
    channels: ['sms'],
    address: phoneAddress,
    capabilities: ['template'],
    configSchema: spec.configSchema,
    secretFields: spec.secretFields,
    inbound: spec.inbound,
    create: (config, context) => templateSms(spec.provider, config, spec.sendTemplate(config, context)),
  };
}

/**
 * A template-only provider's send and test-send (Aliyun, Tencent) around its one API call: the
 * phone number, the marketing send window and the template come first, the same for both.
 */
export function templateSms(
  provider: string,
  config: TemplateSmsSettings,
  sendTemplate: SendTemplate,
): Required<Pick<ConnectorInstance, 'send' | 'test'>> {
  return {
    async send(message) {
      const phone = message.to.phone ? normalizePhone(message.to.phone) : '';
      if (!phone) throw new ProviderSendError('permanent', `${provider}: the contact has no phone number.`);
      enforceSendWindow(config.sendWindow);
      return sendTemplate(
        phone,
        templateFor(message, config.fallbackTemplate, provider),
        message.idempotencyKey,
      );
    },
    async test(to) {
      if (!config.testTemplate)
        throw new ProviderSendError('permanent', `${provider}: set testTemplate to send a test message.`);
      if (!to.phone)
        throw new ProviderSendError('permanent', `${provider}: the test recipient has no phone number.`);
      return sendTemplate(normalizePhone(to.phone), config.testTemplate, `test:${randomUUID()}`);
    },
  };
}
