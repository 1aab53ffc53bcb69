import type { BranchNode, Condition, FlowNode, MessageContent, SplitNode } from '@sopflow/core';
import { Plus, Trash2 } from 'lucide-react';
import type { ReactNode } from 'react';
import type {
  FormField,
  GroupField,
  MapField,
  RowsField,
  UnionField,
  WidgetField,
} from '../../editor/schema-form';
import { useLocale } from '../../hooks/useLocale';
import type { Locale } from '../../i18n';
import {
  isShown,
  nodeFormFields,
  parentPath,
  startValue,
  unionValue,
  valueAt,
  withValue,
} from '../../nodes/form';
import { IconButton } from '../common/IconButton';
import { DurationField, errorsAt, Field, FieldErrors, ListInput, ParsedInput } from './fields';
import {
  ArmsField,
  BranchesField,
  ChannelSelect,
  ConditionField,
  conditionFields,
  type FormProps,
  MessageField,
  ParsedTextarea,
  TimeZoneList,
  WeekdaysField,
} from './forms';
import { TagsInput } from './TagsInput';

/**
 * A node's form, generated from its type's core schema (`nodeFormFields`): each field drawn by
 * its kind (text, number, choice, list, group, rows, key/value lines, a union's shape) or the
 * widget its schema names, labelled in the operator's language, with its compile errors beside it.
 */

const testIdOf = (path: string) => `field-${path.replace(/\./g, '-')}`;

const labelOf = (field: FormField, locale: Locale) => field.label?.[locale] ?? field.name;
const helpOf = (field: FormField, locale: Locale) => field.help?.[locale];

/** What one field needs: the node, how to set a value at a path, and the form's context. */
interface FieldContext extends FormProps {
  set: (path: string, value: unknown) => void;
}

export function NodeForm(props: FormProps) {
  const { node, edit } = props;
  const set = (path: string, value: unknown) => edit(path, (n) => withValue(n, path, value));
  return <Fields fields={nodeFormFields(node.type)} context={{ ...props, set }} />;
}

function Fields({ fields, context }: { fields: readonly FormField[]; context: FieldContext }) {
  return (
    <>
      {fields.map((field) =>
        isShown(field, valueAt(context.node, parentPath(field.path)) ?? context.node) ? (
          <FieldView key={field.path} field={field} context={context} />
        ) : null,
      )}
    </>
  );
}

function FieldView({ field, context }: { field: FormField; context: FieldContext }) {
  const { locale } = useLocale();
  const { node, errors, set } = context;
  const value = valueAt(node, field.path);
  const label = labelOf(field, locale);
  const hint = helpOf(field, locale);
  const testId = testIdOf(field.path);
  switch (field.kind) {
    case 'widget':
      return <WidgetView field={field} context={context} />;
    case 'group':
      return <GroupView field={field} context={context} />;
    case 'union':
      return <UnionView field={field} context={context} />;
    case 'rows':
      return <RowsView field={field} context={context} />;
    case 'boolean':
      return (
        <div className="field">
          <label className="checkbox">
            <input
              type="checkbox"
              checked={typeof value === 'boolean' ? value : (field.defaultValue ?? false)}
              onChange={(e) => set(field.path, e.target.checked)}
              data-testid={testId}
            />
            {label}
          </label>
          {hint && <p className="field__hint">{hint}</p>}
          <FieldErrors errors={errorsAt(errors, field.path)} />
        </div>
      );
    default:
      return (
        <Field label={label} hint={hint} errors={errors} path={field.path}>
          {(id) => (
            <Input id={id} field={field} value={value} set={(v) => set(field.path, v)} testId={testId} />
          )}
        </Field>
      );
  }
}

