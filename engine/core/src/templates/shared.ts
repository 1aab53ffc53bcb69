import type { FlowDocumentInput } from '../flow/schema';

/**
 * Pieces the five operator templates share: the locales they are written in, the canvas grid,
 * steps and edges, and the settings every template agrees on.
 */

export const TEMPLATE_LOCALES = ['zh', 'en'] as const;
export type TemplateLocale = (typeof TEMPLATE_LOCALES)[number];

export type NodeInput = FlowDocumentInput['nodes'][number];
export type EdgeInput = FlowDocumentInput['edges'][number];
export type SettingsInput = NonNullable<FlowDocumentInput['settings']>;

/** Canvas grid: columns 260 px apart (branches spread sideways), rows 140 px apart, top to bottom. */
export function at(column: number, row: number): { x: number; y: number } {
  return { x: column * 260, y: row * 140 };
}

/** A connection from `source`'s exit (`next` when left out) to `target`, with a stable id. */
export function link(source: string, target: string, exit?: string): EdgeInput {
  return exit === undefined || exit === 'next'
    ? { id: `${source}->${target}`, source, target }
    : { id: `${source}.${exit}->${target}`, source, sourceHandle: exit, target };
}

/** A step's other exits, each to its target: `exits('await', { event: 'thanks', timeout: 'nudge' })`. */
export function exits(source: string, targets: Record<string, string>): EdgeInput[] {
  return Object.entries(targets).map(([exit, target]) => link(source, target, exit));
}

/** A path through `next` exits: `chain('a', 'b', 'c')` links a to b and b to c. */
export function chain(...ids: string[]): EdgeInput[] {
  return ids.slice(1).map((target, i) => link(ids[i]!, target));
}

type NodeType = NodeInput['type'];
type NodeOf<T extends NodeType> = Extract<NodeInput, { type: T }>;
/** What a step of a type says besides its id, type, label and place. */
type FieldsOf<T extends NodeType> = Omit<NodeOf<T>, 'id' | 'type' | 'label' | 'position'>;
type Position = ReturnType<typeof at>;

export type Steps<Id extends string> = ReturnType<typeof steps<Id>>;

/**
 * The steps of one template, each labelled from its copy by its id:
 * `const step = steps(t.labels); step.send('greet', at(0, 1), t.greet)`.
 */
export function steps<Id extends string>(labels: Record<Id, string>) {
  // TypeScript does not see a generic type and the fields of that type make one node of the union.
  const of = <T extends NodeType>(type: T, id: Id, position: Position, fields: FieldsOf<T>): NodeOf<T> =>
    ({ id, type, label: labels[id], position, ...fields }) as unknown as NodeOf<T>;
  return {
    of,
    send: (id: Id, position: Position, text: string, channel = 'wechat') =>
      of('send', id, position, { channel, message: { text } }),
    wait: (id: Id, position: Position, duration: string) => of('wait', id, position, { duration }),
    waitUntil: (id: Id, position: Position, time: string) => of('wait_until', id, position, { time }),
    /** Counts events since the contact entered the flow, as a new step in the builder does, unless told. */
    waitForEvent: (
      id: Id,
      position: Position,
      event: string,
      timeout: string,
      lookBack: FieldsOf<'wait_for_event'>['lookBack'] = { kind: 'since-entry' },
    ) => of('wait_for_event', id, position, { event, timeout, lookBack }),
    update: (id: Id, position: Position, update: FieldsOf<'update_contact'>['update']) =>
      of('update_contact', id, position, { update }),
    exit: (id: Id, position: Position) => of('exit', id, position, {}),
  };
}

/** A webhook trigger for a member joining a group (`event.group` names it). */
export function memberJoined(): FieldsOf<'trigger'>['trigger'] {
  return {
    kind: 'webhook',
    event: 'member.joined',
    payload: [{ name: 'group', type: 'string', required: true }],
  };
}

/** Every template's clock: content at fixed local times in the contact's zone, else Shanghai. */
export const TIMEZONE = 'Asia/Shanghai';

/**
 * Nothing at night, in every template: a send due between 22:00 and 08:00 (the contact's local
 * time) waits for 08:00. Group posts ping everyone in the group, so even the welcome waits.
 */
export const QUIET_HOURS = { start: '22:00', end: '08:00' } as const;

/** The words of a template in one locale: its name, description and step labels by step id. */
export interface TemplateCopy {
  name: string;
  description: string;
  labels: Record<string, string>;
}

/** What a template makes of its copy: its steps, its edges, and its own settings (see `buildTemplate`). */
export interface TemplateBody {
  nodes: NodeInput[];
  edges: EdgeInput[];
  /** Over the shared clock and quiet hours, and no re-entry. */
  settings?: Omit<SettingsInput, 'timezone' | 'quietHours'>;
}

/**
 * A template's build: for a locale, the flow document `body` makes with that locale's copy and
 * steps labelled from it.
 */
export function buildTemplate<C extends TemplateCopy>(
  id: string,
  copies: Record<TemplateLocale, C>,
  body: (t: C, step: Steps<keyof C['labels'] & string>) => TemplateBody,
): (locale: TemplateLocale) => FlowDocumentInput {
  return (locale) => {
    const t = copies[locale];
    const { nodes, edges, settings } = body(t, steps(t.labels));
    return {
      schemaVersion: 1,
      id,
      name: t.name,
      description: t.description,
      nodes,
      edges,
      settings: {
        timezone: TIMEZONE,
        quietHours: QUIET_HOURS,
        ...settings,
        reentry: settings?.reentry ?? { mode: 'never' },
      },
    };
  };
}
