import { Plus, Trash2 } from 'lucide-react';
import { type ReactNode, useId, useState } from 'react';
import {
  type BooleanField,
  type Draft,
  type DraftValue,
  type FormField,
  type GroupField,
  groupHasValue,
  type MapDraft,
  type MapField,
  type ScalarField,
  SECRET_MASK,
} from '../../editor/schema-form';
import { useLocale } from '../../hooks/useLocale';
import { IconButton } from '../common/IconButton';

/**
 * A connector's config form, drawn from the fields `fieldsOf` made of its JSON Schema. Each
 * field shows the API's issues at its path beside it.
 */

interface FormProps {
  fields: readonly FormField[];
  draft: Draft;
  onChange: (path: string, value: DraftValue) => void;
  issues: ReadonlyMap<string, string[]>;
}

const testId = (path: string) => `field-${path}`;

function Issues({ path, issues }: { path: string; issues: ReadonlyMap<string, string[]> }) {
  const mine = issues.get(path) ?? [];
  if (mine.length === 0) return null;
  return (
    <ul className="field__errors" role="alert" data-testid={`field-errors-${path}`}>
      {mine.map((message) => (
        <li key={message}>{message}</li>
      ))}
    </ul>
  );
}

/** A field's name in the operator's language, with its config key small beside it (what the API's issues and docs name). */
function Name({ field }: { field: FormField }) {
  const { locale } = useLocale();
  const label = field.label?.[locale];
  if (!label) return <code>{field.name}</code>;
  return (
    <>
      <span data-testid={`${testId(field.path)}-label`}>{label}</span>{' '}
      <code className="schema-field__key">{field.name}</code>
    </>
  );
}

/** What to enter, in the operator's language (a schema without words may still describe the field). */
function useHelp(field: FormField): string | undefined {
  const { locale } = useLocale();
  return field.help?.[locale] ?? field.description;
}

function Label({ field, htmlFor, extra }: { field: FormField; htmlFor?: string; extra?: ReactNode }) {
  const text = useLocale().t.channelsPage;
  return (
    <label htmlFor={htmlFor} className="schema-field__label">
      <Name field={field} />
      {field.required && <span className="schema-field__tag">{text.required}</span>}
      {extra}
    </label>
  );
}

function ScalarInput({
  field,
  value,
  onChange,
}: {
  field: ScalarField;
  value: DraftValue;
  onChange: FormProps['onChange'];
}) {
  const text = useLocale().t.channelsPage;
  const help = useHelp(field);
  const id = useId();
  const typed = typeof value === 'string' ? value : '';
  const stored = field.secret && typed === SECRET_MASK;
  const hints = [
    help,
    field.kind === 'list' ? text.listHint : undefined,
    field.kind === 'json' ? text.jsonHint : undefined,
    field.secret ? (stored ? text.secretKeepHint : text.secretNewHint) : undefined,
  ].filter(Boolean);
  const common = {
    id,
    'data-testid': testId(field.path),
    'aria-describedby': hints.length > 0 ? `${id}-help` : undefined,
  };
  let input: ReactNode;
  if (field.kind === 'enum') {
    input = (
      <select {...common} value={typed} onChange={(e) => onChange(field.path, e.target.value)}>
        <option value="">{field.placeholder ? text.enumDefault(field.placeholder) : text.enumUnset}</option>
        {field.options?.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    );
  } else if (field.kind === 'json') {
    input = (
      <textarea
        {...common}
        rows={3}
        className="code"
        value={typed}
        placeholder={field.placeholder}
        onChange={(e) => onChange(field.path, e.target.value)}
      />
    );
  } else {
    input = (
      <input
        {...common}
        type={field.secret ? 'password' : field.kind === 'number' ? 'number' : 'text'}
        // A stored secret never reaches the browser: the field stays empty and shows the mask.
        value={stored ? '' : typed}
        placeholder={stored ? SECRET_MASK : field.placeholder}
        autoComplete={field.secret ? 'new-password' : 'off'}
        min={field.min}
        max={field.max}
        step={field.integer ? 1 : undefined}
        onChange={(e) => onChange(field.path, e.target.value)}
      />
    );
  }
  return (
    <>
      <Label
        field={field}
        htmlFor={id}
        extra={
          stored && (
            <span
              className="schema-field__tag schema-field__tag--stored"
              data-testid={`${testId(field.path)}-stored`}
            >
              {text.secretStored}
            </span>
          )
        }
      />
      {input}
      {hints.length > 0 && (
        <p className="field__hint" id={`${id}-help`} data-testid={`${testId(field.path)}-help`}>
          {hints.join(' ')}
        </p>
      )}
    </>
  );
}

function BooleanInput({
  field,
  value,
  onChange,
}: {
  field: BooleanField;
  value: DraftValue;
  onChange: FormProps['onChange'];
}) {
  const id = useId();
  const help = useHelp(field);
  const checked = typeof value === 'boolean' ? value : (field.defaultValue ?? false);
  return (
    <>
      <div className="schema-field__check">
        <input
          id={id}
          type="checkbox"
          checked={checked}
          onChange={(e) => onChange(field.path, e.target.checked)}
          data-testid={testId(field.path)}
        />
        <Label field={field} htmlFor={id} />
      </div>
      {help && (
        <p className="field__hint" data-testid={`${testId(field.path)}-help`}>
          {help}
        </p>
      )}
    </>
  );
}

function MapInput({
  field,
  value,
  onChange,
}: {
  field: MapField;
  value: DraftValue;
  onChange: FormProps['onChange'];
}) {
  const { locale, t } = useLocale();
  const text = t.channelsPage;
  const help = useHelp(field);
  const name = field.label?.[locale] ?? field.name;
  const map: MapDraft = typeof value === 'object' ? value : { masked: false, entries: [] };
  const set = (entries: MapDraft['entries']) =>
    onChange(field.path, { masked: map.masked && entries.length === 0, entries });
  return (
    <>
      <Label field={field} />
      {help && (
        <p className="field__hint" data-testid={`${testId(field.path)}-help`}>
          {help}
        </p>
      )}
      {map.masked && (
        <p className="field__hint" data-testid={`${testId(field.path)}-stored`}>
          {text.mapMasked}
        </p>
      )}
      {!map.masked && map.entries.length === 0 && <p className="field__hint">{text.mapEmpty}</p>}
      {map.entries.length > 0 && (
        <div className="schema-map" data-testid={testId(field.path)}>
          <span className="schema-map__head">{text.mapKey}</span>
          <span className="schema-map__head">{text.mapValue}</span>
          <span />
          {map.entries.map((entry, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place; a key can be typed over
            <div className="schema-map__row" key={i}>
              <input
                aria-label={`${name} ${text.mapKey}`}
                value={entry.key}
                onChange={(e) =>
                  set(map.entries.map((x, j) => (j === i ? { ...x, key: e.target.value } : x)))
                }
                data-testid={`${testId(field.path)}-key-${i}`}
              />
              <input
                aria-label={`${name} ${text.mapValue}`}
                type={field.secret ? 'password' : field.valueKind === 'number' ? 'number' : 'text'}
                autoComplete={field.secret ? 'new-password' : 'off'}
                value={entry.value}
                onChange={(e) =>
                  set(map.entries.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))
                }
                data-testid={`${testId(field.path)}-value-${i}`}
              />
              <IconButton
                label={text.removeEntry}
                danger
                onClick={() => set(map.entries.filter((_, j) => j !== i))}
              >
                <Trash2 size={14} />
              </IconButton>
            </div>
          ))}
        </div>
      )}
      <div>
        <button
          type="button"
          className="link-button"
          onClick={() => set([...map.entries, { key: '', value: '' }])}
          data-testid={`${testId(field.path)}-add`}
        >
          <Plus size={14} /> {text.addEntry}
        </button>
      </div>
    </>
  );
}

