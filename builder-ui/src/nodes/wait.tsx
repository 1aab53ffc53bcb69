import { describeDuration } from '@sopflow/core';
import { Hourglass } from 'lucide-react';
import { defineNodeModule } from './module';

export const wait = defineNodeModule('wait', {
  icon: Hourglass,
  color: '#d99a1e',
  summary: (node, { locale }) => describeDuration(node.duration, locale),
});
