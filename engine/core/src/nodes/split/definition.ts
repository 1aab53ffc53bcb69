import { z } from 'zod';
import { HandleId } from '../../flow/fields';
import { defineNode, form, nodeSchema } from '../define';

/** A random split, stable per contact: the same contact always takes the same arm. */
export const SplitNode = nodeSchema('split', {
  arms: z
    .array(
      z.object({
        id: HandleId,
        label: z.string().max(200).optional(),
        weight: z.number().positive().max(1e6),
      }),
    )
    .min(2, { error: 'A split needs at least two arms. / 分流至少需要两个分支。' })
    .max(20)
    .meta(form('Arms', '分组', { widget: 'arms' })),
});
export type SplitNode = z.infer<typeof SplitNode>;

const ARMS = { en: ['A', 'B'], zh: ['A 组', 'B 组'] };

export const split = defineNode({
  schema: SplitNode,
  words: {
    label: { en: 'A/B split', zh: '随机分流' },
    hint: { en: 'Random arms by weight', zh: '按权重随机分组' },
  },
  exits: (node) => (node.arms ?? []).map((a) => a.id),
  check: (node, context) =>
    context.duplicateExits(
      node.arms.map((a) => a.id),
      'arms',
      'arms',
    ),
  timing: { fixed: () => 0 },
  defaults: (locale) => ({
    arms: [
      { id: 'a', label: ARMS[locale][0], weight: 50 },
      { id: 'b', label: ARMS[locale][1], weight: 50 },
    ],
  }),
});
