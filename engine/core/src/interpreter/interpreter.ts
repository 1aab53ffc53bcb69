import { flowContactView } from '../flow/contact-addresses';
import { type Condition, evaluateCondition } from '../flow/evaluate-condition';
import type { Plan, PlanNode } from '../flow/plan';
import type { Contact } from '../flow/schema';
import { semanticsOf } from '../nodes/semantics';
import { keep } from './look-back';
import { own, type RunContext, setOwn } from './run-context';
import type {
  Awaiting,
  Command,
  EventUse,
  Input,
  ReceivedEvent,
  RunOutcome,
  RunState,
  StartInput,
  Step,
  TaskResult,
  TimerReason,
} from './types';

export { contactZone, renderData } from './run-context';
export type {
  Awaiting,
  Command,
  EventUse,
  HttpAnswer,
  Input,
  NodePhase,
  ReceivedEvent,
  Recipient,
  RenderData,
  RunOutcome,
  RunState,
  StartInput,
  Step,
  SuppressReason,
  TaskCommand,
  TaskFailure,
  TaskKind,
  TaskResult,
  TimerReason,
  WelcomeSend,
} from './types';

/**
 * The flow interpreter: plain deterministic TypeScript. It never reads a clock, a database or
 * the network; the shell (the Temporal workflow, or the dry-run simulator) feeds it inputs
 * carrying the time and carries out the commands it returns.
 */

/** Steps one input may take without waiting: far above any real flow, it stops a bug spinning. */
const MAX_STEPS_PER_INPUT = 10_000;

