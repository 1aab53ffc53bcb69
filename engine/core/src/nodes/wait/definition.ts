import type { z } from 'zod';
import { Duration } from '../../flow/fields';
import { defineNode, durationMs, form, nodeSchema } from '../define';

export const WaitNode = nodeSchema('wait', {
  duration: Duration.meta(form('Wait for', '等待', { widget: 'duration' })),
});
export type WaitNode = z.infer<typeof WaitNode>;

export const wait = defineNode({
  schema: WaitNode,
  words: { label: { en: 'Wait', zh: '等待' }, hint: { en: 'Pause for a while', zh: '等待一段时间' } },
  waits: () => true,
  timing: { longest: (node) => durationMs(node.duration), fixed: (node) => durationMs(node.duration) },
  defaults: () => ({ duration: 'P1D' }),
});
