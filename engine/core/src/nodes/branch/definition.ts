import { z } from 'zod';
import { Condition } from '../../flow/conditions';
import { HandleId } from '../../flow/fields';
import { defineNode, form, nodeSchema } from '../define';

export const BranchNode = nodeSchema('branch', {
  /** Checked in order; the first that holds picks the exit. None holding takes `else`. */
  branches: z
    .array(z.object({ id: HandleId, label: z.string().max(200).optional(), when: Condition }))
    .min(1, { error: 'A branch needs at least one condition. / 条件分支至少需要一个条件。' })
    .max(50)
    .meta(
      form('Conditions, checked in order', '条件（按顺序判断）', {
        widget: 'branches',
        help: { en: 'Anyone else takes "else".', zh: '其余的人走"否则"。' },
      }),
    ),
});
export type BranchNode = z.infer<typeof BranchNode>;

const VIP = { en: 'VIP', zh: 'VIP 会员' };

export const branch = defineNode({
  schema: BranchNode,
  words: {
    label: { en: 'Branch', zh: '条件分支' },
    hint: { en: 'Different paths by condition', zh: '按条件走不同路径' },
  },
  exits: (node) => [...(node.branches ?? []).map((b) => b.id), 'else'],
  check: (node, context) => [
    ...context.duplicateExits(
      node.branches.map((b) => b.id),
      'branches',
      'conditions',
    ),
    ...node.branches.flatMap((branch, i) =>
      context.condition(branch.when, `branches[${i}].when`, { name: branch.id }),
    ),
  ],
  timing: { fixed: () => 0 },
  defaults: (locale) => ({
    branches: [
      { id: 'c1', label: VIP[locale], when: { field: 'contact.attributes.tier', op: 'eq', value: 'vip' } },
    ],
  }),
});
