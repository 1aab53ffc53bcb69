import {
  type BranchNode,
  BUILTIN_CHANNELS,
  type CompileError,
  type Condition,
  type FlowDocument,
  type FlowNode,
  HttpRequestNode,
  PayloadField,
  type SendNode,
  type SplitNode,
  type StaffTaskNode,
  Trigger,
  type TriggerNode,
  type UpdateContactNode,
  type WaitForEventNode,
  type WaitNode,
  type WaitUntilNode,
} from '@sopflow/core';
import { ArrowDown, ArrowUp, Trash2 } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { renameExit } from '../../editor/document';
import { useLocale } from '../../hooks/useLocale';
import {
  ConditionEditor,
  DurationField,
  errorsAt,
  Field,
  FieldErrors,
  ListInput,
  NumberInput,
  ParsedInput,
} from './fields';
import { MessageEditor } from './MessageEditor';

/** What every form gets: the node, a way to change it, its compile errors, and the flow around it. */
export interface FormProps<T extends FlowNode> {
  node: T;
  /** Changes the node; `key` folds a burst of changes to one field into one undo step. */
  edit: (key: string, fn: (node: T) => FlowNode) => void;
  /** Changes the whole document (for edits that touch edges too, like renaming an exit). */
  updateDoc: (fn: (doc: FlowDocument) => FlowDocument) => void;
  errors: readonly CompileError[];
  doc: FlowDocument;
  /** The sample data message previews render with. */
  renderContext: object;
}

const TRIGGER_KINDS = Trigger.options.map((o) => o.shape.kind.value);

/** Time zones the browser knows, for pickers (a free text field where it lists none). */
export const TIME_ZONES: readonly string[] = (() => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [
      'Asia/Shanghai',
      'Asia/Hong_Kong',
      'Asia/Taipei',
      'Asia/Singapore',
      'Asia/Tokyo',
      'Europe/London',
      'UTC',
    ];
  }
})();

export function TimeZoneList({ id }: { id: string }) {
  return (
    <datalist id={id}>
      {TIME_ZONES.map((z) => (
        <option key={z} value={z} />
      ))}
    </datalist>
  );
}

/** The trigger's declared payload fields, or undefined when the payload is free-form. */
function declaredPayload(doc: FlowDocument): string[] | undefined {
  const trigger = doc.nodes.find((n): n is TriggerNode => n.type === 'trigger');
  const payload = trigger && 'payload' in trigger.trigger ? trigger.trigger.payload : undefined;
  return payload?.map((f) => f.name);
}

/** Variables a message may insert, from what this flow knows. */
export function messageVariables(doc: FlowDocument): string[] {
  const event = declaredPayload(doc)?.map((f) => `event.${f}`) ?? [];
  const http = doc.nodes.filter((n) => n.type === 'http_request').map((n) => `http.${n.id}.body`);
  const waits = doc.nodes.some((n) => n.type === 'wait_for_event') ? ['lastEvent.payload.text'] : [];
  return [
    'contact.name',
    'contact.attributes.tier',
    'contact.points',
    ...event,
    ...http,
    ...waits,
    'flow.name',
  ];
}

function conditionFields(doc: FlowDocument, payload: boolean): string[] {
  if (payload) return ['payload.amount', 'payload.text', 'payload.url'];
  const event = (declaredPayload(doc) ?? []).map((f) => `event.${f}`);
  const http = doc.nodes.filter((n) => n.type === 'http_request').map((n) => `http.${n.id}.status`);
  return [...event, ...http];
}

const DEFAULT_COMPARISON: Condition = { field: 'contact.attributes.tier', op: 'eq', value: 'vip' };

/** An optional condition: off, or on with the condition builder. */
function OptionalCondition({
  label,
  value,
  onChange,
  suggestions,
  errors,
  path,
  testId,
}: {
  label: string;
  value: Condition | undefined;
  onChange: (c: Condition | undefined) => void;
  suggestions: string[];
  errors: readonly CompileError[];
  path: string;
  testId: string;
}) {
  const { t } = useLocale();
  return (
    <div className="field">
      <span className="field__label">{label}</span>
      {value ? (
        <>
          <ConditionEditor value={value} onChange={onChange} suggestions={suggestions} testId={testId} />
          <button type="button" className="link-button" onClick={() => onChange(undefined)}>
            {t.removeFilter}
          </button>
        </>
      ) : (
        <button type="button" className="link-button" onClick={() => onChange(DEFAULT_COMPARISON)}>
          + {t.addFilter}
        </button>
      )}
      <FieldErrors errors={errorsAt(errors, path)} />
    </div>
  );
}

