import type { z } from 'zod';
import { defineNode, nodeSchema } from '../define';

export const ExitNode = nodeSchema('exit', {});
export type ExitNode = z.infer<typeof ExitNode>;

export const exit = defineNode({
  schema: ExitNode,
  words: { label: { en: 'Exit', zh: '结束' }, hint: { en: 'End the path', zh: '结束这条路径' } },
  exits: () => [],
  defaults: () => ({}),
});
