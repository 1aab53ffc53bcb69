import { describeDuration } from '@sopflow/core';
import { BellRing } from 'lucide-react';
import { defineNodeModule } from './module';

export const waitForEvent = defineNodeModule('wait_for_event', {
  icon: BellRing,
  color: '#c2410c',
  summary: (node, { locale }) => `${node.event} · ≤ ${describeDuration(node.timeout, locale)}`,
  events: (node) => [node.event],
  variables: () => ['lastEvent.payload.text'],
});