function defaultTrigger(kind: string, old: TriggerNode['trigger']): TriggerNode['trigger'] {
  const event = 'event' in old ? old.event : 'webhook';
  const payload = 'payload' in old ? old.payload : undefined;
  switch (kind) {
    case 'webhook':
      return { kind, event, ...(payload ? { payload } : {}) };
    case 'event':
      return { kind, event: event === 'webhook' ? 'member.joined' : event, ...(payload ? { payload } : {}) };
    case 'manual':
      return { kind, ...(payload ? { payload } : {}) };
    case 'audience':
      return { kind };
    default:
      return { kind: 'schedule', cron: '0 20 * * *' };
  }
}

function PayloadFields({ node, edit, errors }: FormProps<TriggerNode>) {
  const { t } = useLocale();
  if (!('payload' in node.trigger) && !['webhook', 'event', 'manual'].includes(node.trigger.kind))
    return null;
  const trigger = node.trigger as Extract<TriggerNode['trigger'], { kind: 'webhook' | 'event' | 'manual' }>;
  const fields = trigger.payload ?? [];
  const setFields = (next: PayloadField[]) =>
    edit(
      'payload',
      (n) => ({ ...n, trigger: { ...trigger, payload: next.length ? next : undefined } }) as FlowNode,
    );
  return (
    <div className="field">
      <span className="field__label">{t.payloadFields}</span>
      {fields.map((f, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
        <div className="row" key={i}>
          <input
            aria-label={t.fieldName}
            value={f.name}
            onChange={(e) => setFields(fields.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)))}
          />
          <select
            aria-label={t.fieldType}
            value={f.type}
            onChange={(e) =>
              setFields(
                fields.map((x, j) => (j === i ? { ...x, type: e.target.value as PayloadField['type'] } : x)),
              )
            }
          >
            {PayloadField.shape.type.options.map((ty) => (
              <option key={ty} value={ty}>
                {ty}
              </option>
            ))}
          </select>
          <label className="checkbox">
            <input
              type="checkbox"
              checked={f.required}
              onChange={(e) =>
                setFields(fields.map((x, j) => (j === i ? { ...x, required: e.target.checked } : x)))
              }
            />
            {t.required}
          </label>
          <button
            type="button"
            className="icon-button"
            aria-label={t.remove}
            onClick={() => setFields(fields.filter((_, j) => j !== i))}
          >
            ×
          </button>
        </div>
      ))}
      <button
        type="button"
        className="link-button"
        onClick={() =>
          setFields([...fields, { name: `field${fields.length + 1}`, type: 'string', required: false }])
        }
      >
        + {t.addField}
      </button>
      <p className="field__hint">{t.payloadFieldsHint}</p>
      <FieldErrors errors={errorsAt(errors, 'trigger.payload')} />
    </div>
  );
}

