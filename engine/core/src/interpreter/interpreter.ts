import { parseDuration } from '../flow/duration';
import { type Condition, evaluateCondition } from '../flow/evaluate-condition';
import { nextLocalTime, quietHoursEnd, zoneFor } from '../flow/local-time';
import type { Plan, PlanNode, PlanNodeOf } from '../flow/plan';
import type { Contact, ContactUpdate, MessageContent, StaffMember } from '../flow/schema';
import { unreachableReason } from './reach';
import { stableFraction } from './stable-hash';

/**
 * The flow interpreter: plain deterministic TypeScript. It never reads a clock, a database or
 * the network; the shell (the Temporal workflow, or the dry-run simulator) feeds it inputs
 * carrying the time and carries out the commands it returns.
 */

/** How a contact left the flow. */
export type RunOutcome =
  | { kind: 'exited'; nodeId: string }
  | { kind: 'converted'; event: string }
  | { kind: 'failed'; nodeId: string; reason: string }
  | { kind: 'cancelled'; reason: string };

export type TimerReason = 'wait' | 'quiet-hours' | 'frequency-cap' | 'timeout' | 'deadline' | 'escalation';
export type TaskKind = 'send' | 'update-contact' | 'http';

/** What a run waits for at its current node: a task's result, a timer, an event, or a mix. */
export interface Awaiting {
  nodeId: string;
  task?: { commandId: string; kind: TaskKind };
  timer?: { timerId: string; until: number; reason: TimerReason };
  event?: { name: string; filter?: Condition };
}

/** Progress inside a node that takes several moves (a send falling back, a staff task escalating). */
export type NodePhase =
  | { kind: 'send'; attempt: 'primary' | 'fallback' }
  | { kind: 'staff'; startedAt: number; escalated: boolean };

export interface ReceivedEvent {
  name: string;
  payload: Record<string, unknown>;
  at: number;
}

export interface HttpAnswer {
  status: number;
  body: unknown;
  error?: string;
}

export interface RunState {
  /** The node the contact is at; the last one when the run is done. */
  nodeId: string;
  status: 'active' | 'done';
  awaiting: Awaiting | null;
  contact: Contact;
  /** The payload of the event that enrolled the contact. */
  event: Record<string, unknown>;
  /** The last event a wait-for-event step received. */
  lastEvent: ReceivedEvent | null;
  /** Answers of HTTP request steps, by node id. */
  http: Record<string, HttpAnswer>;
  /** How many times each node was entered: part of each command id, so loops stay distinct. */
  visits: Record<string, number>;
  phase: NodePhase | null;
  outcome: RunOutcome | null;
}

/** Whom a send goes to: the contact, or a staff member (for a staff task). */
export type Recipient = { kind: 'contact' } | { kind: 'staff'; staff: StaffMember };

export type Command =
  | { type: 'enter'; nodeId: string; nodeType: PlanNode['type']; at: number }
  | { type: 'leave'; nodeId: string; exit: string; at: number }
  | {
      type: 'send';
      /** Unique within the run: `<node id>#<visit>[/<attempt>]`. */
      commandId: string;
      nodeId: string;
      channel: string;
      message: MessageContent;
      recipient: Recipient;
      /** The flow's frequency cap, counted by the shell across all flows. */
      cap?: { max: number; perMs: number };
      at: number;
    }
  | { type: 'update-contact'; commandId: string; nodeId: string; update: ContactUpdate; at: number }
  | {
      type: 'http';
      commandId: string;
      nodeId: string;
      request: Pick<PlanNodeOf<'http_request'>, 'method' | 'url' | 'headers' | 'body' | 'retries'> & {
        timeoutMs: number;
      };
      at: number;
    }
  | { type: 'start-timer'; timerId: string; nodeId: string; until: number; reason: TimerReason }
  | { type: 'finish'; outcome: RunOutcome; at: number };

/** Why a send did not go out. `capped` comes with the time the cap allows again. */
export type TaskFailure = {
  reason: 'failed' | 'no-address' | 'opted-out' | 'capped';
  message: string;
  retryAt?: number;
};

export type TaskResult =
  | { ok: true; contact?: Contact; response?: HttpAnswer; duplicate?: boolean }
  | ({ ok: false } & TaskFailure);