/** A leaf input: text, a number, a choice, a list, key/value lines or JSON. */
function Input({
  id,
  field,
  value,
  set,
  testId,
  ariaLabel,
}: {
  id: string;
  /** For inputs without a label of their own (a row's cells). */
  ariaLabel?: string;
  field: Exclude<FormField, GroupField | UnionField | RowsField | WidgetField | { kind: 'boolean' }>;
  value: unknown;
  set: (value: unknown) => void;
  testId: string;
}) {
  const { t } = useLocale();
  switch (field.kind) {
    case 'enum':
      return (
        <select
          id={id}
          aria-label={ariaLabel}
          value={String(value ?? '')}
          onChange={(e) => set(e.target.value || undefined)}
          data-testid={testId}
        >
          {!field.required && <option value="">{field.placeholder ?? '—'}</option>}
          {field.options?.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      );
    case 'number':
      return (
        <ParsedInput<number | undefined>
          id={id}
          aria-label={ariaLabel}
          className="weight"
          inputMode="decimal"
          value={value as number | undefined}
          placeholder={field.placeholder}
          format={(n) => (n === undefined ? '' : String(n))}
          parse={(text) => {
            if (text.trim() === '') return field.required ? undefined : { value: undefined };
            const n = Number(text);
            return Number.isFinite(n) && (!field.integer || Number.isInteger(n)) ? { value: n } : undefined;
          }}
          onChange={set}
          data-testid={testId}
        />
      );
    case 'list':
      return <ListInput id={id} value={value as string[] | undefined} onChange={set} data-testid={testId} />;
    case 'map':
      return (
        <>
          <ParsedTextarea
            id={id}
            value={value as Record<string, unknown> | undefined}
            format={formatMap}
            parse={(text) => ({ value: parseMap(text, field.valueKind) })}
            onChange={set}
            testId={testId}
          />
          <p className="field__hint">{t.mapHint}</p>
        </>
      );
    case 'json':
      return (
        <ParsedTextarea
          id={id}
          className="code"
          value={value}
          format={(v) => (v === undefined ? '' : JSON.stringify(v))}
          parse={(text) => {
            if (text.trim() === '') return { value: undefined };
            try {
              return { value: JSON.parse(text) as unknown };
            } catch {
              return undefined;
            }
          }}
          onChange={set}
          testId={testId}
        />
      );
    default:
      return (
        <input
          id={id}
          aria-label={ariaLabel}
          value={String(value ?? '')}
          placeholder={field.placeholder ?? ariaLabel}
          onChange={(e) => set(e.target.value === '' && !field.required ? undefined : e.target.value)}
          data-testid={testId}
        />
      );
  }
}

/** Key/value pairs as lines of `key: value` (or `key=value`). */
function formatMap(map: Record<string, unknown> | undefined): string {
  return Object.entries(map ?? {})
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
}

function parseMap(text: string, kind: MapField['valueKind']): Record<string, unknown> | undefined {
  const entries = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const at = line.search(/[:=]/);
      const key = (at < 0 ? line : line.slice(0, at)).trim();
      const raw = at < 0 ? '' : line.slice(at + 1).trim();
      return [key, kind === 'text' ? raw : scalarOf(raw)] as const;
    });
  return entries.length ? Object.fromEntries(entries) : undefined;
}

/** What a typed value means: true/false, a number, or the text. */
function scalarOf(raw: string): string | number | boolean {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  return raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
}

/** A nested object: a fieldset when required, switched on and off when optional. */
function GroupView({ field, context }: { field: GroupField; context: FieldContext }) {
  const { locale } = useLocale();
  const value = valueAt(context.node, field.path);
  const label = labelOf(field, locale);
  const hint = helpOf(field, locale);
  const mine = context.errors.filter((e) => (e.path ?? '').endsWith(`].${field.path}`));
  if (!field.required) {
    return (
      <fieldset
        className={`node-group${value === undefined ? ' node-group--off' : ''}`}
        data-testid={`group-${field.path}`}
      >
        <legend>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={value !== undefined}
              onChange={(e) => context.set(field.path, e.target.checked ? startValue(field) : undefined)}
              data-testid={`${testIdOf(field.path)}-on`}
            />
            {label}
          </label>
        </legend>
        {hint && <p className="field__hint">{hint}</p>}
        {value !== undefined && <Fields fields={field.fields} context={context} />}
        <FieldErrors errors={mine} />
      </fieldset>
    );
  }
  return (
    <fieldset className="node-group" data-testid={`group-${field.path}`}>
      <legend>{label}</legend>
      {hint && <p className="field__hint">{hint}</p>}
      <Fields fields={field.fields} context={context} />
      <FieldErrors errors={mine} />
    </fieldset>
  );
}