export function TriggerForm(props: FormProps<TriggerNode>) {
  const { t } = useLocale();
  const { node, edit, errors, doc } = props;
  const trigger = node.trigger;
  const setTrigger = (key: string, next: TriggerNode['trigger']) =>
    edit(key, (n) => ({ ...n, trigger: next }));
  return (
    <>
      <Field label={t.triggerKind} errors={errors} path="trigger.kind">
        {(id) => (
          <select
            id={id}
            value={trigger.kind}
            onChange={(e) => setTrigger('kind', defaultTrigger(e.target.value, trigger))}
            data-testid="field-trigger-kind"
          >
            {TRIGGER_KINDS.map((k) => (
              <option key={k} value={k}>
                {t.triggerKinds[k] ?? k}
              </option>
            ))}
          </select>
        )}
      </Field>
      {(trigger.kind === 'webhook' || trigger.kind === 'event') && (
        <Field label={t.eventName} hint={t.eventNameHint} errors={errors} path="trigger.event">
          {(id) => (
            <input
              id={id}
              value={trigger.event}
              onChange={(e) => setTrigger('event', { ...trigger, event: e.target.value.trim() })}
              data-testid="field-trigger-event"
            />
          )}
        </Field>
      )}
      {trigger.kind === 'schedule' && (
        <>
          <Field label={t.cron} hint={t.cronHint} errors={errors} path="trigger.cron">
            {(id) => (
              <input
                id={id}
                value={trigger.cron}
                onChange={(e) => setTrigger('cron', { ...trigger, cron: e.target.value })}
              />
            )}
          </Field>
          <Field label={t.timezone} errors={errors} path="trigger.timezone">
            {(id) => (
              <>
                <input
                  id={id}
                  list={`${id}-zones`}
                  value={trigger.timezone ?? ''}
                  placeholder={doc.settings.timezone}
                  onChange={(e) => setTrigger('tz', { ...trigger, timezone: e.target.value || undefined })}
                />
                <TimeZoneList id={`${id}-zones`} />
              </>
            )}
          </Field>
        </>
      )}
      {trigger.kind === 'event' && (
        <OptionalCondition
          label={t.filter}
          value={trigger.filter}
          onChange={(filter) => setTrigger('filter', { ...trigger, filter })}
          suggestions={conditionFields(doc, true)}
          errors={errors}
          path="trigger.filter"
          testId="field-trigger-filter"
        />
      )}
      {(trigger.kind === 'audience' || trigger.kind === 'schedule') && (
        <OptionalCondition
          label={t.filter}
          value={trigger.where}
          onChange={(where) => setTrigger('where', { ...trigger, where })}
          suggestions={conditionFields(doc, false)}
          errors={errors}
          path="trigger.where"
          testId="field-trigger-where"
        />
      )}
      <PayloadFields {...props} />
    </>
  );
}

function ChannelSelect({
  id,
  value,
  onChange,
  testId,
  none,
}: {
  id: string;
  value: string | undefined;
  onChange: (channel: string | undefined) => void;
  testId: string;
  none?: string;
}) {
  const { t } = useLocale();
  const channels: string[] = [...BUILTIN_CHANNELS];
  if (value && !channels.includes(value)) channels.push(value);
  return (
    <select
      id={id}
      value={value ?? ''}
      onChange={(e) => onChange(e.target.value || undefined)}
      data-testid={testId}
    >
      {none !== undefined && <option value="">{none}</option>}
      {channels.map((c) => (
        <option key={c} value={c}>
          {t.channels[c] ?? c}
        </option>
      ))}
    </select>
  );
}

export function SendForm({ node, edit, errors, doc, renderContext }: FormProps<SendNode>) {
  const { t } = useLocale();
  const variables = messageVariables(doc);
  return (
    <>
      <Field label={t.channel} errors={errors} path="channel">
        {(id) => (
          <ChannelSelect
            id={id}
            value={node.channel}
            onChange={(channel) => channel && edit('channel', (n) => ({ ...n, channel }))}
            testId="field-channel"
          />
        )}
      </Field>
      {node.channel === 'email' && (
        <Field label={t.subject} errors={errors} path="message.subject">
          {(id) => (
            <input
              id={id}
              value={node.message.subject ?? ''}
              onChange={(e) =>
                edit('subject', (n) => ({
                  ...n,
                  message: { ...n.message, subject: e.target.value || undefined },
                }))
              }
              data-testid="field-subject"
            />
          )}
        </Field>
      )}
      <MessageEditor
        label={t.message}
        value={node.message.text}
        onChange={(text) => edit('text', (n) => ({ ...n, message: { ...n.message, text } }))}
        variables={variables}
        context={renderContext}
        errors={errors}
        path="message.text"
        testId="field-message"
      />
      <Field label={t.fallback} errors={errors} path="fallback">
        {(id) => (
          <ChannelSelect
            id={id}
            value={node.fallback?.channel}
            none={t.fallbackNone}
            onChange={(channel) =>
              edit('fallback', (n) => ({
                ...n,
                fallback: channel ? { ...(n as SendNode).fallback, channel } : undefined,
              }))
            }
            testId="field-fallback"
          />
        )}
      </Field>
      {node.fallback && (
        <Field label={t.fallbackMessage} errors={errors} path="fallback.message">
          {(id) => (
            <textarea
              id={id}
              rows={3}
              value={node.fallback?.message?.text ?? ''}
              onChange={(e) =>
                edit('fallback-text', (n) => {
                  const fb = (n as SendNode).fallback!;
                  return {
                    ...n,
                    fallback: {
                      channel: fb.channel,
                      ...(e.target.value ? { message: { text: e.target.value } } : {}),
                    },
                  };
                })
              }
            />
          )}
        </Field>
      )}
    </>
  );
}