export type Input =
  | { type: 'task-result'; commandId: string; at: number; result: TaskResult }
  | { type: 'timer-fired'; timerId: string; at: number }
  | { type: 'event'; name: string; payload: Record<string, unknown>; at: number }
  | { type: 'cancel'; reason: string; at: number };

export interface Step {
  state: RunState;
  commands: Command[];
}

/** Steps one input may take without waiting: far above any real flow, it stops a bug spinning. */
const MAX_STEPS_PER_INPUT = 10_000;

export interface StartInput {
  contact: Contact;
  event?: Record<string, unknown>;
  at: number;
}

/** The data templates and conditions read. */
export interface RenderData {
  contact: Contact;
  event: Record<string, unknown>;
  lastEvent: ReceivedEvent | null;
  http: Record<string, HttpAnswer>;
  flow: { id: string; name: string; version: number };
}

/** The data templates and conditions read, as both shells render them. */
export function renderData(plan: Plan, state: RunState): RenderData {
  return {
    contact: state.contact,
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

/** Enrolls a contact: enters the trigger and runs until the flow waits on something. */
export function start(plan: Plan, input: StartInput): Step {
  const state: RunState = {
    nodeId: plan.entry,
    status: 'active',
    awaiting: null,
    contact: input.contact,
    event: input.event ?? {},
    lastEvent: null,
    http: {},
    visits: {},
    phase: null,
    outcome: null,
  };
  const run = new Run(plan, state, input.at);
  run.goTo(plan.entry);
  return run.result();
}

/** Feeds one input to a run. An input that answers nothing the run waits for changes nothing. */
export function advance(plan: Plan, state: RunState, input: Input): Step {
  if (state.status === 'done') return { state, commands: [] };
  const run = new Run(plan, state, input.at);
  if (run.accept(input)) return run.result();
  return { state, commands: [] };
}

/**
 * Records keyed by node ids (the plan's nodes, exits, visit counts, HTTP answers) are read and
 * written as own properties only. Node ids are the operator's words: `constructor` or `toString`
 * would otherwise read the object's prototype, and writing `__proto__` would set the prototype
 * instead of a key, so a loop through such a step would reuse its command ids.
 */
function own<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

const ms = (iso: string): number => {
  const parsed = parseDuration(iso);
  return parsed.ok ? parsed.ms : 0;
};

/** One input's worth of work on a copy of the state. */
class Run {
  private readonly state: RunState;
  private readonly commands: Command[] = [];
  private steps = 0;
  /** The node to enter next; a loop, not recursion, so a long path cannot overflow the stack. */
  private pending: string | null = null;

  constructor(
    private readonly plan: Plan,
    state: RunState,
    private readonly at: number,
  ) {
    this.state = { ...state, visits: { ...state.visits }, http: { ...state.http } };
  }

  result(): Step {
    return { state: this.state, commands: this.commands };
  }

  /** Enters `nodeId`, then every node the path leads to, until the run waits or ends. */
  goTo(nodeId: string): void {
    this.pending = nodeId;
    while (this.pending !== null && this.state.status === 'active') {
      const next = this.pending;
      this.pending = null;
      this.enter(next);
    }
  }

  accept(input: Input): boolean {
    const accepted = this.take(input);
    if (this.pending !== null) this.goTo(this.pending);
    return accepted;
  }

  private take(input: Input): boolean {
    const awaiting = this.state.awaiting;
    if (input.type === 'cancel') {
      this.finish({ kind: 'cancelled', reason: input.reason });
      return true;
    }
    if (input.type === 'event') return this.acceptEvent(input, awaiting);
    if (!awaiting) return false;
    const node = own(this.plan.nodes, awaiting.nodeId);
    if (!node) {
      this.finish({
        kind: 'failed',
        nodeId: awaiting.nodeId,
        reason: `node "${awaiting.nodeId}" is not in the plan`,
      });
      return true;
    }
    if (input.type === 'task-result' && awaiting.task?.commandId === input.commandId) {
      this.state.awaiting = null;
      this.onTaskResult(node, input.result);
      return true;
    }
    if (input.type === 'timer-fired' && awaiting.timer?.timerId === input.timerId) {
      this.state.awaiting = null;
      this.onTimer(node, awaiting.timer.reason);
      return true;
    }
    return false;
  }

  private acceptEvent(input: Extract<Input, { type: 'event' }>, awaiting: Awaiting | null): boolean {
    const goal = this.plan.settings.goal;
    if (goal && this.eventMatches(input, goal.event, goal.filter)) {
      this.finish({ kind: 'converted', event: input.name });
      return true;
    }
    // An event is taken only while the run waits for one, not in the middle of a task.
    if (
      !awaiting?.event ||
      awaiting.task ||
      !this.eventMatches(input, awaiting.event.name, awaiting.event.filter)
    ) {
      return false;
    }
    const node = own(this.plan.nodes, awaiting.nodeId);
    if (!node) {
      this.finish({
        kind: 'failed',
        nodeId: awaiting.nodeId,
        reason: `node "${awaiting.nodeId}" is not in the plan`,
      });
      return true;
    }
    this.state.awaiting = null;
    this.state.lastEvent = { name: input.name, payload: input.payload, at: input.at };
    this.leave(node, node.type === 'staff_task' ? 'done' : 'event');
    return true;
  }

  private eventMatches(
    input: { name: string; payload: Record<string, unknown> },
    name: string,
    filter?: Condition,
  ) {
    if (input.name !== name) return false;
    return !filter || evaluateCondition(filter, { payload: input.payload, contact: this.state.contact });
  }

  private ids(node: PlanNode, suffix?: string): string {
    return `${node.id}#${own(this.state.visits, node.id) ?? 1}${suffix ? `/${suffix}` : ''}`;
  }

  private finish(outcome: RunOutcome): void {
    this.state.status = 'done';
    this.state.awaiting = null;
    this.state.phase = null;
    this.state.outcome = outcome;
    this.commands.push({ type: 'finish', outcome, at: this.at });
  }

  private wait(awaiting: Omit<Awaiting, 'nodeId'>, node: PlanNode): void {
    this.state.awaiting = { nodeId: node.id, ...awaiting };
    if (awaiting.timer) {
      const { timerId, until, reason } = awaiting.timer;
      this.commands.push({ type: 'start-timer', timerId, nodeId: node.id, until, reason });
    }
  }

  private timer(node: PlanNode, reason: TimerReason, until: number) {
    return { timerId: this.ids(node, reason), until, reason };
  }

  /** Leaves `node` by `exit` and carries on from where it leads. */
  leave(node: PlanNode, exit: string): void {
    this.commands.push({ type: 'leave', nodeId: node.id, exit, at: this.at });
    this.state.phase = null;
    const target = own(node.exits, exit);
    if (target === undefined) {
      this.finish({ kind: 'failed', nodeId: node.id, reason: `exit "${exit}" leads nowhere` });
      return;
    }
    this.pending = target;
  }

  private enter(nodeId: string): void {
    if (++this.steps > MAX_STEPS_PER_INPUT) {
      this.finish({
        kind: 'failed',
        nodeId,
        reason: `more than ${MAX_STEPS_PER_INPUT} steps without waiting`,
      });
      return;
    }
    const node = own(this.plan.nodes, nodeId);
    if (!node) {
      this.finish({ kind: 'failed', nodeId, reason: `node "${nodeId}" is not in the plan` });
      return;
    }
    setOwn(this.state.visits, nodeId, (own(this.state.visits, nodeId) ?? 0) + 1);
    this.state.nodeId = nodeId;
    this.state.phase = null;
    this.commands.push({ type: 'enter', nodeId, nodeType: node.type, at: this.at });
    this.act(node);
  }

  /** What a node does on entry (and again when a deferral it asked for ends). */
  private act(node: PlanNode): void {
    const { state, plan, at } = this;
    switch (node.type) {
      case 'trigger':
        this.leave(node, 'next');
        return;
      case 'exit':
        this.finish({ kind: 'exited', nodeId: node.id });
        return;
      case 'branch': {
        const data = renderData(plan, state);
        const taken = node.branches.find((b) => evaluateCondition(b.when, data));
        this.leave(node, taken ? taken.id : 'else');
        return;
      }
      case 'split': {
        const total = node.arms.reduce((sum, a) => sum + a.weight, 0);
        let point = stableFraction(`${plan.flowId}:${node.id}:${state.contact.id}`) * total;
        let arm = node.arms[node.arms.length - 1]!;
        for (const candidate of node.arms) {
          point -= candidate.weight;
          if (point < 0) {
            arm = candidate;
            break;
          }
        }
        this.leave(node, arm.id);
        return;
      }
      case 'wait':
        this.wait({ timer: this.timer(node, 'wait', at + ms(node.duration)) }, node);
        return;
      case 'wait_until': {
        const zone = node.timezone ?? contactZone(plan, state.contact);
        const until = nextLocalTime(at, node, zone);
        if (until <= at) {
          this.leave(node, 'next');
          return;
        }
        this.wait({ timer: this.timer(node, 'wait', until) }, node);
        return;
      }
      case 'wait_for_event':
        this.wait(
          {
            event: { name: node.event, filter: node.filter },
            timer: this.timer(node, 'timeout', at + ms(node.timeout)),
          },
          node,
        );
        return;
      case 'send':
        state.phase ??= { kind: 'send', attempt: 'primary' };
        this.send(node);
        return;
      case 'update_contact': {
        const commandId = this.ids(node);
        this.commands.push({ type: 'update-contact', commandId, nodeId: node.id, update: node.update, at });
        this.wait({ task: { commandId, kind: 'update-contact' } }, node);
        return;
      }
      case 'http_request': {
        const commandId = this.ids(node);
        const { method, url, headers, body, retries } = node;
        this.commands.push({
          type: 'http',
          commandId,
          nodeId: node.id,
          request: { method, url, headers, body, retries, timeoutMs: ms(node.timeout) },
          at,
        });
        this.wait({ task: { commandId, kind: 'http' } }, node);
        return;
      }
      case 'staff_task':
        state.phase = { kind: 'staff', startedAt: at, escalated: false };
        this.notifyStaff(node, node.assignee, undefined);
        return;
    }
  }

  private send(node: PlanNodeOf<'send'>): void {
    const { state, plan, at } = this;
    const fallback = state.phase?.kind === 'send' && state.phase.attempt === 'fallback';
    const channel = fallback ? node.fallback!.channel : node.channel;
    const message = (fallback ? node.fallback!.message : undefined) ?? node.message;
    const quiet = plan.settings.quietHours;
    const quietEnd = quiet ? quietHoursEnd(at, quiet, contactZone(plan, state.contact)) : undefined;
    if (quietEnd !== undefined) {
      this.wait({ timer: this.timer(node, 'quiet-hours', quietEnd) }, node);
      return;
    }
    const unreachable = unreachableReason(state.contact, channel);
    if (unreachable) {
      this.onSendFailed(node, { reason: unreachable, message: `cannot reach the contact on ${channel}` });
      return;
    }
    const cap = plan.settings.frequencyCap;
    const commandId = this.ids(node, fallback ? 'fallback' : undefined);
    this.commands.push({
      type: 'send',
      commandId,
      nodeId: node.id,
      channel,
      message,
      recipient: { kind: 'contact' },
      ...(cap ? { cap: { max: cap.max, perMs: ms(cap.per) } } : {}),
      at,
    });
    this.wait({ task: { commandId, kind: 'send' } }, node);
  }

  private onSendFailed(node: PlanNodeOf<'send'>, failure: TaskFailure): void {
    const cap = this.plan.settings.frequencyCap;
    if (failure.reason === 'capped') {
      if (cap?.onCap === 'skip' || failure.retryAt === undefined) {
        this.leave(node, 'next');
        return;
      }
      this.wait({ timer: this.timer(node, 'frequency-cap', Math.max(failure.retryAt, this.at)) }, node);
      return;
    }
    const phase = this.state.phase;
    if (node.fallback && phase?.kind === 'send' && phase.attempt === 'primary') {
      this.state.phase = { kind: 'send', attempt: 'fallback' };
      this.send(node);
      return;
    }
    this.leave(node, node.exits.failed ? 'failed' : 'next');
  }

  private notifyStaff(node: PlanNodeOf<'staff_task'>, staff: StaffMember, suffix: string | undefined): void {
    const commandId = this.ids(node, suffix);
    this.commands.push({
      type: 'send',
      commandId,
      nodeId: node.id,
      channel: staff.channel,
      message: node.message,
      recipient: { kind: 'staff', staff },
      at: this.at,
    });
    this.wait({ task: { commandId, kind: 'send' } }, node);
  }

  /** A staff task waits for `task.done` naming this step, until its next escalation or deadline. */
  private awaitStaff(node: PlanNodeOf<'staff_task'>): void {
    const phase = this.state.phase as Extract<NodePhase, { kind: 'staff' }>;
    const escalateAt =
      node.escalation && !phase.escalated ? phase.startedAt + ms(node.escalation.after) : undefined;
    const deadline = phase.startedAt + ms(node.deadline);
    const timer =
      escalateAt !== undefined && escalateAt < deadline
        ? this.timer(node, 'escalation', escalateAt)
        : this.timer(node, 'deadline', deadline);
    this.wait(
      { event: { name: 'task.done', filter: { field: 'payload.nodeId', op: 'eq', value: node.id } }, timer },
      node,
    );
  }

  private onTaskResult(node: PlanNode, result: TaskResult): void {
    switch (node.type) {
      case 'send':
        if (result.ok) this.leave(node, 'next');
        else this.onSendFailed(node, result);
        return;
      case 'staff_task':
        // The task stands whether or not the notice went out; staff also see it in sopflow.
        this.awaitStaff(node);
        return;
      case 'update_contact':
        if (result.ok && result.contact) this.state.contact = result.contact;
        this.leave(node, 'next');
        return;
      case 'http_request':
        setOwn(
          this.state.http,
          node.id,
          result.ok
            ? (result.response ?? { status: 0, body: null })
            : { status: 0, body: null, error: result.message },
        );
        this.leave(node, result.ok || !node.exits.failed ? 'next' : 'failed');
        return;
      default:
        this.finish({ kind: 'failed', nodeId: node.id, reason: `a ${node.type} step has no task` });
        return;
    }
  }

  private onTimer(node: PlanNode, reason: TimerReason): void {
    if (node.type === 'send' && (reason === 'quiet-hours' || reason === 'frequency-cap')) {
      this.send(node);
      return;
    }
    if (node.type === 'staff_task') {
      if (reason === 'escalation' && node.escalation) {
        this.state.phase = {
          ...(this.state.phase as Extract<NodePhase, { kind: 'staff' }>),
          escalated: true,
        };
        this.notifyStaff(node, node.escalation.assignee, 'escalation');
        return;
      }
      this.leave(node, 'expired');
      return;
    }
    this.leave(node, reason === 'timeout' ? 'timeout' : 'next');
  }
}

/** Old node id → new node id. Contacts at nodes left out stay on their version. */
export type NodeMapping = Record<string, string>;

const TIMED_WAITS: ReadonlySet<PlanNode['type']> = new Set(['wait', 'wait_until', 'wait_for_event']);

/**
 * Moves a run from its plan to a newer one, at the node the mapping names for where it waits.
 * A contact waiting on a timer keeps its due time when the new node waits the same way, so a
 * three-day wait is not restarted; otherwise the contact enters the new node afresh. Returns
 * undefined when the run cannot move now (done, mid-task, or at an unmapped node).
 */
export function migrate(to: Plan, state: RunState, mapping: NodeMapping, at: number): Step | undefined {
  const awaiting = state.awaiting;
  if (state.status === 'done' || !awaiting || awaiting.task) return undefined;
  const targetId = own(mapping, awaiting.nodeId);
  const target = typeof targetId === 'string' ? own(to.nodes, targetId) : undefined;
  if (!target) return undefined;
  const run = new Run(to, { ...state, phase: null, awaiting: null }, at);
  run.goTo(target.id);
  const step = run.result();
  const before = awaiting.timer;
  const after = step.state.awaiting?.timer;
  if (!before || !after || before.reason !== after.reason || !TIMED_WAITS.has(target.type)) return step;
  // The same kind of wait: keep the contact's original due time.
  return {
    state: { ...step.state, awaiting: { ...step.state.awaiting!, timer: { ...after, until: before.until } } },
    commands: step.commands.map((c) => (c.type === 'start-timer' ? { ...c, until: before.until } : c)),
  };
}
