import type { Widget, Words } from '@sopflow/core';

/**
 * Forms from JSON Schema (made by zod's `toJSONSchema` with `io: 'input'`): a connector's config
 * form (as `GET /api/connectors` answers it) and a node type's inspector form (from its core
 * definition, whose fields carry labels, help and widget hints in `.meta()`). Pure, so the React
 * side only draws what this decides.
 *
 * A connector form edits a flat draft keyed by dotted path (`followUp.everyMs`), the same paths
 * the API names in its 422 issues, so each issue lands beside the field it is about. A node form
 * edits the node itself (`valueAt`, `withValue`), and a node's compile errors name the same paths.
 */

/** The slice of JSON Schema connector configs use. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  format?: string;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  /** Marked by connectors whose schema says which values are credentials. */
  secret?: boolean;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  /** Form hints of node schemas (`FieldMeta` in the core). */
  label?: Words;
  help?: Words;
  widget?: Widget;
  showWhen?: ShowWhen;
}

/** Shown only while a sibling field has (or has not) one of these values. */
export interface ShowWhen {
  field: string;
  is?: readonly string[];
  isNot?: readonly string[];
}

/** What the API puts in place of a stored secret. */
export const SECRET_MASK = '••••••••';

interface FieldBase {
  /** Dotted path inside the config, as the API's issues name it. */
  path: string;
  /** The last key of the path. */
  name: string;
  required: boolean;
  description?: string;
  /** Node forms: the field's name and help in both languages. */
  label?: Words;
  help?: Words;
  showWhen?: ShowWhen;
}

/** A value typed as text: strings, numbers, enums, lists. */
export type ScalarField = FieldBase & {
  kind: 'text' | 'number' | 'enum' | 'list' | 'json';
  secret: boolean;
  /** The schema's default, as the placeholder shows it. */
  placeholder?: string;
  integer?: boolean;
  min?: number;
  max?: number;
  options?: string[];
  /** For lists: whether items are numbers. */
  numericItems?: boolean;
};

export type BooleanField = FieldBase & { kind: 'boolean'; defaultValue?: boolean };

/** A nested object with known keys (`followUp`, `auth`). */
export type GroupField = FieldBase & { kind: 'group'; fields: FormField[] };

/** An object of free keys (`robots`: group id → webhook key). */
export type MapField = FieldBase & {
  kind: 'map';
  /** Values are credentials; the API then masks the whole map. */
  secret: boolean;
  /** `scalar`: text, a number or true/false, as typed. */
  valueKind: 'text' | 'number' | 'list' | 'scalar';
};

/** A field drawn by a hand-written editor the schema names (`message`, `duration`, `branches`). */
export type WidgetField = FieldBase & { kind: 'widget'; widget: Widget };

/** One of several object shapes told apart by a constant (`trigger.kind`). */
export type UnionField = FieldBase & {
  kind: 'union';
  /** The key whose constant tells the shapes apart. */
  discriminator: string;
  options: { value: string; label?: Words; fields: FormField[] }[];
};

/** A list of objects (payload fields, tiers), drawn as rows; item fields' paths are inside an item. */
export type RowsField = FieldBase & { kind: 'rows'; fields: FormField[] };

export type FormField =
  | ScalarField
  | BooleanField
  | GroupField
  | MapField
  | WidgetField
  | UnionField
  | RowsField;

export interface MapEntry {
  key: string;
  value: string;
}

/** A map's entries; `masked` while the stored (secret) map stands and nothing new was entered. */
export interface MapDraft {
  masked: boolean;
  entries: MapEntry[];
}

/** What the form holds at one path: text as typed, a checkbox, or a map's rows. */
export type DraftValue = string | boolean | MapDraft | undefined;

export type Draft = Record<string, DraftValue>;

export interface Issue {
  path: string;
  message: string;
}

const join = (prefix: string, key: string) => (prefix ? `${prefix}.${key}` : key);

const SCALAR_TYPES = ['string', 'number', 'integer', 'boolean'];

function typeOf(schema: JsonSchema): string | undefined {
  // A union of plain values (`string | number | boolean`): typed as text, read as what it means.
  if (schema.anyOf?.every((o) => typeof o.type === 'string' && SCALAR_TYPES.includes(o.type)))
    return 'scalar';
  if (Array.isArray(schema.type)) {
    const types = schema.type.filter((t) => t !== 'null');
    return types.length > 1 ? 'scalar' : types[0];
  }
  if (schema.type) return schema.type;
  if (schema.properties) return 'object';
  if (schema.enum) return 'enum';
  return undefined;
}

function isSecret(schema: JsonSchema, path: string, secretPaths: readonly string[]): boolean {
  return (
    schema.secret === true || secretPaths.some((secret) => path === secret || path.startsWith(`${secret}.`))
  );
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function placeholderOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.length ? value.map(String).join(', ') : undefined;
  if (isObject(value)) return Object.keys(value).length ? JSON.stringify(value) : undefined;
  return String(value);
}