export function WaitForm({ node, edit, errors }: FormProps<WaitNode>) {
  const { t } = useLocale();
  return (
    <DurationField
      label={t.duration}
      value={node.duration}
      onChange={(duration) => edit('duration', (n) => ({ ...n, duration }))}
      errors={errors}
      path="duration"
      testId="field-duration"
    />
  );
}

export function WaitUntilForm({ node, edit, errors, doc }: FormProps<WaitUntilNode>) {
  const { t } = useLocale();
  const days = new Set(node.weekdays ?? []);
  return (
    <>
      <Field label={t.time} errors={errors} path="time">
        {(id) => (
          <input
            id={id}
            type="time"
            value={node.time}
            onChange={(e) => e.target.value && edit('time', (n) => ({ ...n, time: e.target.value }))}
            data-testid="field-time"
          />
        )}
      </Field>
      <div className="field">
        <span className="field__label">
          {t.weekdays} {days.size === 0 && <span className="muted">({t.anyDay})</span>}
        </span>
        <div className="weekdays">
          {t.weekdayNames.map((name, i) => (
            <label key={name} className="checkbox">
              <input
                type="checkbox"
                checked={days.has(i + 1)}
                onChange={(e) =>
                  edit('weekdays', (n) => {
                    const next = new Set((n as WaitUntilNode).weekdays ?? []);
                    if (e.target.checked) next.add(i + 1);
                    else next.delete(i + 1);
                    const list = [...next].sort((a, b) => a - b);
                    return { ...n, weekdays: list.length ? list : undefined };
                  })
                }
              />
              {name}
            </label>
          ))}
        </div>
        <FieldErrors errors={errorsAt(errors, 'weekdays')} />
      </div>
      <Field label={t.date} errors={errors} path="date">
        {(id) => (
          <input
            id={id}
            type="date"
            value={node.date ?? ''}
            onChange={(e) => edit('date', (n) => ({ ...n, date: e.target.value || undefined }))}
          />
        )}
      </Field>
      <Field label={t.timezone} hint={t.timezoneDefault} errors={errors} path="timezone">
        {(id) => (
          <>
            <input
              id={id}
              list={`${id}-zones`}
              value={node.timezone ?? ''}
              placeholder={doc.settings.timezone}
              onChange={(e) => edit('tz', (n) => ({ ...n, timezone: e.target.value || undefined }))}
            />
            <TimeZoneList id={`${id}-zones`} />
          </>
        )}
      </Field>
    </>
  );
}

export function WaitForEventForm({ node, edit, errors, doc }: FormProps<WaitForEventNode>) {
  const { t } = useLocale();
  return (
    <>
      <Field label={t.eventName} hint={t.eventNameHint} errors={errors} path="event">
        {(id) => (
          <input
            id={id}
            value={node.event}
            onChange={(e) => edit('event', (n) => ({ ...n, event: e.target.value.trim() }))}
            data-testid="field-event"
          />
        )}
      </Field>
      <DurationField
        label={t.timeout}
        value={node.timeout}
        onChange={(timeout) => edit('timeout', (n) => ({ ...n, timeout }))}
        errors={errors}
        path="timeout"
        testId="field-timeout"
      />
      <OptionalCondition
        label={t.filter}
        value={node.filter}
        onChange={(filter) => edit('filter', (n) => ({ ...n, filter }))}
        suggestions={fieldSuggestionsFor(doc)}
        errors={errors}
        path="filter"
        testId="field-filter"
      />
    </>
  );
}

const fieldSuggestionsFor = (doc: FlowDocument) => [
  ...conditionFields(doc, true),
  ...conditionFields(doc, false),
];

