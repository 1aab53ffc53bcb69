import { type Comparison, ComparisonOperator, type CompileError, type Condition } from '@sopflow/core';
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import {
  asSimple,
  DURATION_UNITS,
  type DurationUnit,
  fromSimple,
  joinDuration,
  kindOf,
  opIsNumeric,
  opTakesValue,
  parseValue,
  splitDuration,
  type ValueKind,
  valueText,
} from '../../editor/fields';
import { useLocale } from '../../hooks/useLocale';
import { errorMessage } from '../../i18n';
import { IconButton } from '../common/IconButton';

/**
 * The side panel's inputs. Each field names the path it edits inside the node (`message.text`),
 * and shows the compile errors at that path beside it, in the operator's language.
 */

/** Compile errors of one node keyed by their path inside it (`nodes[2].message.text` → `message.text`). */
export function localPath(error: CompileError): string {
  return (error.path ?? '').replace(/^nodes\[\d+\]\.?/, '');
}

export function errorsAt(errors: readonly CompileError[], path: string | undefined): CompileError[] {
  if (path === undefined) return [];
  return errors.filter((e) => {
    const p = localPath(e);
    return p === path || p.startsWith(`${path}.`) || p.startsWith(`${path}[`);
  });
}

export function FieldErrors({ errors }: { errors: readonly CompileError[] }) {
  const { locale } = useLocale();
  if (errors.length === 0) return null;
  return (
    <ul className="field__errors" role="alert">
      {errors.map((e, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rebuilt whole on each compile
        <li key={i}>{errorMessage(e, locale)}</li>
      ))}
    </ul>
  );
}

interface FieldProps {
  label: string;
  hint?: string;
  errors?: readonly CompileError[];
  path?: string;
  children: (id: string) => ReactNode;
  className?: string;
}

