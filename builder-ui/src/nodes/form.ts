import { type NodeType, nodeJsonSchema, type Widget } from '@sopflow/core';
import { type FormField, type JsonSchema, nodeFieldsOf } from '../editor/schema-form';

/**
 * A node type's inspector form, generated from its core schema: the fields (labels, help and
 * widgets from `.meta()`), and pure helpers to read and write the node at a field's path.
 */

/** Fields every node has: the inspector draws them itself (name, id) or never (type, position). */
const BASE_FIELDS = new Set(['id', 'type', 'label', 'position']);

/** What a widget's field starts with when its group is switched on. */
const WIDGET_START: Partial<Record<Widget, unknown>> = {
  channel: 'wechat',
  duration: 'P1D',
  time: '20:00',
  message: { text: '' },
};

const cache = new Map<NodeType, FormField[]>();

/** The form fields of a node type, in its schema's order. */
export function nodeFormFields(type: NodeType): FormField[] {
  let fields = cache.get(type);
  if (!fields) {
    fields = nodeFieldsOf(nodeJsonSchema(type) as JsonSchema).filter((f) => !BASE_FIELDS.has(f.name));
    // A node whose fields are all in one object (a contact update) shows them without a frame.
    const [only] = fields;
    if (fields.length === 1 && only?.kind === 'group' && only.required) fields = only.fields;
    cache.set(type, fields);
  }
  return fields;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The value at a dotted path (`assignee.channel`), or undefined. */
export function valueAt(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), value);
}

/** A copy of `value` with `path` set (or its key removed, for undefined); objects on the way are made. */
export function withValue<T>(value: T, path: string, next: unknown): T {
  const [key, ...rest] = path.split('.');
  const object: Record<string, unknown> = isObject(value) ? value : {};
  const inner = rest.length ? withValue(object[key!], rest.join('.'), next) : next;
  const { [key!]: _, ...others } = object;
  // In place when the key is there, so the document's key order (and a version diff) moves least.
  return (inner === undefined ? others : { ...object, [key!]: inner }) as T;
}

/** Whether a field is shown, given the object it is in (its `showWhen`). */
export function isShown(field: FormField, siblings: unknown): boolean {
  const when = field.showWhen;
  if (!when) return true;
  const value = String(valueAt(siblings, when.field) ?? '');
  if (when.is && !when.is.includes(value)) return false;
  if (when.isNot?.includes(value)) return false;
  return true;
}

/** The parent path of a field (`fallback` for `fallback.channel`), '' at the top. */
export const parentPath = (path: string) => path.split('.').slice(0, -1).join('.');

/**
 * A value to start a field with, when an optional group is switched on or a union's shape is
 * picked: each required field's default, a first choice, or empty; optional fields stay out.
 */
export function startValue(field: FormField): unknown {
  switch (field.kind) {
    case 'group':
      return Object.fromEntries(
        field.fields
          .filter((f) => f.required)
          .map((f) => [f.name, startValue(f)] as const)
          .filter(([, v]) => v !== undefined),
      );
    case 'union': {
      const first = field.options[0]!;
      return unionValue(field, first.value, undefined);
    }
    case 'rows':
      return [];
    case 'boolean':
      return field.defaultValue ?? false;
    case 'enum':
      return field.placeholder ?? field.options?.[0];
    case 'number':
      return field.placeholder === undefined ? (field.min ?? 0) : Number(field.placeholder);
    case 'text':
      return field.placeholder ?? '';
    case 'map':
      return {};
    case 'widget':
      return WIDGET_START[field.widget];
    default:
      return undefined;
  }
}

/**
 * A union's value for the shape `choice`: what the old value had that the new shape also has
 * (an event name, payload fields) is kept, the rest starts afresh.
 */
export function unionValue(
  field: Extract<FormField, { kind: 'union' }>,
  choice: string,
  old: unknown,
): Record<string, unknown> {
  const option = field.options.find((o) => o.value === choice) ?? field.options[0]!;
  const value: Record<string, unknown> = { [field.discriminator]: option.value };
  for (const f of option.fields) {
    const kept = valueAt(old, f.name);
    const start = kept === undefined && f.required ? startValue(f) : kept;
    if (start !== undefined) value[f.name] = start;
  }
  return value;
}