/** The object shapes of a union told apart by a constant, and that key; undefined when it is none. */
function unionOf(schema: JsonSchema): { key: string; options: JsonSchema[] } | undefined {
  const options = schema.oneOf ?? schema.anyOf;
  if (!options?.length || !options.every((o) => o.properties)) return undefined;
  const key = Object.keys(options[0]!.properties!).find((k) =>
    options.every((o) => typeof o.properties?.[k]?.const === 'string'),
  );
  return key === undefined ? undefined : { key, options };
}

function scalarKind(
  schema: JsonSchema,
  structured = false,
): ScalarField['kind'] | 'boolean' | 'group' | 'map' | 'scalar' | 'union' | 'rows' {
  if (schema.enum?.every((v) => typeof v === 'string')) return 'enum';
  if (structured && unionOf(schema)) return 'union';
  const type = typeOf(schema);
  if (type === 'scalar') return 'scalar';
  if (type === 'string') return 'text';
  if (type === 'number' || type === 'integer') return 'number';
  if (type === 'boolean') return 'boolean';
  if (type === 'array') {
    const item = typeOf(schema.items ?? {});
    if (structured && item === 'object' && Object.keys(schema.items?.properties ?? {}).length > 0)
      return 'rows';
    return item === 'string' || item === 'number' || item === 'integer' ? 'list' : 'json';
  }
  if (type === 'object') {
    const hasKeys = schema.properties && Object.keys(schema.properties).length > 0;
    if (hasKeys) return 'group';
    const values = schema.additionalProperties;
    if (isObject(values)) {
      const kind = scalarKind(values);
      if (kind === 'text' || kind === 'number' || kind === 'list' || kind === 'scalar') return 'map';
    }
    return 'json';
  }
  return 'json';
}

function fieldOf(
  name: string,
  schema: JsonSchema,
  path: string,
  required: boolean,
  secretPaths: readonly string[],
  structured: boolean,
): FormField {
  const base: FieldBase = { path, name, required };
  if (schema.description) base.description = schema.description;
  if (schema.label) base.label = schema.label;
  if (schema.help) base.help = schema.help;
  if (schema.showWhen) base.showWhen = schema.showWhen;
  if (structured && schema.widget) return { ...base, kind: 'widget', widget: schema.widget };
  const kind = scalarKind(schema, structured);
  if (kind === 'union') {
    const union = unionOf(schema)!;
    return {
      ...base,
      kind,
      discriminator: union.key,
      options: union.options.map((option) => {
        const { [union.key]: _, ...rest } = option.properties!;
        const value = option.properties![union.key]!.const as string;
        return {
          value,
          ...(option.label ? { label: option.label } : {}),
          fields: nodeFieldsOf({ ...option, properties: rest }, path),
        };
      }),
    };
  }
  if (kind === 'rows') return { ...base, kind, fields: nodeFieldsOf(schema.items!) };
  if (kind === 'boolean') {
    return typeof schema.default === 'boolean'
      ? { ...base, kind, defaultValue: schema.default }
      : { ...base, kind };
  }
  if (kind === 'group')
    return {
      ...base,
      kind,
      fields: structured ? nodeFieldsOf(schema, path) : fieldsOf(schema, secretPaths, path),
    };
  if (kind === 'map') {
    const values = schema.additionalProperties as JsonSchema;
    return {
      ...base,
      kind,
      secret: isSecret(schema, path, secretPaths) || values.secret === true,
      valueKind: scalarKind(values) as MapField['valueKind'],
    };
  }
  const field: ScalarField = {
    ...base,
    kind: kind === 'scalar' ? 'text' : kind,
    secret: isSecret(schema, path, secretPaths),
  };
  const placeholder = placeholderOf(schema.default);
  if (placeholder !== undefined) field.placeholder = placeholder;
  if (kind === 'enum') field.options = (schema.enum as string[]).slice();
  if (kind === 'number') {
    field.integer = typeOf(schema) === 'integer';
    const min = schema.minimum ?? schema.exclusiveMinimum;
    const max = schema.maximum ?? schema.exclusiveMaximum;
    // zod writes "no upper bound" for integers as MAX_SAFE_INTEGER: not worth showing.
    if (min !== undefined) field.min = min;
    if (max !== undefined && max < Number.MAX_SAFE_INTEGER) field.max = max;
  }
  if (kind === 'list') {
    const item = typeOf(schema.items ?? {});
    field.numericItems = item === 'number' || item === 'integer';
  }
  return field;
}

/** The form's fields, in the schema's order; `secretPaths` are the connector's `secretFields`. */
export function fieldsOf(schema: JsonSchema, secretPaths: readonly string[] = [], prefix = ''): FormField[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, child]) =>
    fieldOf(name, child, join(prefix, name), required.has(name), secretPaths, false),
  );
}