function freshId(taken: readonly string[], prefix: string): string {
  for (let n = taken.length + 1; ; n++) if (!taken.includes(`${prefix}${n}`)) return `${prefix}${n}`;
}

/** Reorders a list: moves item `i` by `by` places. */
function move<T>(list: readonly T[], i: number, by: number): T[] {
  const next = [...list];
  const j = i + by;
  if (j < 0 || j >= next.length) return next;
  [next[i], next[j]] = [next[j]!, next[i]!];
  return next;
}

/** An exit's name (its handle id); renaming it moves its connection along. */
function ExitIdInput({
  nodeId,
  value,
  taken,
  updateDoc,
  rename,
}: {
  nodeId: string;
  value: string;
  taken: string[];
  updateDoc: FormProps<FlowNode>['updateDoc'];
  rename: (doc: FlowDocument, to: string) => FlowDocument;
}) {
  const { t } = useLocale();
  return (
    <ParsedInput<string>
      aria-label={t.stepId}
      className="exit-id"
      value={value}
      format={(v) => v}
      parse={(text) =>
        /^[A-Za-z0-9_-]{1,64}$/.test(text) && !taken.includes(text) ? { value: text } : undefined
      }
      onChange={(to) => updateDoc((d) => renameExit(rename(d, to), nodeId, value, to))}
    />
  );
}

