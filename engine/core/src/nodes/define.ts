import { z } from 'zod';
import type { Condition } from '../flow/conditions';
import { parseDuration } from '../flow/duration';
import type { CompileError, CompileErrorCode, CompileWarningCode } from '../flow/errors';
import { type MessageContent, nodeBase } from '../flow/fields';

/**
 * What a node type is, apart from how it runs (that is its `run.ts`, which the workflow sandbox
 * loads without zod): its schema with form hints, exits, compile checks, the timing facts the
 * limit warnings reason with, the content of a new step, and its name in both languages.
 */

export type Locale = 'en' | 'zh';

/** A text in both languages operators use. */
export interface Words {
  en: string;
  zh: string;
}

/**
 * How the builder draws a field it cannot tell from the schema alone; any other field gets the
 * input its type calls for (text, number, choice, list, group, rows, key/value pairs).
 */
export type Widget =
  /** The message editor: text with variables and a live preview (subject for email). */
  | 'message'
  /** An amount and a unit, written as an ISO-8601 duration. */
  | 'duration'
  /** The condition builder. */
  | 'condition'
  /** A pick of the channels the installation sends on. */
  | 'channel'
  /** A time zone, from the browser's list. */
  | 'timezone'
  | 'time'
  | 'date'
  /** Tags, typed as a list, with the tags providers keep (WeCom corp tags, by group) to pick from. */
  | 'tags'
  /** ISO weekdays as seven checkboxes. */
  | 'weekdays'
  /** Longer text (a request body). */
  | 'textarea'
  /** Branch conditions: exits the operator names, in order. */
  | 'branches'
  /** Split arms: exits the operator names, with weights. */
  | 'arms';

/** Form hints, set with `.meta()` on a field of a node schema (they reach its JSON Schema too). */
export type FieldMeta = {
  label: Words;
  help?: Words;
  widget?: Widget;
  /** Shown only while another field of the same object has one of these values. */
  showWhen?: { field: string; is?: readonly string[]; isNot?: readonly string[] };
};

/** `.meta()` argument for a field: `Duration.meta(form('Timeout', '超时', { widget: 'duration' }))`. */
export function form(en: string, zh: string, more: Omit<FieldMeta, 'label'> = {}): FieldMeta {
  return { label: { en, zh }, ...more };
}

/** What a node type's compile checks may ask of the compiler; paths are inside the node (`message`). */
export interface CheckContext {
  /** The channels a send may use. */
  channels: ReadonlySet<string>;
  /** A template's syntax and the variables it reads. */
  template(text: string, path: string): CompileError[];
  /** Every template of a message. */
  message(message: MessageContent, path: string): CompileError[];
  /** Whether sopflow can send on a channel. */
  channel(channel: string, path: string): CompileError[];
  /** A condition's fields and comparisons; `payload` for event filters (`payload.*`, `contact.*`). */
  condition(
    condition: Condition,
    path: string,
    options?: { payload?: boolean; name?: string },
  ): CompileError[];
  /** Why a variable path names nothing known, or undefined when it does. */
  variableProblem(path: string): string | undefined;
  /** Exits the operator named twice (branch conditions, split arms). */
  duplicateExits(ids: readonly string[], path: string, what: string): CompileError[];
  error(code: CompileErrorCode, message: string, messageZh: string, path: string): CompileError;
  /** The flow's trigger (undefined when it has none). */
  trigger: { kind: string } | undefined;
  /**
   * The steps a contact may pass before reaching this one from the trigger (the trigger left
   * out; the step itself in when it is on a loop): whether each sends or waits.
   */
  stepsBefore(): readonly { id: string; sends: boolean; waits: boolean }[];
  /** Adds a warning about this step: the flow compiles, and publish shows it. */
  warn(code: CompileWarningCode, message: string, messageZh: string): void;
}

/** A node as the definition's hooks see it: the flow node, or the plan node (no position). */
export type NodeData<S extends z.ZodType> = Omit<z.output<S>, 'position'>;

