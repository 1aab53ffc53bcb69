import type { PayloadField } from '@sopflow/core';
import { useLocale } from '../../hooks/useLocale';
import { WebhookDetails } from './Webhook';

/** The webhook trigger's inspector: where to post, how to sign, and a test delivery. */
export function WebhookPanel({ flowId, payload }: { flowId: string; payload: readonly PayloadField[] }) {
  const { t } = useLocale();
  return (
    <section className="inspector__section">
      <h3>{t.webhook}</h3>
      <p className="field__hint">{t.webhookHint}</p>
      <WebhookDetails flowId={flowId} testId="trigger-webhook" payload={payload} />
    </section>
  );
}
