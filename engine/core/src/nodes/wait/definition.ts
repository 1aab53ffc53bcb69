import { z } from 'zod';
import { Duration, nodeBase } from '../../flow/fields';
import { defineNode, durationMs, form } from '../define';

export const WaitNode = z.object({
  ...nodeBase,
  type: z.literal('wait'),
  duration: Duration.meta(form('Wait for', '等待', { widget: 'duration' })),
});
export type WaitNode = z.infer<typeof WaitNode>;

export const wait = defineNode({
  type: 'wait',
  schema: WaitNode,
  words: { label: { en: 'Wait', zh: '等待' }, hint: { en: 'Pause for a while', zh: '等待一段时间' } },
  idPrefix: 'wait',
  exits: () => ['next'],
  waits: () => true,
  timing: { longest: (node) => durationMs(node.duration), fixed: (node) => durationMs(node.duration) },
  defaults: () => ({ duration: 'P1D' }),
});
