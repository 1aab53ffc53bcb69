import { Zap } from 'lucide-react';
import { WebhookPanel } from '../components/Webhook/WebhookPanel';
import { defineNodeModule } from './module';

export const trigger = defineNodeModule('trigger', {
  icon: Zap,
  color: '#7c5cd6',
  summary(node, { t }) {
    const kind = t.triggerKinds[node.trigger.kind] ?? node.trigger.kind;
    if (node.trigger.kind === 'webhook' || node.trigger.kind === 'event')
      return `${kind} · ${node.trigger.event}`;
    if (node.trigger.kind === 'schedule') return `${kind} · ${node.trigger.cron}`;
    return kind;
  },
  panel(node, { flowId }) {
    return node.trigger.kind === 'webhook' ? (
      <WebhookPanel flowId={flowId} payload={node.trigger.payload ?? []} />
    ) : undefined;
  },
});
