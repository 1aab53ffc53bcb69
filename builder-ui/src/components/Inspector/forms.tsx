import {
  type BranchNode,
  BUILTIN_CHANNELS,
  type CompileError,
  type Condition,
  type FlowDocument,
  type FlowNode,
  type MessageContent,
  type SplitNode,
  type TriggerNode,
} from '@sopflow/core';
import { ArrowDown, ArrowUp, Trash2 } from 'lucide-react';
import type { ReactNode } from 'react';
import { renameExit } from '../../editor/document';
import { useLocale } from '../../hooks/useLocale';
import { nodeModule } from '../../nodes';
import { IconButton } from '../common/IconButton';
import { JoinWaySelect } from '../Groups/JoinWaySelect';
import {
  ConditionEditor,
  errorsAt,
  Field,
  FieldErrors,
  NumberInput,
  type Parsed,
  ParsedInput,
  useParsedText,
} from './fields';
import { MessageEditor } from './MessageEditor';

/**
 * The hand-written parts of the inspector, where a form generated from the node's schema cannot
 * serve (NodeForm.tsx draws the rest): the message editor, conditions, and the exits an operator
 * names (branch conditions, split arms).
 */

/** What every form gets: the node, a way to change it, its compile errors, and the flow around it. */
export interface FormProps<T extends FlowNode = FlowNode> {
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
  const given = doc.nodes.flatMap((n) => nodeModule(n.type).variables?.(n) ?? []);
  return [
    'contact.name',
    'contact.attributes.tier',
    'contact.points',
    ...event,
    ...new Set(given),
    'flow.name',
  ];
}

/** Fields a condition is likely to read: an event filter's `payload.*`, or what the flow knows. */
export function conditionFields(doc: FlowDocument, payload: boolean): string[] {
  if (payload) return ['payload.amount', 'payload.text', 'payload.url'];
  const event = (declaredPayload(doc) ?? []).map((f) => `event.${f}`);
  return [...event, ...doc.nodes.flatMap((n) => nodeModule(n.type).conditionFields?.(n) ?? [])];
}

const DEFAULT_COMPARISON: Condition = { field: 'contact.attributes.tier', op: 'eq', value: 'vip' };