function Group({ field, ...form }: { field: GroupField } & FormProps) {
  const text = useLocale().t.channelsPage;
  const help = useHelp(field);
  const hasIssue = [...form.issues.keys()].some((p) => p === field.path || p.startsWith(`${field.path}.`));
  const body = (
    <>
      {help && (
        <p className="field__hint" data-testid={`${testId(field.path)}-help`}>
          {help}
        </p>
      )}
      <Issues path={field.path} issues={form.issues} />
      <SchemaForm {...form} fields={field.fields} />
    </>
  );
  // Optional groups (a send window, a test template) start folded unless they hold something,
  // and stay as the operator left them; an issue inside opens one.
  const [open, setOpen] = useState(() => groupHasValue(field, form.draft));
  if (!field.required) {
    return (
      <details
        className="schema-group"
        open={open || hasIssue}
        onToggle={(e) => setOpen(e.currentTarget.open)}
        data-testid={`group-${field.path}`}
      >
        <summary>
          <Name field={field} /> <span className="schema-field__tag">{text.optional}</span>
        </summary>
        {body}
      </details>
    );
  }
  return (
    <fieldset className="schema-group" data-testid={`group-${field.path}`}>
      <legend>
        <Name field={field} /> <span className="schema-field__tag">{text.required}</span>
      </legend>
      {body}
    </fieldset>
  );
}

export function SchemaForm({ fields, draft, onChange, issues }: FormProps) {
  return (
    <>
      {fields.map((field) => {
        if (field.kind === 'group')
          return (
            <Group
              key={field.path}
              field={field}
              fields={fields}
              draft={draft}
              onChange={onChange}
              issues={issues}
            />
          );
        // Node forms only (NodeForm draws them): a connector form never has these.
        if (field.kind === 'widget' || field.kind === 'union' || field.kind === 'rows') return null;
        const value = draft[field.path];
        const hasIssue = issues.has(field.path);
        return (
          <div key={field.path} className={`field schema-field${hasIssue ? ' field--error' : ''}`}>
            {field.kind === 'boolean' ? (
              <BooleanInput field={field} value={value} onChange={onChange} />
            ) : field.kind === 'map' ? (
              <MapInput field={field} value={value} onChange={onChange} />
            ) : (
              <ScalarInput field={field} value={value} onChange={onChange} />
            )}
            <Issues path={field.path} issues={issues} />
          </div>
        );
      })}
    </>
  );
}
