import { type Comparison, type Condition, isAddressKindName, type Scalar } from '@sopflow/core';
import type { Fragment, Sql } from 'postgres';

/**
 * A condition as a SQL predicate over `contacts c`, so a campaign's audience is found by Postgres
 * rather than by reading every contact into JavaScript. It must match exactly the contacts the
 * core's `evaluateCondition` matches on `{ contact: flowContactView(contact) }` (the agreement
 * test runs both on the same contacts). Values are always bound parameters.
 *
 * Every field reads as a jsonb value, SQL NULL when the contact has none (JavaScript's
 * `undefined`); every comparison is true or false, never NULL, so `not` keeps its two-valued
 * meaning. Those that could be NULL are coalesced where they are made, not around the whole
 * comparison: a predicate wrapped in `coalesce` can no longer use an index.
 */
export function audiencePredicate(sql: Sql, condition: Condition): Fragment {
  if ('all' in condition)
    return sql`(${condition.all.map((c) => audiencePredicate(sql, c)).reduce((a, b) => sql`${a} and ${b}`)})`;
  if ('any' in condition)
    return sql`(${condition.any.map((c) => audiencePredicate(sql, c)).reduce((a, b) => sql`${a} or ${b}`)})`;
  if ('not' in condition) return sql`(not ${audiencePredicate(sql, condition.not)})`;
  return comparison(sql, condition);
}

/** A key `readPath` may take as an array index (the migration's `sopflow_read_path` agrees). */
const ARRAY_INDEX = /^(0|[1-9]\d{0,8})$/;

/**
 * A key no array answers: neither `length` nor anything Postgres could read as an index (those
 * start with a digit, a sign or a space).
 */
const isPlainKey = (key: string) => key !== 'length' && /^[^\d\s+\-.]/.test(key);

/** The jsonb value at a contact's field, or SQL NULL when there is none. */
function fieldValue(sql: Sql, field: string): Fragment {
  const [root, head, ...rest] = field.split('.');
  if (root !== 'contact') return sql`null::jsonb`;
  if (head === undefined) return sql`'{}'::jsonb`;
  const value = contactField(sql, head);
  if (rest.length === 0) return value;
  // Postgres's own path operator reads the same when no key could step into an array (faster).
  return rest.every(isPlainKey)
    ? sql`(${value} #> ${rest}::text[])`
    : sql`sopflow_read_path(${value}, ${rest}::text[])`;
}

function contactField(sql: Sql, name: string): Fragment {
  switch (name) {
    case 'id':
      return sql`to_jsonb(c.id)`;
    case 'name':
      return sql`to_jsonb(c.name)`;
    case 'timezone':
      return sql`to_jsonb(c.timezone)`;
    case 'tags':
      return sql`to_jsonb(c.tags)`;
    case 'points':
      return sql`to_jsonb(c.points)`;
    case 'unsubscribed':
      return sql`to_jsonb(c.unsubscribed)`;
    case 'attributes':
      return sql`c.attributes`;
    case 'addresses':
      return sql`(select coalesce(jsonb_object_agg(a.kind, a.value), '{}') from contact_addresses a
                  where a.contact_id = c.id)`;
  }
  // A flow reads each address as `contact.<kind>`; other names (createdAt) are not in its view.
  if (!isAddressKindName(name)) return sql`null::jsonb`;
  return sql`(select to_jsonb(a.value) from contact_addresses a
              where a.contact_id = c.id and a.kind = ${name}::text)`;
}

const json = (sql: Sql, value: Scalar | Scalar[]) => sql`${sql.json(value as never)}::jsonb`;