/** The timing facts of a node type the limit warnings reason with (see flow/warnings.ts). */
export interface Timing<N> {
  /** The longest a contact may stay, in ms, given the quiet-hours hold `quietMs`. @default 0 */
  longest?(node: N, quietMs: number): number;
  /** The same leaving out quiet-hours holds. @default longest */
  awake?(node: N, quietMs: number): number;
  /**
   * For a walk from a wait-until to the sends it leads to: the fixed time the node takes, or
   * undefined when it takes an unknown time (the walk stops there). @default undefined
   */
  fixed?(node: N): number | undefined;
  /**
   * The least time the node takes when it leaves by `exit`, when that differs from `fixed` (a
   * wait for an event: its timeout, by the `timeout` exit); undefined when unknown. @default fixed
   */
  leastBy?(node: N, exit: string): number | undefined;
  /** The local time of day the node ends at on the contact's clock, when that is certain. */
  endsAt?(node: N): string | undefined;
}

/** How steps of this type are written in both languages. */
export interface NodeWords {
  /** The type's name: palette, step card, inspector. */
  label: Words;
  /** One line saying what it is for (palette, inspector). */
  hint: Words;
}

/**
 * One node type, apart from its run semantics. Hooks are written with method syntax so a
 * definition of one type stands in the registry of all (each is only called with its own nodes).
 */
export interface NodeDefinition<T extends string = string, S extends z.ZodType = z.ZodType> {
  type: T;
  /** The node's zod schema (a `type` literal, the node base, its fields with form hints). */
  schema: S;
  words: NodeWords;
  /** Short prefix of new step ids: `send` → `send-1`. */
  idPrefix: string;
  /** The exits that must be connected. */
  exits(node: Partial<NodeData<S>>): string[];
  /** Exits that may be left unconnected. @default [] */
  optionalExits?: readonly string[];
  /** Whether a contact stays here a while (a loop must pass such a node). @default false */
  waits?(node: NodeData<S>): boolean;
  /** Checks beyond the schema: templates, conditions, channels. @default none */
  check?(node: NodeData<S>, context: CheckContext): CompileError[];
  timing?: Timing<NodeData<S>>;
  /** The channel a message to the contact goes out on (frequency cap, WeCom quota). */
  sendsOn?(node: NodeData<S>): string | undefined;
  /** The fields of a new step (besides id, type and position); it compiles as it is. */
  defaults(locale: Locale): Omit<z.input<S>, 'id' | 'type' | 'position'>;
}

/** A node type's schema: the node base (id, label, position), its `type` literal, then its own fields. */
export function nodeSchema<T extends string, F extends z.ZodRawShape>(type: T, fields: F) {
  return z.object({ ...nodeBase, type: z.literal(type), ...fields });
}

/** A node type's schema as `defineNode` takes it: an object whose `type` is a literal. */
type NodeSchema = z.ZodObject & z.ZodType<{ type: string }>;

/** What `defineNode` is given: the type comes from the schema, and the usual cases may be left out. */
type NodeDefinitionInput<S extends NodeSchema> = Omit<
  NodeDefinition<z.output<S>['type'], S>,
  'type' | 'idPrefix' | 'exits'
> & {
  /** @default the type */
  idPrefix?: string;
  /** @default one exit, `next` */
  exits?: NodeDefinition<z.output<S>['type'], S>['exits'];
};

/** A node type's definition, its type read from its schema; keeps its types exact for the registry. */
export function defineNode<S extends NodeSchema>(
  definition: NodeDefinitionInput<S>,
): NodeDefinition<z.output<S>['type'], S> {
  const type = (definition.schema.shape.type as z.ZodLiteral<z.output<S>['type']>).value;
  return { type, idPrefix: type, exits: () => ['next'], ...definition };
}

/** A duration in ms for the limit warnings; a bad one (the schema refuses it) as forever. */
export function durationMs(iso: string): number {
  const parsed = parseDuration(iso);
  return parsed.ok ? parsed.ms : Number.POSITIVE_INFINITY;
}
