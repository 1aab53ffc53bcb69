import type { PayloadField } from './schema';

function typeOf(value: unknown): PayloadField['type'] | 'null' | 'other' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const t = typeof value;
  return t === 'string' || t === 'number' || t === 'boolean' || t === 'object' ? t : 'other';
}

/** A field of an event payload that does not match what its trigger declares. */
export interface PayloadProblem {
  /** Where, as the request names it: `event.coupon` in a webhook body, `payload.coupon` in an event. */
  path: string;
  message: string;
}

/**
 * What is wrong with an event payload, given the fields its trigger declares; empty when nothing.
 * The webhook and the events API both check with it, so a flow starts only with what it needs.
 */
export function payloadProblems(
  fields: readonly PayloadField[] | undefined,
  payload: unknown,
  at = 'event',
): PayloadProblem[] {
  if (payload === undefined || payload === null) payload = {};
  if (typeOf(payload) !== 'object') return [{ path: at, message: `${at} must be a JSON object.` }];
  if (!fields) return [];
  const data = payload as Record<string, unknown>;
  const problems: PayloadProblem[] = [];
  for (const field of fields) {
    const path = `${at}.${field.name}`;
    const value = Object.hasOwn(data, field.name) ? data[field.name] : undefined;
    if (value === undefined || value === null) {
      if (field.required) problems.push({ path, message: `${path} is required.` });
    } else if (typeOf(value) !== field.type) {
      problems.push({ path, message: `${path} must be a ${field.type}, not a ${typeOf(value)}.` });
    }
  }
  return problems;
}