export function BranchForm({ node, edit, updateDoc, errors, doc }: FormProps<BranchNode>) {
  const { t } = useLocale();
  const suggestions = [...conditionFields(doc, false)];
  const setBranches = (key: string, fn: (b: BranchNode['branches']) => BranchNode['branches']) =>
    edit(key, (n) => ({ ...n, branches: fn((n as BranchNode).branches) }));
  return (
    <div className="field">
      <span className="field__label">{t.conditions}</span>
      {node.branches.map((branch, i) => (
        <div className="card" key={branch.id} data-testid={`branch-${i}`}>
          <div className="row">
            <input
              aria-label={t.conditionName}
              value={branch.label ?? ''}
              placeholder={branch.id}
              onChange={(e) =>
                setBranches(`label-${branch.id}`, (bs) =>
                  bs.map((b) => (b.id === branch.id ? { ...b, label: e.target.value || undefined } : b)),
                )
              }
              data-testid={`branch-${i}-label`}
            />
            <ExitIdInput
              nodeId={node.id}
              value={branch.id}
              taken={node.branches.map((b) => b.id)}
              updateDoc={updateDoc}
              rename={(d, to) => ({
                ...d,
                nodes: d.nodes.map((n) =>
                  n.id === node.id && n.type === 'branch'
                    ? { ...n, branches: n.branches.map((b) => (b.id === branch.id ? { ...b, id: to } : b)) }
                    : n,
                ),
              })}
            />
            <button
              type="button"
              className="icon-button"
              title={t.moveUp}
              aria-label={t.moveUp}
              disabled={i === 0}
              onClick={() => setBranches('order', (bs) => move(bs, i, -1))}
            >
              <ArrowUp size={14} />
            </button>
            <button
              type="button"
              className="icon-button"
              title={t.moveDown}
              aria-label={t.moveDown}
              disabled={i === node.branches.length - 1}
              onClick={() => setBranches('order', (bs) => move(bs, i, 1))}
            >
              <ArrowDown size={14} />
            </button>
            <button
              type="button"
              className="icon-button"
              title={t.remove}
              aria-label={t.remove}
              disabled={node.branches.length === 1}
              onClick={() => setBranches('remove', (bs) => bs.filter((b) => b.id !== branch.id))}
            >
              <Trash2 size={14} />
            </button>
          </div>
          <ConditionEditor
            value={branch.when}
            onChange={(when) =>
              setBranches(`when-${branch.id}`, (bs) =>
                bs.map((b) => (b.id === branch.id ? { ...b, when } : b)),
              )
            }
            suggestions={suggestions}
            testId={`branch-${i}-when`}
          />
          <FieldErrors errors={errorsAt(errors, `branches[${i}]`)} />
        </div>
      ))}
      <button
        type="button"
        className="link-button"
        onClick={() =>
          setBranches('add', (bs) => [
            ...bs,
            {
              id: freshId(
                bs.map((b) => b.id),
                'c',
              ),
              when: DEFAULT_COMPARISON,
            },
          ])
        }
        data-testid="branch-add"
      >
        + {t.addCondition}
      </button>
      <p className="field__hint">{t.elsePath}</p>
      <FieldErrors errors={errorsAt(errors, 'branches').filter((e) => !/^branches\[/.test(e.path ?? ''))} />
    </div>
  );
}

export function SplitForm({ node, edit, updateDoc, errors }: FormProps<SplitNode>) {
  const { t } = useLocale();
  const total = node.arms.reduce((s, a) => s + a.weight, 0);
  const setArms = (key: string, fn: (a: SplitNode['arms']) => SplitNode['arms']) =>
    edit(key, (n) => ({ ...n, arms: fn((n as SplitNode).arms) }));
  return (
    <div className="field">
      <span className="field__label">{t.arms}</span>
      {node.arms.map((arm, i) => (
        <div className="row" key={arm.id} data-testid={`arm-${i}`}>
          <input
            aria-label={t.conditionName}
            value={arm.label ?? ''}
            placeholder={arm.id}
            onChange={(e) =>
              setArms(`label-${arm.id}`, (as) =>
                as.map((a) => (a.id === arm.id ? { ...a, label: e.target.value || undefined } : a)),
              )
            }
          />
          <ExitIdInput
            nodeId={node.id}
            value={arm.id}
            taken={node.arms.map((a) => a.id)}
            updateDoc={updateDoc}
            rename={(d, to) => ({
              ...d,
              nodes: d.nodes.map((n) =>
                n.id === node.id && n.type === 'split'
                  ? { ...n, arms: n.arms.map((a) => (a.id === arm.id ? { ...a, id: to } : a)) }
                  : n,
              ),
            })}
          />
          <NumberInput
            aria-label={t.weight}
            className="weight"
            value={arm.weight}
            onChange={(weight) =>
              weight > 0 &&
              setArms(`weight-${arm.id}`, (as) => as.map((a) => (a.id === arm.id ? { ...a, weight } : a)))
            }
            data-testid={`arm-${i}-weight`}
          />
          <span className="muted share">{total > 0 ? Math.round((arm.weight / total) * 100) : 0}%</span>
          <button
            type="button"
            className="icon-button"
            aria-label={t.remove}
            title={t.remove}
            disabled={node.arms.length <= 2}
            onClick={() => setArms('remove', (as) => as.filter((a) => a.id !== arm.id))}
          >
            <Trash2 size={14} />
          </button>
        </div>
      ))}
      <button
        type="button"
        className="link-button"
        onClick={() =>
          setArms('add', (as) => {
            const letters = 'abcdefghijklmnopqrst';
            const id =
              [...letters].find((l) => !as.some((a) => a.id === l)) ??
              freshId(
                as.map((a) => a.id),
                'arm',
              );
            return [...as, { id, label: id.toUpperCase(), weight: 50 }];
          })
        }
      >
        + {t.addArm}
      </button>
      <FieldErrors errors={errorsAt(errors, 'arms')} />
    </div>
  );
}

const formatAttributes = (set: Record<string, string | number | boolean> | undefined) =>
  Object.entries(set ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');

function parseAttributes(text: string): { value: Record<string, string | number | boolean> | undefined } {
  const entries = text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const at = line.indexOf('=');
      const key = (at < 0 ? line : line.slice(0, at)).trim();
      const raw = at < 0 ? '' : line.slice(at + 1).trim();
      const value: string | number | boolean =
        raw === 'true'
          ? true
          : raw === 'false'
            ? false
            : raw !== '' && Number.isFinite(Number(raw))
              ? Number(raw)
              : raw;
      return [key, value] as const;
    });
  return { value: entries.length ? Object.fromEntries(entries) : undefined };
}

/** A textarea that parses what is typed, like ParsedInput. */
function ParsedTextarea<T>({
  value,
  format,
  parse,
  onChange,
  id,
}: {
  value: T;
  format: (v: T) => string;
  parse: (text: string) => { value: T } | undefined;
  onChange: (v: T) => void;
  id: string;
}) {
  const [text, setText] = useState(() => format(value));
  const last = useRef(value);
  useEffect(() => {
    if (value !== last.current) {
      last.current = value;
      setText(format(value));
    }
  }, [value, format]);
  return (
    <textarea
      id={id}
      rows={3}
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        const parsed = parse(e.target.value);
        if (parsed) {
          last.current = parsed.value;
          onChange(parsed.value);
        }
      }}
    />
  );
}