/**
 * A node form's fields, in the schema's order: besides what a connector form has, the fields a
 * widget hint names, unions told apart by a constant (drawn as a choice and the chosen shape's
 * fields) and lists of objects (drawn as rows).
 */
export function nodeFieldsOf(schema: JsonSchema, prefix = ''): FormField[] {
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, child]) =>
    fieldOf(name, child, join(prefix, name), required.has(name), [], true),
  );
}

function valueAt(config: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), config);
}

function textOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(String).join(', ');
  if (isObject(value)) return JSON.stringify(value);
  return String(value);
}

/** The draft for a stored config (as the API answers it, secrets masked). */
export function draftOf(fields: readonly FormField[], config: unknown): Draft {
  const draft: Draft = {};
  for (const field of fields) {
    const value = valueAt(config, field.path);
    switch (field.kind) {
      case 'group':
        Object.assign(draft, draftOf(field.fields, config));
        break;
      case 'boolean':
        if (typeof value === 'boolean') draft[field.path] = value;
        break;
      case 'map':
        if (value === SECRET_MASK) draft[field.path] = { masked: true, entries: [] };
        else if (isObject(value))
          draft[field.path] = {
            masked: false,
            entries: Object.entries(value).map(([key, v]) => ({ key, value: textOf(v) })),
          };
        break;
      case 'json':
        if (value !== undefined) draft[field.path] = JSON.stringify(value);
        break;
      // Node forms only: a connector form never has these.
      case 'widget':
      case 'union':
      case 'rows':
        break;
      default:
        if (value !== undefined) draft[field.path] = textOf(value);
    }
  }
  return draft;
}

/** A number as typed, or the text itself when it is none (the API then says what is wrong). */
function numberOf(text: string): number | string {
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

function listOf(text: string, numeric: boolean | undefined): (string | number)[] {
  const items = text
    .split(/[,，\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
  return numeric ? items.map(numberOf) : items;
}

function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function setAt(config: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = config;
  for (const key of keys.slice(0, -1)) {
    if (!isObject(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

function mapValue(field: MapField, text: string): unknown {
  if (field.valueKind === 'number') return numberOf(text);
  if (field.valueKind === 'list') return listOf(text, false);
  return text;
}

/**
 * The config to PUT. Empty fields are left out (the connector's defaults apply), and so are
 * secrets still masked: the API keeps the stored ones, so the browser never holds a secret it
 * was not given by the operator.
 */
export function configOf(fields: readonly FormField[], draft: Draft): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  const visit = (list: readonly FormField[]) => {
    for (const field of list) {
      const value = draft[field.path];
      switch (field.kind) {
        case 'group':
          visit(field.fields);
          break;
        case 'boolean':
          if (typeof value === 'boolean') setAt(config, field.path, value);
          break;
        case 'map': {
          if (typeof value !== 'object' || value.masked) break;
          const entries = value.entries.filter((e) => e.key.trim() !== '');
          if (entries.length === 0) break;
          setAt(
            config,
            field.path,
            Object.fromEntries(entries.map((e) => [e.key.trim(), mapValue(field, e.value)])),
          );
          break;
        }
        case 'widget':
        case 'union':
        case 'rows':
          break;
        default: {
          if (typeof value !== 'string' || value.trim() === '') break;
          if (field.secret && value === SECRET_MASK) break;
          if (field.kind === 'number') setAt(config, field.path, numberOf(value));
          else if (field.kind === 'list') setAt(config, field.path, listOf(value, field.numericItems));
          else if (field.kind === 'json') setAt(config, field.path, jsonOf(value));
          else setAt(config, field.path, value);
        }
      }
    }
  };
  visit(fields);
  return config;
}

/** Whether anything inside a group has a value (an optional group then shows open). */
export function groupHasValue(group: GroupField, draft: Draft): boolean {
  return Object.entries(draft).some(
    ([path, value]) =>
      path.startsWith(`${group.path}.`) &&
      value !== undefined &&
      value !== '' &&
      !(typeof value === 'object' && !value.masked && value.entries.length === 0),
  );
}

/**
 * The API's issues by the field they are about: a leaf or map takes those at or under its path
 * (`optOutCodes.0`, `robots.g1`), a group those naming it exactly (a missing `from`). Issues no
 * field takes (the config as a whole) come under the empty path.
 */
export function placeIssues(fields: readonly FormField[], issues: readonly Issue[]): Map<string, string[]> {
  const placed = new Map<string, string[]>();
  const add = (path: string, message: string) => placed.set(path, [...(placed.get(path) ?? []), message]);
  const owner = (list: readonly FormField[], path: string): string | undefined => {
    for (const field of list) {
      if (field.kind === 'group') {
        if (path === field.path) return field.path;
        if (path.startsWith(`${field.path}.`)) return owner(field.fields, path) ?? field.path;
      } else if (path === field.path || path.startsWith(`${field.path}.`)) return field.path;
    }
    return undefined;
  };
  for (const issue of issues) add(owner(fields, issue.path) ?? '', issue.message);
  return placed;
}
