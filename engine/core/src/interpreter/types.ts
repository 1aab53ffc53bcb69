import type { Condition } from '../flow/evaluate-condition';
import type { PlanNode, PlanNodeOf } from '../flow/plan';
import type { Contact, ContactUpdate, MessageContent, StaffMember } from '../flow/schema';

/**
 * The interpreter's data: the run's state, its inputs and the commands it returns. Apart from
 * the interpreter so node semantics (`nodes/<type>/run.ts`) and their context can name them
 * without importing the interpreter that dispatches to them.
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
  /** The contact as it is now: as it enrolled, then as each change pushed to the run left it. */
  contact: Contact;
  /**
   * The stored revision of `contact`, when the shell knows it: a change of a lower revision
   * arrives late and is ignored. Unset for runs started before contacts had revisions.
   */
  contactRevision?: number;
  /** The payload of the event that enrolled the contact. */
  event: Record<string, unknown>;
  /** The last event a wait-for-event step received. */
  lastEvent: ReceivedEvent | null;
  /** When the contact entered the flow; absent in runs started before look-backs. */
  enteredAt?: number;
  /**
   * Events no step took when they came, kept for a look-back step ahead (oldest first, bounded:
   * see `look-back.ts`); absent in runs started before look-backs.
   */
  kept?: ReceivedEvent[];
  /** Answers of HTTP request steps, by node id. */
  http: Record<string, HttpAnswer>;
  /** How many times each node was entered: part of each command id, so loops stay distinct. */
  visits: Record<string, number>;
  phase: NodePhase | null;
  outcome: RunOutcome | null;
}

/**
 * A send as the new-friend welcome: the welcome code and when the add happened (epoch ms), from
 * the event that started the run, and what to do when the code cannot be used.
 */
export interface WelcomeSend {
  code?: string;
  addedAt?: number;
  otherwise: 'message' | 'failed';
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
      /** Set for a new-friend welcome: the code of the add that started the run, if it had one. */
      welcome?: WelcomeSend;
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
  | {
      /**
       * A send that did not go out now: skipped (no `until`), or held until `until`. Nothing for
       * the shell to carry out: it records it in the contact's journey, where statistics count it.
       */
      type: 'suppressed';
      nodeId: string;
      channel: string;
      reason: SuppressReason;
      until?: number;
      at: number;
    }
  | { type: 'finish'; outcome: RunOutcome; at: number };

/** A command the shell carries out and answers with a `task-result` input of the same `commandId`. */
export type TaskCommand = Extract<Command, { commandId: string }>;

/**
 * Why a send did not go out when its step ran: the contact has no address on the channel, opted
 * out of it, the frequency cap is reached, or (held, never skipped) it is quiet hours.
 */
export type SuppressReason = 'no-address' | 'opted-out' | 'capped' | 'quiet-hours';

/** Why a send did not go out. `capped` comes with the time the cap allows again. */
export type TaskFailure = {
  reason: 'failed' | 'no-address' | 'opted-out' | 'capped';
  message: string;
  retryAt?: number;
};

export type TaskResult =
  | {
      ok: true;
      /** The contact as an update step left it, and its stored revision when known. */
      contact?: Contact;
      contactRevision?: number;
      response?: HttpAnswer;
      duplicate?: boolean;
    }
  | ({ ok: false } & TaskFailure);

export type Input =
  | { type: 'task-result'; commandId: string; at: number; result: TaskResult }
  | { type: 'timer-fired'; timerId: string; at: number }
  | { type: 'event'; name: string; payload: Record<string, unknown>; at: number }
  | { type: 'cancel'; reason: string; at: number }
  /**
   * The contact changed outside the run (an operator, an import, a webhook, another flow): later
   * steps read it as it is now. Taken at any time, also mid-task; it never moves the run on.
   */
  | { type: 'contact-changed'; contact: Contact; revision?: number; at: number };

/**
 * What a run did with an event: `used` it now (its goal, or the step waiting for it), `kept` it
 * for a look-back step ahead, or `ignored` it.
 */
export type EventUse = 'used' | 'kept' | 'ignored';

export interface Step {
  state: RunState;
  commands: Command[];
  /** For an `event` input: what the run did with it. */
  eventUse?: EventUse;
}

export interface StartInput {
  contact: Contact;
  /** The stored revision of `contact`, when known. */
  contactRevision?: number;
  event?: Record<string, unknown>;
  at: number;
}

/** The data templates and conditions read. */
export interface RenderData {
  /** The contact, its addresses also as `<kind>` (`flowContactView`). */
  contact: Contact & Readonly<Record<string, unknown>>;
  event: Record<string, unknown>;
  lastEvent: ReceivedEvent | null;
  http: Record<string, HttpAnswer>;
  flow: { id: string; name: string; version: number };
}