/** A labelled field with its hint and its errors. */
export function Field({ label, hint, errors = [], path, children, className }: FieldProps) {
  const id = useId();
  const mine = errorsAt(errors, path);
  return (
    <div className={`field${mine.length ? ' field--error' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children(id)}
      {hint && <p className="field__hint">{hint}</p>}
      <FieldErrors errors={mine} />
    </div>
  );
}

/** How a typed text stands for a value (ParsedInput, ParsedTextarea). */
export interface Parsed<T> {
  value: T;
  format: (value: T) => string;
  /** The value the text means, or undefined while it means none. */
  parse: (text: string) => { value: T } | undefined;
  onChange: (value: T) => void;
}

/**
 * The text of a field that parses what is typed: the value changes only when the text means one,
 * and the text stays as typed (so "1" on the way to "15" is not rewritten) until the value
 * changes from elsewhere.
 */
export function useParsedText<T>({ value, format, parse, onChange }: Parsed<T>) {
  const [text, setText] = useState(() => format(value));
  const last = useRef(value);
  useEffect(() => {
    if (value !== last.current) {
      last.current = value;
      setText(format(value));
    }
  }, [value, format]);
  const type = (next: string) => {
    setText(next);
    const parsed = parse(next);
    if (parsed !== undefined) {
      last.current = parsed.value;
      onChange(parsed.value);
    }
  };
  return [text, type] as const;
}

/** A text input that parses what is typed (useParsedText). */
export function ParsedInput<T>({
  value,
  format,
  parse,
  onChange,
  ...rest
}: Parsed<T> & Omit<React.InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange'>) {
  const [text, type] = useParsedText({ value, format, parse, onChange });
  return <input {...rest} value={text} onChange={(e) => type(e.target.value)} />;
}

const formatNumber = (n: number | undefined) => (n === undefined ? '' : String(n));
const parseNumber = (text: string) => {
  const n = Number(text.trim());
  return text.trim() !== '' && Number.isFinite(n) ? { value: n } : undefined;
};

export function NumberInput({
  value,
  onChange,
  ...rest
}: { value: number; onChange: (n: number) => void } & Omit<
  React.InputHTMLAttributes<HTMLInputElement>,
  'value' | 'onChange'
>) {
  return (
    <ParsedInput<number>
      {...rest}
      inputMode="decimal"
      value={value}
      format={formatNumber as (n: number) => string}
      parse={parseNumber}
      onChange={onChange}
    />
  );
}

const joinList = (list: readonly string[] | undefined) => (list ?? []).join(', ');

/** A comma-separated list (tags); empty means none. */
export function ListInput({
  value,
  onChange,
  ...rest
}: { value: string[] | undefined; onChange: (list: string[] | undefined) => void } & Omit<
  React.InputHTMLAttributes<HTMLInputElement>,
  'value' | 'onChange'
>) {
  return (
    <ParsedInput<string[] | undefined>
      {...rest}
      value={value}
      format={joinList}
      parse={(text) => {
        const list = text
          .split(/[,，]/)
          .map((s) => s.trim())
          .filter(Boolean);
        return { value: list.length ? list : undefined };
      }}
      onChange={onChange}
    />
  );
}

/** An ISO-8601 duration, picked as an amount and a unit; anything else typed as ISO text. */
export function DurationField({
  label,
  value,
  onChange,
  errors,
  path,
  testId,
}: {
  label: string;
  value: string;
  onChange: (iso: string) => void;
  errors: readonly CompileError[];
  path: string;
  testId: string;
}) {
  const { t } = useLocale();
  const split = splitDuration(value);
  const [raw, setRaw] = useState(split === undefined);
  const simple = split ?? { amount: 1, unit: 'D' as DurationUnit };
  return (
    <Field label={label} errors={errors} path={path} hint={raw ? t.customDurationHint : undefined}>
      {(id) => (
        <div className="duration" data-testid={testId}>
          {raw ? (
            <input
              id={id}
              value={value}
              onChange={(e) => onChange(e.target.value.trim().toUpperCase())}
              data-testid={`${testId}-iso`}
            />
          ) : (
            <>
              <NumberInput
                id={id}
                className="duration__amount"
                value={simple.amount}
                min={1}
                onChange={(n) => n > 0 && Number.isInteger(n) && onChange(joinDuration(n, simple.unit))}
                data-testid={`${testId}-amount`}
              />
              <select
                aria-label={label}
                value={simple.unit}
                onChange={(e) => onChange(joinDuration(simple.amount, e.target.value as DurationUnit))}
                data-testid={`${testId}-unit`}
              >
                {[...DURATION_UNITS, ...(simple.unit === 'S' ? (['S'] as const) : [])].map((u) => (
                  <option key={u} value={u}>
                    {t.units[u]}
                  </option>
                ))}
              </select>
            </>
          )}
          <button
            type="button"
            className="link-button"
            aria-pressed={raw}
            onClick={() => setRaw((r) => !r || splitDuration(value) === undefined)}
          >
            {t.customDuration}
          </button>
        </div>
      )}
    </Field>
  );
}

/** Fields conditions usually read; the datalist only suggests, any path may be typed. */
export function fieldSuggestions(extra: readonly string[]): string[] {
  return [
    'contact.name',
    'contact.tags',
    'contact.points',
    'contact.email',
    'contact.phone',
    'contact.wecomUserId',
    'contact.timezone',
    'contact.attributes.tier',
    'contact.attributes.city',
    'lastEvent.name',
    'lastEvent.payload.text',
    ...extra,
  ];
}

function ComparisonRow({
  value,
  onChange,
  onRemove,
  listId,
  testId,
}: {
  value: Comparison;
  onChange: (c: Comparison) => void;
  onRemove?: () => void;
  listId: string;
  testId: string;
}) {
  const { t } = useLocale();
  const [kind, setKind] = useState<ValueKind>(() => kindOf(value.value));
  const takesValue = opTakesValue(value.op);
  const numeric = opIsNumeric(value.op);
  return (
    <div className="comparison" data-testid={testId}>
      <input
        aria-label={t.field}
        className="comparison__field"
        list={listId}
        value={value.field}
        placeholder="contact.attributes.tier"
        onChange={(e) => onChange({ ...value, field: e.target.value })}
        data-testid={`${testId}-field`}
      />
      <select
        aria-label={t.op}
        value={value.op}
        onChange={(e) => {
          const op = e.target.value as Comparison['op'];
          const next = parseValue(valueText(value.value), opIsNumeric(op) ? 'number' : kind, op);
          onChange({ field: value.field, op, ...(next === undefined ? {} : { value: next }) });
        }}
        data-testid={`${testId}-op`}
      >
        {ComparisonOperator.options.map((op) => (
          <option key={op} value={op}>
            {t.ops[op] ?? op}
          </option>
        ))}
      </select>
      {takesValue && (
        <>
          <ParsedInput<Comparison['value']>
            aria-label={t.value}
            className="comparison__value"
            value={value.value}
            format={valueText}
            parse={(text) => ({ value: parseValue(text, numeric ? 'number' : kind, value.op) })}
            onChange={(v) => onChange({ ...value, value: v })}
            data-testid={`${testId}-value`}
          />
          {!numeric && (
            <select
              aria-label={t.value}
              value={kind}
              onChange={(e) => {
                const next = e.target.value as ValueKind;
                setKind(next);
                onChange({ ...value, value: parseValue(valueText(value.value), next, value.op) });
              }}
            >
              {(['text', 'number', 'boolean'] as const).map((k) => (
                <option key={k} value={k}>
                  {t.valueKinds[k]}
                </option>
              ))}
            </select>
          )}
        </>
      )}
      {onRemove && (
        <IconButton label={t.remove} onClick={onRemove}>
          ×
        </IconButton>
      )}
    </div>
  );
}

/**
 * A condition as rows of field / operator / value joined by "all of" or "any of". A nested
 * condition (not, all inside any) is left to the JSON editor.
 */
export function ConditionEditor({
  value,
  onChange,
  suggestions,
  testId,
}: {
  value: Condition;
  onChange: (c: Condition) => void;
  suggestions: readonly string[];
  testId: string;
}) {
  const { t } = useLocale();
  const listId = useId();
  const simple = asSimple(value);
  if (!simple) return <p className="field__hint">{t.complexCondition}</p>;
  const { join, items } = simple;
  const set = (next: Comparison[], nextJoin = join) => onChange(fromSimple(nextJoin, next));
  return (
    <div className="condition" data-testid={testId}>
      <datalist id={listId}>
        {suggestions.map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
      {items.length > 1 && (
        <select
          aria-label={t.joinAll}
          value={join}
          onChange={(e) => set(items, e.target.value as 'all' | 'any')}
          className="condition__join"
        >
          <option value="all">{t.joinAll}</option>
          <option value="any">{t.joinAny}</option>
        </select>
      )}
      {items.map((item, i) => (
        <ComparisonRow
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
          key={i}
          value={item}
          listId={listId}
          testId={`${testId}-${i}`}
          onChange={(c) => set(items.map((x, j) => (j === i ? c : x)))}
          onRemove={items.length > 1 ? () => set(items.filter((_, j) => j !== i)) : undefined}
        />
      ))}
      <button
        type="button"
        className="link-button"
        onClick={() => set([...items, { field: 'contact.tags', op: 'contains', value: '' }])}
      >
        + {t.addComparison}
      </button>
    </div>
  );
}
