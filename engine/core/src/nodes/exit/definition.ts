import { z } from 'zod';
import { nodeBase } from '../../flow/fields';
import { defineNode } from '../define';

export const ExitNode = z.object({ ...nodeBase, type: z.literal('exit') });
export type ExitNode = z.infer<typeof ExitNode>;

export const exit = defineNode({
  type: 'exit',
  schema: ExitNode,
  words: { label: { en: 'Exit', zh: '结束' }, hint: { en: 'End the path', zh: '结束这条路径' } },
  idPrefix: 'exit',
  exits: () => [],
  defaults: () => ({}),
});
