import { randomUUID } from 'node:crypto';
import type { ConnectorInstance, OutboundMessage, SendResult } from '../connector';
import { ProviderSendError } from '../shared/provider-errors';
import { normalizePhone } from '../shared/provider-http';
import { enforceSendWindow, type SendWindow } from './compliance';

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

/**
 * A template-only provider's send and test-send (Aliyun, Tencent) around its one API call: the
 * phone number, the marketing send window and the template come first, the same for both.
 */
export function templateSms(
  provider: string,
  config: {
    sendWindow?: SendWindow;
    fallbackTemplate?: { id: string; param: string };
    testTemplate?: ProviderTemplate;
  },
  sendTemplate: (phone: string, template: ProviderTemplate, idempotencyKey: string) => Promise<SendResult>,
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
