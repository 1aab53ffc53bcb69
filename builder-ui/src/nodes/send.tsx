import { Send } from 'lucide-react';
import { defineNodeModule } from './module';

export const send = defineNodeModule('send', {
  icon: Send,
  color: '#2f6fde',
  summary: (node, { t }) =>
    `${node.welcome ? `${t.welcomeSend} · ` : ''}${t.channels[node.channel] ?? node.channel}${node.fallback ? ` → ${t.channels[node.fallback.channel] ?? node.fallback.channel}` : ''}`,
  message: (node) => node.message.text,
});