export function UpdateContactForm({ node, edit, errors }: FormProps<UpdateContactNode>) {
  const { t } = useLocale();
  const u = node.update;
  const setUpdate = (key: string, fn: (u: UpdateContactNode['update']) => UpdateContactNode['update']) =>
    edit(key, (n) => ({ ...n, update: fn((n as UpdateContactNode).update) }));
  return (
    <>
      <Field label={t.addTags} hint={t.tagsHint} errors={errors} path="update.addTags">
        {(id) => (
          <ListInput
            id={id}
            value={u.addTags}
            onChange={(addTags) => setUpdate('add', (x) => ({ ...x, addTags }))}
          />
        )}
      </Field>
      <Field label={t.removeTags} hint={t.tagsHint} errors={errors} path="update.removeTags">
        {(id) => (
          <ListInput
            id={id}
            value={u.removeTags}
            onChange={(removeTags) => setUpdate('remove', (x) => ({ ...x, removeTags }))}
          />
        )}
      </Field>
      <Field label={t.points} errors={errors} path="update.points">
        {(id) => (
          <div className="row">
            <ParsedInput<number | undefined>
              id={id}
              className="weight"
              value={u.points?.add}
              format={(n) => (n === undefined ? '' : String(n))}
              parse={(text) => {
                if (text.trim() === '') return { value: undefined };
                const n = Number(text);
                return Number.isInteger(n) ? { value: n } : undefined;
              }}
              onChange={(add) =>
                setUpdate('points', (x) => ({
                  ...x,
                  points: add === undefined ? undefined : { add, reason: x.points?.reason ?? t.points },
                }))
              }
            />
            {u.points && (
              <input
                aria-label={t.pointsReason}
                placeholder={t.pointsReason}
                value={u.points.reason}
                onChange={(e) =>
                  setUpdate('reason', (x) => ({
                    ...x,
                    points: { add: x.points?.add ?? 0, reason: e.target.value },
                  }))
                }
              />
            )}
          </div>
        )}
      </Field>
      <Field label={t.setAttributes} hint={t.setAttributesHint} errors={errors} path="update.set">
        {(id) => (
          <ParsedTextarea
            id={id}
            value={u.set}
            format={formatAttributes}
            parse={parseAttributes}
            onChange={(set) => setUpdate('set', (x) => ({ ...x, set }))}
          />
        )}
      </Field>
      <div className="field">
        <label className="checkbox">
          <input
            type="checkbox"
            checked={u.checkIn !== undefined}
            onChange={(e) =>
              setUpdate('checkin', (x) => ({ ...x, checkIn: e.target.checked ? { points: 0 } : undefined }))
            }
          />
          {t.checkIn}
        </label>
        {u.checkIn && (
          <div className="row">
            <span className="muted">{t.checkInPoints}</span>
            <NumberInput
              className="weight"
              value={u.checkIn.points}
              onChange={(points) =>
                Number.isInteger(points) &&
                points >= 0 &&
                setUpdate('checkin-points', (x) => ({ ...x, checkIn: { points } }))
              }
            />
          </div>
        )}
        <FieldErrors errors={errorsAt(errors, 'update.checkIn')} />
      </div>
    </>
  );
}

const formatHeaders = (h: Record<string, string> | undefined) =>
  Object.entries(h ?? {})
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');

function parseHeaders(text: string): { value: Record<string, string> | undefined } {
  const entries = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const at = l.indexOf(':');
      return [(at < 0 ? l : l.slice(0, at)).trim(), at < 0 ? '' : l.slice(at + 1).trim()] as const;
    });
  return { value: entries.length ? Object.fromEntries(entries) : undefined };
}

