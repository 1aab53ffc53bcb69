import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  type Connector,
  type ConnectorContext,
  type ConnectorInstance,
  configField,
  type OutboundMessage,
  type SendResult,
  type Words,
} from '../connector';
import type { InboundHandler } from '../inbound';
import { quotaTimeZoneField, timeoutField } from '../shared/config-fields';
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
  timeoutMs: timeoutField(10_000, [
    'How long one send may take. A timed-out send is retried and may then arrive twice; the provider advises at least 1 s.',
    '一次发送最多等待的毫秒数。超时的发送会重试，短信可能收到两次；服务商建议不少于 1 秒。',
  ]),
  sendWindow: sendWindowSchema
    .optional()
    .meta(
      configField(
        ['Send window', '发送时段'],
        [
          'Marketing SMS go out only inside this window. Leave it unset on a channel that sends notifications (Tencent itself allows marketing SMS only 08:00–22:00).',
          '营销短信只在此时段内发送。发送通知类短信的渠道请留空（腾讯云本身只允许 08:00–22:00 发送营销短信）。',
        ],
      ),
    ),
  fallbackTemplate: z
    .object({
      id: z
        .string()
        .min(1)
        .meta(
          configField(
            ['Template ID', '模板ID'],
            [
              'The approved template’s ID (Aliyun: template code).',
              '已审核通过的模板ID（阿里云：模板CODE）。',
            ],
          ),
        ),
      param: z
        .string()
        .min(1)
        .meta(
          configField(
            ['Template variable', '模板变量'],
            [
              'The variable the message text goes into, e.g. content.',
              '消息正文填入的变量名，例如 content。',
            ],
          ),
        ),
    })
    .strict()
    .optional()
    .meta(
      configField(
        ['Fallback template', '兜底模板'],
        [
          'Used when a message has no provider template: its text goes into this template’s one variable.',
          '消息未指定短信模板时使用：消息正文填入此模板的唯一变量。',
        ],
      ),
    ),
  testTemplate: z
    .object({
      id: z
        .string()
        .min(1)
        .meta(
          configField(['Template ID', '模板ID'], ['The approved template’s ID.', '已审核通过的模板ID。']),
        ),
      params: z
        .record(z.string(), z.string())
        .default({})
        .meta(
          configField(
            ['Template variables', '模板变量'],
            ['The value of each variable of the template.', '模板中每个变量的取值。'],
          ),
        ),
    })
    .strict()
    .optional()
    .meta(
      configField(
        ['Test template', '测试模板'],
        ['What the test-send button sends.', '“测试发送”按钮发送的模板。'],
      ),
    ),
  flowControlRetryMs: z
    .number()
    .int()
    .positive()
    .default(10 * 60_000)
    .meta(
      configField(
        ['Retry after flow control (ms)', '流控后重试间隔（毫秒）'],
        [
          'How long to wait after the provider’s per-number flow control, or a frequency limit whose window is not known.',
          '触发服务商的单号码流控，或窗口未知的频率限制后，等待多久再重试。',
        ],
      ),
    ),
  quotaTimeZone: quotaTimeZoneField([
    'The IANA time zone the provider’s daily quotas reset in (Tencent also counts its marketing hours in it).',
    '服务商每日配额重置所用的 IANA 时区（腾讯云的营销短信时段也按此时区计算）。',
  ]),
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
  description: Words;
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
