import { Globe } from 'lucide-react';
import { defineNodeModule } from './module';

export const httpRequest = defineNodeModule('http_request', {
  icon: Globe,
  color: '#475569',
  summary(node) {
    let host = node.url;
    try {
      host = new URL(node.url).host;
    } catch {
      // A template URL may not parse before rendering; show it as written.
    }
    return `${node.method} ${host}`;
  },
  variables: (node) => [`http.${node.id}.body`],
  conditionFields: (node) => [`http.${node.id}.status`],
});