export function HttpRequestForm({ node, edit, errors }: FormProps<HttpRequestNode>) {
  const { t } = useLocale();
  return (
    <>
      <div className="row">
        <Field label={t.method} errors={errors} path="method">
          {(id) => (
            <select
              id={id}
              value={node.method}
              onChange={(e) =>
                edit('method', (n) => ({ ...n, method: e.target.value as HttpRequestNode['method'] }))
              }
            >
              {HttpRequestNode.shape.method.options.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t.retries} errors={errors} path="retries">
          {(id) => (
            <NumberInput
              id={id}
              className="weight"
              value={node.retries}
              onChange={(retries) => Number.isInteger(retries) && edit('retries', (n) => ({ ...n, retries }))}
            />
          )}
        </Field>
      </div>
      <Field label={t.url} errors={errors} path="url">
        {(id) => (
          <input
            id={id}
            value={node.url}
            onChange={(e) => edit('url', (n) => ({ ...n, url: e.target.value }))}
          />
        )}
      </Field>
      <Field label={t.headers} hint={t.headersHint} errors={errors} path="headers">
        {(id) => (
          <ParsedTextarea
            id={id}
            value={node.headers}
            format={formatHeaders}
            parse={parseHeaders}
            onChange={(headers) => edit('headers', (n) => ({ ...n, headers }))}
          />
        )}
      </Field>
      {node.method !== 'GET' && (
        <Field label={t.body} errors={errors} path="body">
          {(id) => (
            <textarea
              id={id}
              rows={4}
              value={node.body ?? ''}
              onChange={(e) => edit('body', (n) => ({ ...n, body: e.target.value || undefined }))}
            />
          )}
        </Field>
      )}
      <DurationField
        label={t.timeout}
        value={node.timeout}
        onChange={(timeout) => edit('timeout', (n) => ({ ...n, timeout }))}
        errors={errors}
        path="timeout"
        testId="field-http-timeout"
      />
    </>
  );
}

const STAFF_ADDRESS: Record<string, 'wecomUserId' | 'email' | 'phone' | undefined> = {
  wechat: 'wecomUserId',
  email: 'email',
  sms: 'phone',
};

export function StaffTaskForm({ node, edit, errors, doc, renderContext }: FormProps<StaffTaskNode>) {
  const { t } = useLocale();
  const address = STAFF_ADDRESS[node.assignee.channel];
  const setAssignee = (key: string, patch: Partial<StaffTaskNode['assignee']>) =>
    edit(key, (n) => ({ ...n, assignee: { ...(n as StaffTaskNode).assignee, ...patch } }));
  const addressLabel = address === 'email' ? t.email : address === 'phone' ? t.phone : t.wecomId;
  return (
    <>
      <Field label={t.assignee} errors={errors} path="assignee.channel">
        {(id) => (
          <ChannelSelect
            id={id}
            value={node.assignee.channel}
            onChange={(channel) => channel && setAssignee('assignee-channel', { channel })}
            testId="field-assignee-channel"
          />
        )}
      </Field>
      <div className="row">
        <Field label={t.staffId} errors={errors} path="assignee.id">
          {(id) => (
            <input
              id={id}
              value={node.assignee.id}
              onChange={(e) => setAssignee('assignee-id', { id: e.target.value })}
            />
          )}
        </Field>
        <Field label={t.staffName} errors={errors} path="assignee.name">
          {(id) => (
            <input
              id={id}
              value={node.assignee.name ?? ''}
              onChange={(e) => setAssignee('assignee-name', { name: e.target.value || undefined })}
            />
          )}
        </Field>
      </div>
      {address && (
        <Field label={addressLabel} errors={errors} path={`assignee.${address}`}>
          {(id) => (
            <input
              id={id}
              value={node.assignee[address] ?? ''}
              onChange={(e) => setAssignee('assignee-address', { [address]: e.target.value || undefined })}
            />
          )}
        </Field>
      )}
      <MessageEditor
        label={t.message}
        value={node.message.text}
        onChange={(text) =>
          edit('text', (n) => ({ ...n, message: { ...(n as StaffTaskNode).message, text } }))
        }
        variables={messageVariables(doc)}
        context={renderContext}
        errors={errors}
        path="message.text"
        testId="field-task-message"
      />
      <DurationField
        label={t.deadline}
        value={node.deadline}
        onChange={(deadline) => edit('deadline', (n) => ({ ...n, deadline }))}
        errors={errors}
        path="deadline"
        testId="field-deadline"
      />
    </>
  );
}
