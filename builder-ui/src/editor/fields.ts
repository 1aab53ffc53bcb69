import type { Comparison, Condition } from '@sopflow/core';

/** Helpers behind the side panel's friendlier inputs: durations by amount and unit, condition values. */

export type DurationUnit = 'S' | 'M' | 'H' | 'D' | 'W';

export const DURATION_UNITS: readonly DurationUnit[] = ['M', 'H', 'D', 'W'];

/** `PT10M` → 10 minutes; undefined for durations a single amount cannot say (P1DT2H). */
export function splitDuration(iso: string): { amount: number; unit: DurationUnit } | undefined {
  const match = /^P(?:(\d+)([DW])|T(\d+)([HMS]))$/.exec(iso);
  if (!match) return undefined;
  const amount = Number(match[1] ?? match[3]);
  const unit = (match[2] ?? match[4]) as DurationUnit;
  return { amount, unit };
}

export function joinDuration(amount: number, unit: DurationUnit): string {
  return unit === 'D' || unit === 'W' ? `P${amount}${unit}` : `PT${amount}${unit}`;
}

export type ValueKind = 'text' | 'number' | 'boolean';

export type Scalar = string | number | boolean;

const NO_VALUE = new Set(['exists', 'not_exists']);
const LIST = new Set(['in', 'not_in']);
const NUMERIC = new Set(['gt', 'gte', 'lt', 'lte']);

export const opTakesValue = (op: string) => !NO_VALUE.has(op);
export const opTakesList = (op: string) => LIST.has(op);
export const opIsNumeric = (op: string) => NUMERIC.has(op);

export function kindOf(value: unknown): ValueKind {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'number' ? 'number' : typeof first === 'boolean' ? 'boolean' : 'text';
}

/** The value as the operator types it: lists comma-separated. */
export function valueText(value: unknown): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map(String).join(', ');
  return String(value);
}

function scalar(text: string, kind: ValueKind): Scalar {
  if (kind === 'number') {
    const n = Number(text.trim());
    return text.trim() !== '' && Number.isFinite(n) ? n : text;
  }
  if (kind === 'boolean') return text.trim().toLowerCase() !== 'false';
  return text;
}

/** The comparison's value from what was typed, in the kind chosen; none for exists/not_exists. */
export function parseValue(text: string, kind: ValueKind, op: string): Comparison['value'] {
  if (!opTakesValue(op)) return undefined;
  if (opTakesList(op))
    return text
      .split(/[,，]/)
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => scalar(s, kind));
  return scalar(text, opIsNumeric(op) ? 'number' : kind);
}

/** A condition the builder edits as a list of comparisons joined by all/any; undefined otherwise. */
export function asSimple(condition: Condition): { join: 'all' | 'any'; items: Comparison[] } | undefined {
  if ('field' in condition) return { join: 'all', items: [condition] };
  if ('all' in condition && condition.all.every((c) => 'field' in c))
    return { join: 'all', items: condition.all as Comparison[] };
  if ('any' in condition && condition.any.every((c) => 'field' in c))
    return { join: 'any', items: condition.any as Comparison[] };
  return undefined;
}

export function fromSimple(join: 'all' | 'any', items: Comparison[]): Condition {
  if (items.length === 1) return items[0]!;
  return join === 'all' ? { all: items } : { any: items };
}
