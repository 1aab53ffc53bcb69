import { z } from 'zod';
import type {
  Comparison as ComparisonShape,
  Condition as ConditionType,
  ComparisonOperator as OperatorName,
  Scalar as ScalarValue,
} from './evaluate-condition';

export { evaluateCondition, readPath } from './evaluate-condition';

/**
 * The condition language of branches: a field, an operator and a value, combined with
 * all / any / not. It is data, never JavaScript: its schema is here, its evaluation in
 * `evaluate-condition.ts` (free of zod, for the workflow sandbox).
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
]) satisfies z.ZodType<OperatorName>;
export type ComparisonOperator = OperatorName;

const Scalar = z.union([
  z.string().max(1000),
  z.number().finite(),
  z.boolean(),
]) satisfies z.ZodType<ScalarValue>;
export type Scalar = ScalarValue;

export const Comparison = z.object({
  /** A path such as `contact.attributes.city`, `contact.tags` or `event.amount`. */
  field: z.string().min(1).max(200),
  op: ComparisonOperator,
  value: z.union([Scalar, z.array(Scalar).max(1000)]).optional(),
}) satisfies z.ZodType<ComparisonShape>;
export type Comparison = ComparisonShape;
export type Condition = ConditionType;

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
