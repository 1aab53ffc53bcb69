import { AlarmClock } from 'lucide-react';
import { defineNodeModule } from './module';

export const waitUntil = defineNodeModule('wait_until', {
  icon: AlarmClock,
  color: '#c77c0a',
  summary(node, { t }) {
    const days = node.weekdays?.map((d) => t.weekdayNames[d - 1]).join(' ');
    return [node.date, node.time, days].filter(Boolean).join(' · ');
  },
});
