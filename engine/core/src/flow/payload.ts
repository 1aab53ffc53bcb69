import type { PayloadField } from './schema';

function typeOf(value: unknown): PayloadField['type'] | 'null' | 'other' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const t = typeof value;
  return t === 'string' || t === 'number' || t === 'boolean' || t === 'object' ? t : 'other';
}

/** What is wrong with an event payload, given the fields its trigger declares; empty when nothing. */
export function payloadProblems(fields: readonly PayloadField[] | undefined, payload: unknown): string[] {
  if (payload === undefined || payload === null) payload = {};
  if (typeOf(payload) !== 'object') return ['The event payload must be a JSON object.'];
  if (!fields) return [];
  const data = payload as Record<string, unknown>;
  const problems: string[] = [];
  for (const field of fields) {
    const value = Object.hasOwn(data, field.name) ? data[field.name] : undefined;
    if (value === undefined || value === null) {
      if (field.required) problems.push(`event.${field.name} is required.`);
    } else if (typeOf(value) !== field.type) {
      problems.push(`event.${field.name} must be a ${field.type}, not a ${typeOf(value)}.`);
    }
  }
  return problems;
}
