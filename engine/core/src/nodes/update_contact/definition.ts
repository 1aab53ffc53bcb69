import { z } from 'zod';
import { defineNode, form, nodeSchema } from '../define';

const Scalar = z.union([z.string().max(1000), z.number().finite(), z.boolean()]);
const Tag = z.string().min(1).max(100);
const tags = (en: string, zh: string) =>
  z
    .array(Tag)
    .max(50)
    .optional()
    .meta(form(en, zh, { widget: 'tags' }));

export const ContactUpdate = z.object({
  addTags: tags('Add tags', '添加标签'),
  removeTags: tags('Remove tags', '移除标签'),
  /** Points (积分) to add (or take away); every change lands in the ledger with its reason. */
  points: z
    .object({
      add: z.number().int().min(-1e6).max(1e6).meta(form('Add', '增加')),
      reason: z.string().min(1).max(200).meta(form('Reason', '原因')),
    })
    .optional()
    .meta(form('Points (积分)', '积分')),
  /** Attributes to set, e.g. `{ "segment": "active" }`. */
  set: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/), Scalar)
    .optional()
    .meta(form('Set attributes', '设置属性')),
  /** Records today's check-in (打卡) in the contact's time zone; keeps `attributes.checkInStreak`. */
  checkIn: z
    .object({
      points: z.number().int().min(0).max(1e6).default(0).meta(form('Points per check-in', '每次打卡积分')),
    })
    .optional()
    .meta(form('Record a check-in (打卡)', '记录一次打卡')),
  /** Tiers by points, e.g. silver from 100; sets `attributes.tier` after points change. */
  tiers: z
    .array(
      z.object({
        name: z.string().min(1).max(50).meta(form('Tier', '等级')),
        minPoints: z.number().int().meta(form('From points', '积分下限')),
      }),
    )
    .max(20)
    .optional()
    .meta(form('Tiers by points', '按积分分级')),
  /** Credits the contact named by a field (e.g. `event.referrerId`) for a referral (裂变). */
  creditReferrer: z
    .object({
      field: z
        .string()
        .min(1)
        .max(200)
        .meta(
          form('Referrer field', '推荐人字段', {
            help: { en: 'e.g. event.referrerId', zh: '例如 event.referrerId' },
          }),
        ),
      points: z.number().int().min(0).max(1e6).meta(form('Points', '积分')),
      reason: z.string().max(200).meta(form('Reason', '原因')),
    })
    .optional()
    .meta(form('Credit the referrer (裂变)', '奖励推荐人（裂变）')),
});
export type ContactUpdate = z.infer<typeof ContactUpdate>;

export const UpdateContactNode = nodeSchema('update_contact', {
  update: ContactUpdate.meta(form('Update', '更新')),
});
export type UpdateContactNode = z.infer<typeof UpdateContactNode>;

const TAG = { en: 'engaged', zh: '活跃' };

export const updateContact = defineNode({
  schema: UpdateContactNode,
  words: {
    label: { en: 'Update contact', zh: '更新联系人' },
    hint: { en: 'Tags, points, attributes', zh: '标签、积分、属性' },
  },
  idPrefix: 'update',
  check(node, context) {
    const field = node.update.creditReferrer?.field;
    const problem = field === undefined ? undefined : context.variableProblem(field);
    return problem
      ? [
          context.error(
            'invalid_field',
            problem,
            `推荐人字段不正确：${problem}`,
            'update.creditReferrer.field',
          ),
        ]
      : [];
  },
  timing: { fixed: () => 0 },
  defaults: (locale) => ({ update: { addTags: [TAG[locale]] } }),
});