/** One of several shapes: a choice of which, then the chosen shape's fields. */
function UnionView({ field, context }: { field: UnionField; context: FieldContext }) {
  const { locale } = useLocale();
  const value = valueAt(context.node, field.path);
  const choice = String(valueAt(value, field.discriminator) ?? '');
  const option = field.options.find((o) => o.value === choice);
  const path = `${field.path}.${field.discriminator}`;
  return (
    <>
      <Field label={labelOf(field, locale)} hint={helpOf(field, locale)} errors={context.errors} path={path}>
        {(id) => (
          <select
            id={id}
            value={choice}
            onChange={(e) => context.set(field.path, unionValue(field, e.target.value, value))}
            data-testid={testIdOf(path)}
          >
            {/* An optional choice left out (a step saved before it existed) shows as such, not as the first option. */}
            {!option && <option value="">—</option>}
            {field.options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label?.[locale] ?? o.value}
              </option>
            ))}
          </select>
        )}
      </Field>
      {option && <Fields fields={option.fields} context={context} />}
    </>
  );
}

/** A list of objects as rows of small inputs, added and removed. */
function RowsView({ field, context }: { field: RowsField; context: FieldContext }) {
  const { t, locale } = useLocale();
  const rows = (valueAt(context.node, field.path) as Record<string, unknown>[] | undefined) ?? [];
  const setRows = (next: Record<string, unknown>[]) =>
    context.set(field.path, next.length || field.required ? next : undefined);
  const setCell = (i: number, name: string, v: unknown) =>
    setRows(rows.map((row, j) => (j === i ? withValue(row, name, v) : row)));
  const fresh = () =>
    Object.fromEntries(
      field.fields
        .filter((f) => f.required)
        .map((f) => [f.name, f.name === 'name' ? `field${rows.length + 1}` : startValue(f)]),
    );
  return (
    <div className="field" data-testid={testIdOf(field.path)}>
      <span className="field__label">{labelOf(field, locale)}</span>
      {rows.map((row, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
        <div className="row" key={i}>
          {field.fields.map((cell): ReactNode => {
            const v = row[cell.name];
            const cellLabel = labelOf(cell, locale);
            if (cell.kind === 'boolean')
              return (
                <label className="checkbox" key={cell.name}>
                  <input
                    type="checkbox"
                    checked={typeof v === 'boolean' ? v : (cell.defaultValue ?? false)}
                    onChange={(e) => setCell(i, cell.name, e.target.checked)}
                  />
                  {cellLabel}
                </label>
              );
            if (cell.kind === 'enum' || cell.kind === 'number' || cell.kind === 'text')
              return (
                <Input
                  key={cell.name}
                  ariaLabel={cellLabel}
                  id={`${field.path}-${i}-${cell.name}`}
                  field={cell}
                  value={v}
                  set={(next) => setCell(i, cell.name, next)}
                  testId={`${testIdOf(field.path)}-${i}-${cell.name}`}
                />
              );
            return null;
          })}
          <IconButton label={t.remove} onClick={() => setRows(rows.filter((_, j) => j !== i))}>
            <Trash2 size={14} />
          </IconButton>
        </div>
      ))}
      <div>
        <button type="button" className="link-button" onClick={() => setRows([...rows, fresh()])}>
          <Plus size={14} /> {t.addRow}
        </button>
      </div>
      {field.help && <p className="field__hint">{helpOf(field, locale)}</p>}
      <FieldErrors errors={errorsAt(context.errors, field.path)} />
    </div>
  );
}