/** A condition: with the condition builder, or (when optional) off until added. */
export function ConditionField({
  label,
  value,
  onChange,
  suggestions,
  errors,
  path,
  testId,
  required,
}: {
  label: string;
  value: Condition | undefined;
  onChange: (c: Condition | undefined) => void;
  suggestions: string[];
  errors: readonly CompileError[];
  path: string;
  testId: string;
  required: boolean;
}) {
  const { t } = useLocale();
  return (
    <div className="field">
      <span className="field__label">{label}</span>
      {value ? (
        <>
          <ConditionEditor value={value} onChange={onChange} suggestions={suggestions} testId={testId} />
          {!required && (
            <button type="button" className="link-button" onClick={() => onChange(undefined)}>
              {t.removeFilter}
            </button>
          )}
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

export function ChannelSelect({
  id,
  value,
  onChange,
  testId,
}: {
  id: string;
  value: string | undefined;
  onChange: (channel: string) => void;
  testId: string;
}) {
  const { t } = useLocale();
  const channels: string[] = [...BUILTIN_CHANNELS];
  if (value && !channels.includes(value)) channels.push(value);
  return (
    <select id={id} value={value ?? ''} onChange={(e) => onChange(e.target.value)} data-testid={testId}>
      {channels.map((c) => (
        <option key={c} value={c}>
          {t.channels[c] ?? c}
        </option>
      ))}
    </select>
  );
}

/**
 * A message: the subject for email, then the text with variables and the live preview. An
 * optional message (a fallback's) left empty is none: the first message is sent again.
 */
export function MessageField({
  label,
  value,
  onChange,
  channel,
  required,
  errors,
  path,
  testId,
  doc,
  renderContext,
}: {
  label: string;
  value: MessageContent | undefined;
  onChange: (key: string, message: MessageContent | undefined) => void;
  /** The channel it goes out on (a subject is asked for email). */
  channel: unknown;
  required: boolean;
  errors: readonly CompileError[];
  path: string;
  testId: string;
  doc: FlowDocument;
  renderContext: object;
}) {
  const { t } = useLocale();
  return (
    <>
      {channel === 'email' && (
        <Field label={t.subject} errors={errors} path={`${path}.subject`}>
          {(id) => (
            <input
              id={id}
              value={value?.subject ?? ''}
              onChange={(e) =>
                onChange('subject', { text: '', ...value, subject: e.target.value || undefined })
              }
              data-testid={`${testId}-subject`}
            />
          )}
        </Field>
      )}
      <MessageEditor
        label={label}
        value={value?.text ?? ''}
        onChange={(text) =>
          onChange('text', !required && text === '' && !value?.subject ? undefined : { ...value, text })
        }
        variables={messageVariables(doc)}
        context={renderContext}
        errors={errors}
        path={`${path}.text`}
        testId={testId}
      />
      {channel === 'wechat' && (
        <JoinWaySelect
          value={value?.joinWay}
          onChange={(joinWay) => onChange('joinWay', { text: '', ...value, joinWay })}
          testId={`${testId}-join-way`}
        />
      )}
    </>
  );
}

/** ISO weekdays as seven checkboxes; none ticked is any day. */
export function WeekdaysField({
  label,
  value,
  onChange,
  errors,
  path,
}: {
  label: string;
  value: number[] | undefined;
  onChange: (days: number[] | undefined) => void;
  errors: readonly CompileError[];
  path: string;
}) {
  const { t } = useLocale();
  const days = new Set(value ?? []);
  return (
    <div className="field">
      <span className="field__label">
        {label} {days.size === 0 && <span className="muted">({t.anyDay})</span>}
      </span>
      <div className="weekdays">
        {t.weekdayNames.map((name, i) => (
          <label key={name} className="checkbox">
            <input
              type="checkbox"
              checked={days.has(i + 1)}
              onChange={(e) => {
                const next = new Set(days);
                if (e.target.checked) next.add(i + 1);
                else next.delete(i + 1);
                const list = [...next].sort((a, b) => a - b);
                onChange(list.length ? list : undefined);
              }}
            />
            {name}
          </label>
        ))}
      </div>
      <FieldErrors errors={errorsAt(errors, path)} />
    </div>
  );
}

/** A textarea that parses what is typed, like ParsedInput. */
export function ParsedTextarea<T>({
  id,
  rows = 3,
  className,
  testId,
  ...parsed
}: Parsed<T> & {
  id: string;
  rows?: number;
  className?: string;
  testId?: string;
}) {
  const [text, type] = useParsedText(parsed);
  return (
    <textarea
      id={id}
      rows={rows}
      className={className}
      value={text}
      data-testid={testId}
      onChange={(e) => type(e.target.value)}
    />
  );
}

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

/** An exit the operator names: a branch condition or a split arm. */
interface NamedExit {
  id: string;
  label?: string;
}

/** What tells the two kinds of named exits apart. */
interface NamedExitsKind<E extends NamedExit> {
  /** The node's list of them. */
  key: 'branches' | 'arms';
  /** Test id prefix of each row: `branch-0`, `arm-0`. */
  testId: string;
  /** Fewest the node may have. */
  min: number;
  /** Whether order matters (branch conditions are checked in order), so rows can be moved. */
  ordered: boolean;
  /** The next one to add. */
  fresh: (taken: readonly E[]) => E;
  /** What a row shows beside its name (a split's weight), and below it (a branch's condition). */
  inline?: (exit: E, i: number, set: (next: E) => void, all: readonly E[]) => ReactNode;
  below?: (exit: E, i: number, set: (next: E) => void) => ReactNode;
}

/**
 * The exits an operator names, for branch and split alike: each with a label, a name (its handle,
 * renamed with its connection) and what the node type adds; added, removed and (when order
 * matters) moved.
 */
function NamedExits<E extends NamedExit>({
  node,
  list,
  kind,
  label,
  addLabel,
  hint,
  edit,
  updateDoc,
  errors,
}: {
  node: FlowNode;
  list: readonly E[];
  kind: NamedExitsKind<E>;
  label: string;
  addLabel: string;
  hint?: string;
  edit: FormProps['edit'];
  updateDoc: FormProps['updateDoc'];
  errors: readonly CompileError[];
}) {
  const { t } = useLocale();
  const listOf = (n: FlowNode) => (n as unknown as Record<string, E[]>)[kind.key]!;
  const setList = (key: string, fn: (list: E[]) => E[]) =>
    edit(key, (n) => ({ ...n, [kind.key]: fn(listOf(n)) }) as FlowNode);
  const setOne = (id: string, key: string) => (next: E) =>
    setList(`${key}-${id}`, (l) => l.map((e) => (e.id === id ? next : e)));
  const rename = (from: string, to: string) =>
    updateDoc((d) =>
      renameExit(
        {
          ...d,
          nodes: d.nodes.map((n) =>
            n.id === node.id
              ? ({
                  ...n,
                  [kind.key]: listOf(n).map((e) => (e.id === from ? { ...e, id: to } : e)),
                } as FlowNode)
              : n,
          ),
        },
        node.id,
        from,
        to,
      ),
    );
  return (
    <div className="field">
      <span className="field__label">{label}</span>
      {list.map((exit, i) => (
        <div className={kind.below ? 'card' : undefined} key={exit.id} data-testid={`${kind.testId}-${i}`}>
          <div className="row">
            <input
              aria-label={t.conditionName}
              value={exit.label ?? ''}
              placeholder={exit.id}
              onChange={(e) => setOne(exit.id, 'label')({ ...exit, label: e.target.value || undefined })}
              data-testid={`${kind.testId}-${i}-label`}
            />
            <ParsedInput<string>
              aria-label={t.stepId}
              className="exit-id"
              value={exit.id}
              format={(v) => v}
              parse={(text) =>
                /^[A-Za-z0-9_-]{1,64}$/.test(text) && !list.some((e) => e.id === text)
                  ? { value: text }
                  : undefined
              }
              onChange={(to) => rename(exit.id, to)}
            />
            {kind.inline?.(exit, i, setOne(exit.id, 'inline'), list)}
            {kind.ordered && (
              <>
                <IconButton
                  label={t.moveUp}
                  disabled={i === 0}
                  onClick={() => setList('order', (l) => move(l, i, -1))}
                >
                  <ArrowUp size={14} />
                </IconButton>
                <IconButton
                  label={t.moveDown}
                  disabled={i === list.length - 1}
                  onClick={() => setList('order', (l) => move(l, i, 1))}
                >
                  <ArrowDown size={14} />
                </IconButton>
              </>
            )}
            <IconButton
              label={t.remove}
              disabled={list.length <= kind.min}
              onClick={() => setList('remove', (l) => l.filter((e) => e.id !== exit.id))}
            >
              <Trash2 size={14} />
            </IconButton>
          </div>
          {kind.below?.(exit, i, setOne(exit.id, 'below'))}
          {kind.below && <FieldErrors errors={errorsAt(errors, `${kind.key}[${i}]`)} />}
        </div>
      ))}
      <button
        type="button"
        className="link-button"
        onClick={() => setList('add', (l) => [...l, kind.fresh(l)])}
        data-testid={`${kind.testId}-add`}
      >
        + {addLabel}
      </button>
      {hint && <p className="field__hint">{hint}</p>}
      <FieldErrors
        errors={
          kind.below
            ? errorsAt(errors, kind.key).filter((e) => !(e.path ?? '').includes(`${kind.key}[`))
            : errorsAt(errors, kind.key)
        }
      />
    </div>
  );
}

type Branch = BranchNode['branches'][number];
type Arm = SplitNode['arms'][number];

/** Branch conditions: checked in order, each its own exit; anyone else takes `else`. */
export function BranchesField({
  label,
  hint,
  ...props
}: FormProps<BranchNode> & { label: string; hint?: string }) {
  const { t } = useLocale();
  const suggestions = conditionFields(props.doc, false);
  const kind: NamedExitsKind<Branch> = {
    key: 'branches',
    testId: 'branch',
    min: 1,
    ordered: true,
    fresh: (l) => ({
      id: freshId(
        l.map((b) => b.id),
        'c',
      ),
      label: t.pathNumbered(l.length + 1),
      when: DEFAULT_COMPARISON,
    }),
    below: (branch, i, set) => (
      <ConditionEditor
        value={branch.when}
        onChange={(when) => set({ ...branch, when })}
        suggestions={suggestions}
        testId={`branch-${i}-when`}
      />
    ),
  };
  return (
    <NamedExits
      {...props}
      list={props.node.branches}
      kind={kind}
      label={label}
      addLabel={t.addCondition}
      hint={hint}
    />
  );
}

/** Split arms by weight, each its own exit, with the share of contacts it gets. */
export function ArmsField({ label, ...props }: FormProps<SplitNode> & { label: string }) {
  const { t } = useLocale();
  const kind: NamedExitsKind<Arm> = {
    key: 'arms',
    testId: 'arm',
    min: 2,
    ordered: false,
    fresh: (l) => {
      const id =
        [...'abcdefghijklmnopqrst'].find((letter) => !l.some((a) => a.id === letter)) ??
        freshId(
          l.map((a) => a.id),
          'arm',
        );
      return { id, label: id.toUpperCase(), weight: 50 };
    },
    inline: (arm, i, set, all) => {
      const total = all.reduce((s, a) => s + a.weight, 0);
      return (
        <>
          <NumberInput
            aria-label={t.weight}
            className="weight"
            value={arm.weight}
            onChange={(weight) => weight > 0 && set({ ...arm, weight })}
            data-testid={`arm-${i}-weight`}
          />
          <span className="muted share">{total > 0 ? Math.round((arm.weight / total) * 100) : 0}%</span>
        </>
      );
    },
  };
  return <NamedExits {...props} list={props.node.arms} kind={kind} label={label} addLabel={t.addArm} />;
}
