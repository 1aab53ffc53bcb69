/**
 * Conditions as the interpreter sees them: plain types and their evaluation, with no schema
 * library. The workflow sandbox evaluates every module it imports once per cached run, so the
 * interpreter must not pull zod in through here; the zod schemas live in `conditions.ts`.
 */

export type ComparisonOperator =
  | 'eq'
  | 'ne'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | 'contains'
  | 'not_contains'
  | 'starts_with'
  | 'in'
  | 'not_in'
  | 'exists'
  | 'not_exists';

export type Scalar = string | number | boolean;

export interface Comparison {
  /** A path such as `contact.attributes.city`, `contact.tags` or `event.amount`. */
  field: string;
  op: ComparisonOperator;
  value?: Scalar | Scalar[] | undefined;
}

export type Condition = Comparison | { all: Condition[] } | { any: Condition[] } | { not: Condition };

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