/** The fields the schema names a widget for: each drawn by its hand-written editor. */
function WidgetView({ field, context }: { field: WidgetField; context: FieldContext }) {
  const { locale } = useLocale();
  const { node, errors, set, doc } = context;
  const value = valueAt(node, field.path);
  const label = labelOf(field, locale);
  const hint = helpOf(field, locale);
  const testId = testIdOf(field.path);
  const path = field.path;
  // What every widget's field shows: its words, and the compile errors at its path.
  const labelled = { label, errors, path };
  switch (field.widget) {
    case 'message':
      return (
        <MessageField
          {...labelled}
          value={value as MessageContent | undefined}
          onChange={(key, message) =>
            context.edit(`${path}.${key}`, (n) => withValue(n, path, message) as FlowNode)
          }
          channel={valueAt(node, [parentPath(path), 'channel'].filter(Boolean).join('.'))}
          required={field.required}
          testId={testId}
          doc={doc}
          renderContext={context.renderContext}
        />
      );
    case 'duration':
      return (
        <DurationField
          {...labelled}
          value={String(value ?? '')}
          onChange={(iso) => set(path, iso)}
          testId={testId}
        />
      );
    case 'condition': {
      // An event filter reads the event (`payload.*`); other conditions what the flow knows.
      const payload = field.name === 'filter';
      return (
        <ConditionField
          {...labelled}
          value={value as Condition | undefined}
          onChange={(c) => set(path, c)}
          suggestions={[...conditionFields(doc, payload), ...(payload ? conditionFields(doc, false) : [])]}
          testId={testId}
          required={field.required}
        />
      );
    }
    case 'channel':
      return (
        <Field {...labelled} hint={hint}>
          {(id) => (
            <ChannelSelect
              id={id}
              value={value as string | undefined}
              onChange={(c) => set(path, c)}
              testId={testId}
            />
          )}
        </Field>
      );
    case 'timezone':
      return (
        <Field {...labelled} hint={hint}>
          {(id) => (
            <>
              <input
                id={id}
                list={`${id}-zones`}
                value={String(value ?? '')}
                placeholder={doc.settings.timezone}
                onChange={(e) => set(path, e.target.value || undefined)}
                data-testid={testId}
              />
              <TimeZoneList id={`${id}-zones`} />
            </>
          )}
        </Field>
      );
    case 'time':
    case 'date':
      return (
        <Field {...labelled} hint={hint}>
          {(id) => (
            <input
              id={id}
              type={field.widget}
              value={String(value ?? '')}
              onChange={(e) =>
                e.target.value ? set(path, e.target.value) : !field.required && set(path, undefined)
              }
              data-testid={testId}
            />
          )}
        </Field>
      );
    case 'tags':
      return (
        <Field {...labelled} hint={hint}>
          {(id) => (
            <TagsInput
              id={id}
              value={value as string[] | undefined}
              onChange={(tags) => set(path, tags)}
              testId={testId}
            />
          )}
        </Field>
      );
    case 'weekdays':
      return (
        <WeekdaysField
          {...labelled}
          value={value as number[] | undefined}
          onChange={(days) => set(path, days)}
        />
      );
    case 'textarea':
      return (
        <Field {...labelled} hint={hint}>
          {(id) => (
            <textarea
              id={id}
              rows={4}
              value={String(value ?? '')}
              onChange={(e) => set(path, e.target.value || undefined)}
              data-testid={testId}
            />
          )}
        </Field>
      );
    case 'branches':
      return <BranchesField {...(context as unknown as FormProps<BranchNode>)} label={label} hint={hint} />;
    case 'arms':
      return <ArmsField {...(context as unknown as FormProps<SplitNode>)} label={label} />;
  }
}
