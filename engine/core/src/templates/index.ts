import type { FlowDocumentInput } from '../flow/schema';
import { icebreakerFlow } from './icebreaker';
import { nurtureFlow } from './nurture';
import { promoFlow } from './promo';
import { reactivationFlow } from './reactivation';
import type { TemplateLocale } from './shared';
import { wecomNewCustomerFlow } from './wecom-new-customer';
import { welcomeFlow } from './welcome';

/**
 * The SOPs operators run every day, as ready flow documents in Chinese and English: the five of
 * the community lifecycle and WeCom's new-customer SOP (企微新客). Both locales of a template have
 * the same steps, exits and settings; only the words differ.
 */

export { TEMPLATE_LOCALES, type TemplateLocale } from './shared';

export type TemplateId =
  | 'welcome'
  | 'icebreaker'
  | 'nurture'
  | 'promo'
  | 'reactivation'
  | 'wecom-new-customer';

export interface FlowTemplate {
  id: TemplateId;
  name: Record<TemplateLocale, string>;
  description: Record<TemplateLocale, string>;
  /** A fresh document each call, with the template id as its flow id. */
  build: (locale: TemplateLocale) => FlowDocumentInput;
}

function template(id: TemplateId, build: (locale: TemplateLocale) => FlowDocumentInput): FlowTemplate {
  const zh = build('zh');
  const en = build('en');
  return {
    id,
    name: { zh: zh.name, en: en.name },
    description: { zh: zh.description ?? '', en: en.description ?? '' },
    build,
  };
}

/**
 * In lifecycle order: attract → activate → nurture → convert → win back; then WeCom's new-customer
 * SOP, which runs attract to nurture for one channel.
 */
export const TEMPLATES: readonly FlowTemplate[] = [
  template('welcome', welcomeFlow),
  template('icebreaker', icebreakerFlow),
  template('nurture', nurtureFlow),
  template('promo', promoFlow),
  template('reactivation', reactivationFlow),
  template('wecom-new-customer', wecomNewCustomerFlow),
];

/** The template with this id, or undefined (for ids that come from a request). */
export function findTemplate(id: string): FlowTemplate | undefined {
  return TEMPLATES.find((t) => t.id === id);
}

/** A new flow document from a template, in a locale, saved under `flowId` (the template id by default). */
export function templateFlow(id: TemplateId, locale: TemplateLocale, flowId?: string): FlowDocumentInput {
  const found = findTemplate(id);
  if (!found) throw new Error(`No template "${id}"; templates are ${TEMPLATES.map((t) => t.id).join(', ')}.`);
  const document = found.build(locale);
  return flowId === undefined ? document : { ...document, id: flowId };
}

export { icebreakerFlow, nurtureFlow, promoFlow, reactivationFlow, wecomNewCustomerFlow, welcomeFlow };
