import { describeDuration } from '@sopflow/core';
import { ClipboardCheck } from 'lucide-react';
import { defineNodeModule } from './module';

export const staffTask = defineNodeModule('staff_task', {
  icon: ClipboardCheck,
  color: '#db2777',
  summary: (node, { locale }) =>
    `${node.assignee.name ?? node.assignee.id} · ${describeDuration(node.deadline, locale)}`,
  message: (node) => node.message.text,
  events: () => ['task.done'],
});
