import { evaluateCondition } from '../flow/conditions';
import type { Plan, PlanNode } from '../flow/plan';
import type { Contact, MessageContent } from '../flow/schema';

/**
 * The flow interpreter: plain deterministic TypeScript. It never reads a clock, a database or
 * the network; the shell (the Temporal workflow, or the dry-run simulator) feeds it inputs
 * carrying the time and carries out the commands it returns.
 */

/** How a contact left the flow. */
export type RunOutcome =
  | { kind: 'exited'; nodeId: string }
  | { kind: 'failed'; nodeId: string; reason: string };

export type Awaiting =
  | { kind: 'send'; commandId: string; nodeId: string }
  | { kind: 'timer'; timerId: string; nodeId: string; until: number };

export interface RunState {
  /** The node the contact is at; the last one when the run is done. */
  nodeId: string;
  status: 'awaiting' | 'done';
  awaiting: Awaiting | null;
  contact: Contact;
  /** The payload of the event that enrolled the contact. */
  event: Record<string, unknown>;
  /** How many times each node was entered: part of each command id, so loops stay distinct. */
  visits: Record<string, number>;
  outcome: RunOutcome | null;
}

export type Command =
  | { type: 'enter'; nodeId: string; nodeType: PlanNode['type']; at: number }
  | {
      type: 'send';
      /** Unique within the run: `<node id>#<visit>`. */
      commandId: string;
      nodeId: string;
      channel: string;
      message: MessageContent;
      at: number;
    }
  | { type: 'start-timer'; timerId: string; nodeId: string; durationMs: number; until: number }
  | { type: 'finish'; outcome: RunOutcome; at: number };

export type Input =
  | { type: 'send-result'; commandId: string; at: number; ok: true }
  | {
      type: 'send-result';
      commandId: string;
      at: number;
      ok: false;
      error: { kind: string; message: string };
    }
  | { type: 'timer-fired'; timerId: string; at: number };

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

/** Enrolls a contact: enters the trigger and runs until the flow waits on something. */
export function start(plan: Plan, input: StartInput): Step {
  const state: RunState = {
    nodeId: plan.entry,
    status: 'awaiting',
    awaiting: null,
    contact: input.contact,
    event: input.event ?? {},
    visits: {},
    outcome: null,
  };
  return run(plan, state, plan.entry, input.at);
}

/** Feeds one input to a waiting run. An input that does not answer what the run waits for is ignored. */
export function advance(plan: Plan, state: RunState, input: Input): Step {
  const awaiting = state.awaiting;
  if (state.status === 'done' || !awaiting) return { state, commands: [] };
  const current = plan.nodes[awaiting.nodeId];
  if (!current) return fail(state, awaiting.nodeId, `node "${awaiting.nodeId}" is not in the plan`, input.at);

  const answers =
    (input.type === 'send-result' && awaiting.kind === 'send' && input.commandId === awaiting.commandId) ||
    (input.type === 'timer-fired' && awaiting.kind === 'timer' && input.timerId === awaiting.timerId);
  if (!answers) return { state, commands: [] };
  if (current.type !== 'send' && current.type !== 'wait') {
    return fail(state, current.id, `a ${current.type} step cannot be waited on`, input.at);
  }
  return run(plan, { ...state, awaiting: null }, current.next, input.at);
}

function fail(state: RunState, nodeId: string, reason: string, at: number): Step {
  const outcome: RunOutcome = { kind: 'failed', nodeId, reason };
  return {
    state: { ...state, status: 'done', awaiting: null, outcome },
    commands: [{ type: 'finish', outcome, at }],
  };
}

function run(plan: Plan, initial: RunState, firstNodeId: string, at: number): Step {
  let state: RunState = { ...initial, visits: { ...initial.visits } };
  const commands: Command[] = [];
  let nodeId = firstNodeId;
  for (let steps = 0; steps < MAX_STEPS_PER_INPUT; steps++) {
    const node = plan.nodes[nodeId];
    if (!node) {
      const failed = fail(state, nodeId, `node "${nodeId}" is not in the plan`, at);
      return { state: failed.state, commands: [...commands, ...failed.commands] };
    }
    const visit = (state.visits[nodeId] ?? 0) + 1;
    state.visits[nodeId] = visit;
    state.nodeId = nodeId;
    commands.push({ type: 'enter', nodeId, nodeType: node.type, at });

    switch (node.type) {
      case 'trigger':
        nodeId = node.next;
        continue;
      case 'branch': {
        const data = { contact: state.contact, event: state.event };
        const taken = node.branches.find((b) => evaluateCondition(b.when, data));
        nodeId = taken ? taken.next : node.elseNext;
        continue;
      }
      case 'send': {
        const commandId = `${node.id}#${visit}`;
        commands.push({ type: 'send', commandId, nodeId, channel: node.channel, message: node.message, at });
        state = { ...state, status: 'awaiting', awaiting: { kind: 'send', commandId, nodeId } };
        return { state, commands };
      }
      case 'wait': {
        const timerId = `${node.id}#${visit}`;
        const until = at + node.durationMs;
        commands.push({ type: 'start-timer', timerId, nodeId, durationMs: node.durationMs, until });
        state = { ...state, status: 'awaiting', awaiting: { kind: 'timer', timerId, nodeId, until } };
        return { state, commands };
      }
      case 'exit': {
        const outcome: RunOutcome = { kind: 'exited', nodeId };
        commands.push({ type: 'finish', outcome, at });
        return { state: { ...state, status: 'done', awaiting: null, outcome }, commands };
      }
    }
  }
  const failed = fail(state, nodeId, `more than ${MAX_STEPS_PER_INPUT} steps without waiting`, at);
  return { state: failed.state, commands: [...commands, ...failed.commands] };
}
