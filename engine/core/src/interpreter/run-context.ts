import { flowContactView } from '../flow/contact-addresses';
import { parseDuration } from '../flow/duration';
import type { Condition } from '../flow/evaluate-condition';
import { zoneFor } from '../flow/local-time';
import type { Plan, PlanNode } from '../flow/plan';
import type { Contact } from '../flow/schema';
import type { LookBackWant } from './kept-events';
import type {
  Awaiting,
  Command,
  ReceivedEvent,
  RenderData,
  RunOutcome,
  RunState,
  TaskResult,
  TimerReason,
} from './types';

/**
 * What a node type's run semantics (`nodes/<type>/run.ts`) may do to the run it is part of: the
 * interpreter hands each one this, and dispatches to it by node type (`nodes/semantics.ts`).
 */
export interface RunContext {
  readonly plan: Plan;
  /** The run's state, a copy this input may change. */
  readonly state: RunState;
  /** The time of the input being taken. */
  readonly at: number;
  /** Leaves the node by `exit` and carries on from where it leads. */
  leave(node: PlanNode, exit: string): void;
  finish(outcome: RunOutcome): void;
  /** Waits at the node for a task, a timer, an event or a mix (starting the timer). */
  wait(awaiting: Omit<Awaiting, 'nodeId'>, node: PlanNode): void;
  timer(node: PlanNode, reason: TimerReason, until: number): NonNullable<Awaiting['timer']>;
  /** A command id unique within the run: `<node id>#<visit>[/<suffix>]`. */
  ids(node: PlanNode, suffix?: string): string;
  emit(command: Command): void;
  /**
   * Replaces the run's contact, unless the run holds a newer revision of it; false when it was
   * not taken.
   */
  takeContact(contact: Contact, revision: number | undefined): boolean;
  /** What a timer that the node type does not handle itself does: leave by `timeout` or `next`. */
  timerEnded(node: PlanNode, reason: TimerReason): void;
  /**
   * Takes the oldest kept event named `name` that came at or after `since` and matches `filter`
   * (read against the contact as it is now): it leaves the kept events and becomes `lastEvent`.
   */
  takeKept(name: string, since: number, filter?: Condition): ReceivedEvent | undefined;
}

/** How a node type runs: pure functions of the run context, no zod, no clock. */
export interface NodeRun<N extends PlanNode = PlanNode> {
  /** What the node does on entry. */
  enter(node: N, run: RunContext): void;
  /** A task it started (a send, an update, a request) answered. @default the run fails: no task */
  taskResult?(node: N, result: TaskResult, run: RunContext): void;
  /** A timer it started fired. @default `run.timerEnded` */
  timer?(node: N, reason: TimerReason, run: RunContext): void;
  /** The exit a matching event takes while it waits for one. @default event */
  eventExit?: string;
  /**
   * The events it takes from before it was reached (a look-back): the run keeps such events
   * while a node of this kind lies ahead. @default none
   */
  lookBack?(node: N): LookBackWant | undefined;
  /**
   * Its timer is a wait the contact is partway through: a run moved to a new version at such a
   * node keeps its due time when it waits the same way there. @default false
   */
  keepsDueTime?: boolean;
}

/** A duration in ms; 0 for one that does not parse (the compiler refuses those). */
export const ms = (iso: string): number => {
  const parsed = parseDuration(iso);
  return parsed.ok ? parsed.ms : 0;
};

/**
 * Records keyed by node ids (the plan's nodes, exits, visit counts, HTTP answers) are read and
 * written as own properties only. Node ids are the operator's words: `constructor` or `toString`
 * would otherwise read the object's prototype, and writing `__proto__` would set the prototype
 * instead of a key, so a loop through such a step would reuse its command ids.
 */
export function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The data templates and conditions read, as both shells render them. */
export function renderData(plan: Plan, state: RunState): RenderData {
  return {
    contact: flowContactView(state.contact),
    event: state.event,
    lastEvent: state.lastEvent,
    http: state.http,
    flow: { id: plan.flowId, name: plan.flowName, version: plan.version },
  };
}

/** The time zone a contact's clock runs in for this flow. */
export function contactZone(plan: Plan, contact: Contact): string {
  return zoneFor(contact.timezone, plan.settings.timezone);
}
