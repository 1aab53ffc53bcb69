import { z } from 'zod';

/**
 * What each column of an imported CSV fills, so a spreadsheet with 姓名 and 手机号 imports as it is:
 * the operator maps its columns (the builder suggests a mapping), and the server reads each cell
 * by its column's target. Shared by both so the builder's suggestion is what the server would do.
 *
 * A target is one of the contact's own fields (`id`, `name`, `timezone`, `tags`, `unsubscribed`,
 * `points`, `attributes` as a JSON object), an address kind (`addresses.phone`), an attribute
 * (`attributes.city`, typed with `:number`, `:boolean` or `:json`), or `skip`.
 */

export const CONTACT_COLUMN_FIELDS = ['id', 'name', 'timezone', 'tags', 'unsubscribed', 'points'] as const;
export type ContactColumnField = (typeof CONTACT_COLUMN_FIELDS)[number];

/** Column headers operators use for the contact's own fields, matched without case or spaces. */
const FIELD_HEADERS: Record<ContactColumnField, readonly string[]> = {
  id: ['id', '编号', '客户编号', '联系人编号', '客户id', '外部编号', 'externalid'],
  name: ['name', '姓名', '名字', '名称', '客户名称', '客户姓名', '昵称'],
  timezone: ['timezone', '时区'],
  tags: ['tags', '标签', '客户标签'],
  unsubscribed: ['unsubscribed', '退订', '已退订', '退订渠道'],
  points: ['points', '积分'],
};

export const ContactColumnTarget = z
  .string()
  .regex(
    /^(id|name|timezone|tags|unsubscribed|points|attributes|skip|addresses\.[A-Za-z][\w]*|attributes\.[^:]+(:(number|boolean|json))?)$/,
    'Not a column target: id, name, timezone, tags, unsubscribed, points, attributes, skip, addresses.<kind> or attributes.<name>[:number|boolean|json]. / ' +
      '不是可对应的内容：只能是 id、name、timezone、tags、unsubscribed、points、attributes、skip、addresses.<地址类型> 或 attributes.<属性名>[:number|boolean|json]。',
  );

/** Header → target, or several targets (a phone column can be the id and the phone address). */
export const ContactColumns = z.record(
  z.string(),
  z.union([ContactColumnTarget, z.array(ContactColumnTarget).min(1)]),
);
export type ContactColumns = z.infer<typeof ContactColumns>;

/** What an address kind is called, to match headers against (its name and both labels). */
export interface ColumnAddressKind {
  name: string;
  label: { en: string; zh: string };
}

const normal = (header: string) =>
  header
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');

/**
 * The target a header fills unless the operator maps it: a contact field or address kind it names
 * (in English or Chinese, or as `addresses.<kind>` / `attributes.<name>`), else an attribute of its
 * own name (typed as its `:type` suffix says).
 */
export function suggestColumnTarget(header: string, kinds: readonly ColumnAddressKind[]): string {
  const key = normal(header);
  for (const field of CONTACT_COLUMN_FIELDS) if (FIELD_HEADERS[field].includes(key)) return field;
  if (key === 'attributes') return 'attributes';
  const kindName = header.trim().replace(/^addresses\./i, '');
  const kind = kinds.find((k) =>
    [k.name, k.label.en, k.label.zh].some((n) => normal(n) === normal(kindName)),
  );
  if (kind) return `addresses.${kind.name}`;
  if (/^addresses\./i.test(header.trim())) return `addresses.${kindName}`;
  return `attributes.${header.trim().replace(/^attributes\./, '')}`;
}

/** Each header's targets: the operator's mapping where it names the header, else the suggestion. */
export function columnTargets(
  headers: readonly string[],
  kinds: readonly ColumnAddressKind[],
  columns: ContactColumns = {},
): string[][] {
  return headers.map((header) => {
    const mapped = columns[header] ?? columns[header.trim()];
    const targets = mapped === undefined ? [suggestColumnTarget(header, kinds)] : [mapped].flat();
    return targets.filter((t) => t !== 'skip');
  });
}