/** A comparison as a predicate that is never NULL. */
function comparison(sql: Sql, c: Comparison): Fragment {
  const expected = c.value;
  const x = fieldValue(sql, c.field);
  switch (c.op) {
    case 'exists':
      return present(sql, x);
    case 'not_exists':
      return sql`not ${present(sql, x)}`;
    case 'eq':
      return equals(sql, c.field, x, expected);
    case 'ne':
      return sql`not ${equals(sql, c.field, x, expected)}`;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (typeof expected !== 'number') return sql`false`;
      const op = { gt: sql`>`, gte: sql`>=`, lt: sql`<`, lte: sql`<=` }[c.op];
      return sql`coalesce(jsonb_typeof(${x}) = 'number' and (${x})::numeric ${op} ${String(expected)}::numeric, false)`;
    }
    case 'contains':
      return contains(sql, c.field, x, expected);
    case 'not_contains':
      return sql`not ${contains(sql, c.field, x, expected)}`;
    case 'starts_with':
      if (typeof expected !== 'string') return sql`false`;
      return sql`coalesce(jsonb_typeof(${x}) = 'string' and starts_with(${x} #>> '{}', ${expected}::text), false)`;
    case 'in':
    case 'not_in': {
      const found = Array.isArray(expected)
        ? sql`exists (select 1 from jsonb_array_elements(${json(sql, expected)}) e where e = ${x})`
        : sql`false`;
      return c.op === 'in' ? found : sql`not ${found}`;
    }
  }
}

/** Neither missing, nor null, nor the empty string. */
function present(sql: Sql, x: Fragment): Fragment {
  return sql`(${x} is not null and ${x} <> 'null'::jsonb and ${x} <> '""'::jsonb)`;
}

/** `===` on JSON values: a missing field equals only a missing value; a list equals nothing. */
function equals(sql: Sql, field: string, x: Fragment, expected: Comparison['value']): Fragment {
  if (expected === undefined) return sql`(${x} is null)`;
  if (Array.isArray(expected)) return sql`false`;
  const kind = addressKindOf(field);
  // The addresses' (kind, value) index answers this one.
  if (kind !== undefined)
    return typeof expected === 'string'
      ? sql`(c.id in (select a.contact_id from contact_addresses a where a.kind = ${kind}::text and a.value = ${expected}::text))`
      : sql`false`;
  const exact = sql`coalesce(${x} = ${json(sql, expected)}, false)`;
  const containment = attributeContainment(field, expected);
  // The same test as jsonb containment, which the attributes' GIN index answers.
  return containment ? sql`(c.attributes @> ${sql.json(containment as never)}::jsonb and ${exact})` : exact;
}

/** The address kind a field names whole (`contact.email`, `contact.addresses.email`), if it does. */
function addressKindOf(field: string): string | undefined {
  const keys = field.split('.');
  if (keys[0] !== 'contact') return undefined;
  if (keys.length === 3 && keys[1] === 'addresses') return keys[2];
  if (keys.length !== 2) return undefined;
  const name = keys[1]!;
  return isAddressKindName(name) ? name : undefined;
}

/**
 * `{ a: { b: value } }` for `contact.attributes.a.b`: containment means the same as equality
 * when no key of the path could step into an array (an index, or `length`).
 */
function attributeContainment(field: string, expected: Scalar): Record<string, unknown> | undefined {
  const [root, head, ...keys] = field.split('.');
  if (root !== 'contact' || head !== 'attributes' || keys.length === 0) return undefined;
  if (keys.some((key) => key === 'length' || ARRAY_INDEX.test(key))) return undefined;
  let nested: unknown = expected;
  for (const key of keys.reverse()) nested = Object.fromEntries([[key, nested]]);
  return nested as Record<string, unknown>;
}

/** A list holding the value, or a string holding it as a part (`Array.includes`, `String.includes`). */
function contains(sql: Sql, field: string, x: Fragment, expected: Comparison['value']): Fragment {
  if (expected === undefined || Array.isArray(expected)) return sql`false`;
  // Tags are text: the tags' GIN index answers this one.
  if (field === 'contact.tags')
    return typeof expected === 'string' ? sql`(c.tags @> array[${expected}::text])` : sql`false`;
  const inList = sql`${x} @> jsonb_build_array(${json(sql, expected)})`;
  return typeof expected === 'string'
    ? sql`(case jsonb_typeof(${x}) when 'array' then ${inList}
           when 'string' then strpos(${x} #>> '{}', ${expected}::text) > 0 else false end)`
    : sql`coalesce(jsonb_typeof(${x}) = 'array' and ${inList}, false)`;
}