/** Enrolls a contact: enters the trigger and runs until the flow waits on something. */
export function start(plan: Plan, input: StartInput): Step {
  const state: RunState = {
    nodeId: plan.entry,
    status: 'active',
    awaiting: null,
    contact: input.contact,
    ...(input.contactRevision === undefined ? {} : { contactRevision: input.contactRevision }),
    event: input.event ?? {},
    lastEvent: null,
    enteredAt: input.at,
    kept: [],
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
  const ignored = (): Step => ({
    state,
    commands: [],
    ...(input.type === 'event' ? { eventUse: 'ignored' } : {}),
  });
  if (state.status === 'done') return ignored();
  const run = new Run(plan, state, input.at);
  if (run.accept(input)) return run.result();
  return ignored();
}

/** One input's worth of work on a copy of the state. */
class Run implements RunContext {
  readonly state: RunState;
  private readonly commands: Command[] = [];
  private steps = 0;
  private eventUse: EventUse | undefined;
  /** The node to enter next; a loop, not recursion, so a long path cannot overflow the stack. */
  private pending: string | null = null;

  constructor(
    readonly plan: Plan,
    state: RunState,
    readonly at: number,
  ) {
    this.state = { ...state, visits: { ...state.visits }, http: { ...state.http } };
  }

  result(): Step {
    return {
      state: this.state,
      commands: this.commands,
      ...(this.eventUse ? { eventUse: this.eventUse } : {}),
    };
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
    if (input.type === 'contact-changed') return this.takeContact(input.contact, input.revision);
    if (!awaiting) return false;
    const node = this.planNode(awaiting.nodeId);
    if (!node) return true;
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
      this.eventUse = 'used';
      this.finish({ kind: 'converted', event: input.name });
      return true;
    }
    const event: ReceivedEvent = { name: input.name, payload: input.payload, at: input.at };
    // An event is taken only while the run waits for one, not in the middle of a task.
    if (
      !awaiting?.event ||
      awaiting.task ||
      !this.eventMatches(input, awaiting.event.name, awaiting.event.filter)
    ) {
      return this.keepForLater(event);
    }
    const node = this.planNode(awaiting.nodeId);
    if (!node) return true;
    this.eventUse = 'used';
    this.state.awaiting = null;
    this.state.lastEvent = event;
    this.leave(node, semanticsOf(node).eventExit ?? 'event');
    return true;
  }

  takeContact(contact: Contact, revision: number | undefined): boolean {
    const held = this.state.contactRevision;
    // Changes are signalled by whoever wrote them, so they may arrive out of order.
    if (revision !== undefined && held !== undefined && revision <= held) return false;
    this.state.contact = contact;
    if (revision !== undefined) this.state.contactRevision = revision;
    return true;
  }

  /** Keeps an event no step takes now when a look-back step ahead may take it; false if none will. */
  private keepForLater(event: ReceivedEvent): boolean {
    const kept = keep(this.plan, this.state.nodeId, this.state.kept ?? [], event);
    if (!kept) return false;
    this.state.kept = kept;
    this.eventUse = 'kept';
    return true;
  }

  takeKept(name: string, since: number, filter?: Condition): ReceivedEvent | undefined {
    const kept = this.state.kept ?? [];
    const index = kept.findIndex((e) => e.at >= since && this.eventMatches(e, name, filter));
    if (index < 0) return undefined;
    const event = kept[index]!;
    this.state.kept = kept.filter((_, i) => i !== index);
    this.state.lastEvent = event;
    return event;
  }

  private eventMatches(
    input: { name: string; payload: Record<string, unknown> },
    name: string,
    filter?: Condition,
  ) {
    if (input.name !== name) return false;
    return (
      !filter ||
      evaluateCondition(filter, { payload: input.payload, contact: flowContactView(this.state.contact) })
    );
  }

  ids(node: PlanNode, suffix?: string): string {
    return `${node.id}#${own(this.state.visits, node.id) ?? 1}${suffix ? `/${suffix}` : ''}`;
  }

  finish(outcome: RunOutcome): void {
    this.state.status = 'done';
    this.state.awaiting = null;
    this.state.phase = null;
    this.state.outcome = outcome;
    this.commands.push({ type: 'finish', outcome, at: this.at });
  }

  wait(awaiting: Omit<Awaiting, 'nodeId'>, node: PlanNode): void {
    this.state.awaiting = { nodeId: node.id, ...awaiting };
    if (awaiting.timer) {
      const { timerId, until, reason } = awaiting.timer;
      this.commands.push({ type: 'start-timer', timerId, nodeId: node.id, until, reason });
    }
  }

  timer(node: PlanNode, reason: TimerReason, until: number) {
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

  /** The plan's node of that id; when the plan has none, the run fails and this is undefined. */
  private planNode(nodeId: string): PlanNode | undefined {
    const node = own(this.plan.nodes, nodeId);
    if (!node) this.finish({ kind: 'failed', nodeId, reason: `node "${nodeId}" is not in the plan` });
    return node;
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
    const node = this.planNode(nodeId);
    if (!node) return;
    setOwn(this.state.visits, nodeId, (own(this.state.visits, nodeId) ?? 0) + 1);
    this.state.nodeId = nodeId;
    this.state.phase = null;
    this.commands.push({ type: 'enter', nodeId, nodeType: node.type, at: this.at });
    semanticsOf(node).enter(node, this);
  }

  emit(command: Command): void {
    this.commands.push(command);
  }

  timerEnded(node: PlanNode, reason: TimerReason): void {
    this.leave(node, reason === 'timeout' ? 'timeout' : 'next');
  }

  private onTaskResult(node: PlanNode, result: TaskResult): void {
    const semantics = semanticsOf(node);
    if (semantics.taskResult) semantics.taskResult(node, result, this);
    else this.finish({ kind: 'failed', nodeId: node.id, reason: `a ${node.type} step has no task` });
  }

  private onTimer(node: PlanNode, reason: TimerReason): void {
    const semantics = semanticsOf(node);
    if (semantics.timer) semantics.timer(node, reason, this);
    else this.timerEnded(node, reason);
  }
}

/** Old node id → new node id. Contacts at nodes left out stay on their version. */
export type NodeMapping = Record<string, string>;

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
  if (!before || !after || before.reason !== after.reason || !semanticsOf(target).keepsDueTime) return step;
  // The same kind of wait: keep the contact's original due time.
  return {
    state: { ...step.state, awaiting: { ...step.state.awaiting!, timer: { ...after, until: before.until } } },
    commands: step.commands.map((c) => (c.type === 'start-timer' ? { ...c, until: before.until } : c)),
  };
}
