import { z } from 'zod';

/**
 * The condition language of branches: a field, an operator and a value, combined with
 * all / any / not. It is data, checked at compile time and evaluated here; never JavaScript.
 */

export const ComparisonOperator = z.enum([
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'not_contains',
  'starts_with',
  'in',
  'not_in',
  'exists',
  'not_exists',
]);
export type ComparisonOperator = z.infer<typeof ComparisonOperator>;

const Scalar = z.union([z.string().max(1000), z.number().finite(), z.boolean()]);
export type Scalar = z.infer<typeof Scalar>;

export const Comparison = z.object({
  /** A path such as `contact.attributes.city`, `contact.tags` or `event.amount`. */
  field: z.string().min(1).max(200),
  op: ComparisonOperator,
  value: z.union([Scalar, z.array(Scalar).max(1000)]).optional(),
});
export type Comparison = z.infer<typeof Comparison>;

export type Condition = Comparison | { all: Condition[] } | { any: Condition[] } | { not: Condition };

/**
 * How deep conditions may nest inside `all`, `any` and `not`. Far beyond anything drawn by hand;
 * the bound keeps a hostile document (`{"not":{"not":…}}` ten thousand deep fits in a small
 * request) from overflowing the stack of the parser, the compiler and the evaluator.
 */
export const MAX_CONDITION_DEPTH = 32;

/** Whether a condition-shaped value nests deeper than the bound; iterative, so it cannot overflow. */
function nestsTooDeep(value: unknown): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (current === null || typeof current !== 'object' || Array.isArray(current)) continue;
    if (depth > MAX_CONDITION_DEPTH) return true;
    const record = current as Record<string, unknown>;
    for (const key of ['all', 'any']) {
      const list = Object.hasOwn(record, key) ? record[key] : undefined;
      if (Array.isArray(list)) for (const item of list) pending.push([item, depth + 1]);
    }
    if (Object.hasOwn(record, 'not')) pending.push([record.not, depth + 1]);
  }
  return false;
}

const ConditionShape: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    Comparison,
    z.object({ all: z.array(ConditionShape).min(1).max(100) }),
    z.object({ any: z.array(ConditionShape).min(1).max(100) }),
    z.object({ not: ConditionShape }),
  ]),
);

/**
 * A condition. The depth is checked before the recursive schema runs (a preprocess step, which the
 * JSON Schema leaves out, so editors still see the recursive shape).
 */
export const Condition: z.ZodType<Condition> = z.preprocess((value, ctx) => {
  if (nestsTooDeep(value)) {
    ctx.addIssue({
      code: 'custom',
      message: `Conditions may nest at most ${MAX_CONDITION_DEPTH} deep (all / any / not inside each other).`,
      input: value,
      continue: false,
    });
  }
  return value;
}, ConditionShape);

const needsNoValue: ReadonlySet<ComparisonOperator> = new Set(['exists', 'not_exists']);
const needsList: ReadonlySet<ComparisonOperator> = new Set(['in', 'not_in']);
const needsNumber: ReadonlySet<ComparisonOperator> = new Set(['gt', 'gte', 'lt', 'lte']);

/** Every comparison in a condition, depth first. */
export function comparisonsOf(condition: Condition): Comparison[] {
  if ('all' in condition) return condition.all.flatMap(comparisonsOf);
  if ('any' in condition) return condition.any.flatMap(comparisonsOf);
  if ('not' in condition) return comparisonsOf(condition.not);
  return [condition];
}

/** What is wrong with a comparison's operator and value, or undefined when nothing is. */
export function comparisonProblem(c: Comparison): string | undefined {
  if (needsNoValue.has(c.op)) return undefined;
  if (c.value === undefined) return `"${c.field} ${c.op}" needs a value to compare with.`;
  if (needsList.has(c.op) && !Array.isArray(c.value)) return `"${c.op}" needs a list of values.`;
  if (!needsList.has(c.op) && Array.isArray(c.value)) return `"${c.op}" compares with one value, not a list.`;
  if (needsNumber.has(c.op) && typeof c.value !== 'number')
    return `"${c.op}" compares numbers; give a number.`;
  return undefined;
}

/** Reads a dotted path (`contact.attributes.city`) out of a plain data object. */
export function readPath(data: unknown, path: string): unknown {
  let current: unknown = data;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    // Own properties only: a path must never reach an object's prototype.
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

function compare(actual: unknown, c: Comparison): boolean {
  const expected = c.value;
  switch (c.op) {
    case 'exists':
      return isPresent(actual);
    case 'not_exists':
      return !isPresent(actual);
    case 'eq':
      return actual === expected;
    case 'ne':
      return actual !== expected;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (typeof actual !== 'number' || typeof expected !== 'number') return false;
      if (c.op === 'gt') return actual > expected;
      if (c.op === 'gte') return actual >= expected;
      if (c.op === 'lt') return actual < expected;
      return actual <= expected;
    }
    case 'contains':
    case 'not_contains': {
      const found = Array.isArray(actual)
        ? actual.includes(expected)
        : typeof actual === 'string' && typeof expected === 'string' && actual.includes(expected);
      return c.op === 'contains' ? found : !found;
    }
    case 'starts_with':
      return typeof actual === 'string' && typeof expected === 'string' && actual.startsWith(expected);
    case 'in':
    case 'not_in': {
      const found = Array.isArray(expected) && expected.includes(actual as Scalar);
      return c.op === 'in' ? found : !found;
    }
  }
}

/** Evaluates a condition against `{ contact, event, ... }`. Pure and total: never throws. */
export function evaluateCondition(condition: Condition, data: unknown): boolean {
  if ('all' in condition) return condition.all.every((c) => evaluateCondition(c, data));
  if ('any' in condition) return condition.any.some((c) => evaluateCondition(c, data));
  if ('not' in condition) return !evaluateCondition(condition.not, data);
  return compare(readPath(data, condition.field), condition);
}
