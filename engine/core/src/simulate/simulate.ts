import { applyContactUpdate } from '../flow/contact-update';
import { parseDuration } from '../flow/duration';
import type { Plan } from '../flow/plan';
import { Contact, type ContactInput } from '../flow/schema';
import { renderTemplate } from '../flow/template';
import {
  advance,
  contactZone,
  type EventUse,
  type HttpAnswer,
  type Input,
  type RunOutcome,
  type RunState,
  renderData,
  type Step,
  type SuppressReason,
  start,
  type TaskCommand,
  type TaskResult,
} from '../interpreter/interpreter';

/**
 * The dry-run: the production interpreter on a virtual clock. Tasks complete at once (sends are
 * rendered, not sent), timers jump the clock, scripted events arrive at their offsets. What it
 * prints is what production would do, because it is the same code deciding.
 */

export interface ScriptedEvent {
  /** When, after enrollment: milliseconds, `+2h` / `1d6h` shorthand, or ISO-8601 such as `PT2H`. */
  at: number | string;
  name: string;
  payload?: Record<string, unknown>;
}

/**
 * A change to the contact mid-flow, as a contact write gives it (`PUT /api/contacts/{id}`):
 * `attributes` and `addresses` merge (null removes one), the other fields replace, and
 * `unsubscribed` as `{ channel: true | false }` opts in or out per channel.
 */
export interface ContactChange {
  name?: string | null;
  timezone?: string | null;
  attributes?: Record<string, unknown>;
  addresses?: Record<string, string | null>;
  tags?: string[];
  points?: number;
  unsubscribed?: string[] | Record<string, boolean>;
}

/** The contact changing mid-flow (an operator's edit, an import, another flow): later steps read it. */
export interface ScriptedContactChange {
  /** When, after enrollment, as a scripted event's `at`. */
  at: number | string;
  contact: ContactChange;
}

/** The contact as a contact write with `change` leaves it. */
export function changedContact(contact: Contact, change: ContactChange): Contact {
  const { attributes, addresses, unsubscribed, tags, ...fields } = change;
  const next: Record<string, unknown> = { ...contact, ...fields };
  for (const cleared of ['name', 'timezone'] as const) if (next[cleared] === null) delete next[cleared];
  return Contact.parse({
    ...next,
    attributes: withoutNulls({ ...contact.attributes, ...attributes }),
    addresses: withoutNulls({ ...contact.addresses, ...addresses }),
    tags: tags ? [...new Set(tags)] : contact.tags,
    unsubscribed: optedOut(contact.unsubscribed, unsubscribed),
  });
}

const withoutNulls = (record: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(record).filter(([, value]) => value !== null));

function optedOut(current: string[], change: ContactChange['unsubscribed']): string[] {
  if (!change) return current;
  if (Array.isArray(change)) return [...new Set(change)];
  const kept = current.filter((channel) => change[channel] !== false);
  return [...new Set([...kept, ...Object.keys(change).filter((channel) => change[channel])])];
}

export interface SimulationOptions {
  contact: ContactInput;
  /** The payload of the enrolling event. */
  event?: Record<string, unknown>;
  /** Events for the contact, and changes to it, at their times after enrollment. */
  events?: (ScriptedEvent | ScriptedContactChange)[];
  /** The virtual time of enrollment (epoch ms). */
  startAt: number;
  /**
   * How steps' tasks turn out, by node id: sends succeed and HTTP answers 200 `{}` unless told
   * otherwise. `failChannels` fails the step's sends on those channels only (to exercise fallbacks).
   */
  responses?: Record<
    string,
    { send?: 'ok' | 'failed'; failChannels?: string[]; http?: HttpAnswer | 'failed' }
  >;
  /** Times (epoch ms) of messages this contact got from other flows, for the frequency cap. */
  priorSends?: number[];
  /** Stop a flow still running this long after enrollment. @default 400 days */
  horizonMs?: number;
  /**
   * Stop after this many inputs (task results, timers, events) even before the horizon: a loop
   * with a one-second wait would otherwise go round 35 million times in 400 days.
   * @default 20,000
   */
  maxInputs?: number;
  /**
   * Stop once rendering messages has taken this long in all (milliseconds): one render may take
   * up to a second before it fails, and a loop of such sends would otherwise hold the caller for
   * hours. The only limit that reads a clock; a flow whose messages render normally never nears it.
   * @default 5,000
   */
  renderBudgetMs?: number;
}

export type TimelineEntry =
  | { at: number; kind: 'enter'; nodeId: string; nodeType: string }
  | { at: number; kind: 'leave'; nodeId: string; exit: string }
  | {
      at: number;
      kind: 'send';
      nodeId: string;
      channel: string;
      to: string;
      text: string;
      subject?: string;
      status: 'sent' | 'failed' | 'capped';
      /** Why a message could not be rendered (a template error or a render limit). */
      error?: string;
    }
  | { at: number; kind: 'wait'; nodeId: string; until: number; reason: string }
  /** A send that did not go out when its step ran: skipped, or held until `until`. */
  | {
      at: number;
      kind: 'suppressed';
      nodeId: string;
      channel: string;
      reason: SuppressReason;
      until?: number;
    }
  /** What the run did with a scripted event: as the events API answers for a running flow. */
  | { at: number; kind: 'event'; name: string; use: EventUse }
  /** The contact changed outside the flow: the fields the change gave. */
  | { at: number; kind: 'contact-changed'; fields: string[] }
  | { at: number; kind: 'update'; nodeId: string; points: number; tags: string[] }
  | { at: number; kind: 'http'; nodeId: string; method: string; url: string; status: number }
  | { at: number; kind: 'finish'; outcome: RunOutcome };

export interface SimulationResult {
  timeline: TimelineEntry[];
  /** How the contact left, or null when the flow was still running at the horizon. */
  outcome: RunOutcome | null;
  /** The contact as the flow left it (tags, points, attributes). */
  contact: Contact;
  startAt: number;
  endAt: number;
  /** Set when the simulation stopped at `maxInputs` or `renderBudgetMs`, with the flow still running. */
  truncated?: true;
}

const DEFAULT_HORIZON = 400 * 24 * 3600 * 1000;
const DEFAULT_MAX_INPUTS = 20_000;
const DEFAULT_RENDER_BUDGET_MS = 5_000;

const SHORTHAND = /^\+?(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?$/;

/** An offset after enrollment: milliseconds, `+2h` / `1d6h30m` shorthand, or ISO-8601 (`PT2H`). */
export function offsetMs(at: number | string): number {
  if (typeof at === 'number') return at;
  const short = SHORTHAND.exec(at.trim());
  if (short?.slice(1).some(Boolean)) {
    const [d, h, m, sec] = short.slice(1).map((x) => Number(x ?? 0));
    return ((d! * 24 + h!) * 60 + m!) * 60_000 + sec! * 1000;
  }
  const parsed = parseDuration(at);
  if (!parsed.ok)
    throw new Error(`Scripted event time "${at}" is neither +2h-style shorthand nor ISO-8601 (PT2H).`);
  return parsed.ms;
}

export function simulate(plan: Plan, options: SimulationOptions): SimulationResult {
  const timeline: TimelineEntry[] = [];
  const t0 = options.startAt;
  const horizon = t0 + (options.horizonMs ?? DEFAULT_HORIZON);
  const sends = [...(options.priorSends ?? [])];
  const queue = (options.events ?? [])
    .map((e, i) => ({ ...e, at: t0 + offsetMs(e.at), i }))
    .sort((a, b) => a.at - b.at || a.i - b.i);
  const tasks = new Map<string, TaskCommand>();
  let now = t0;
  let renderMsLeft = options.renderBudgetMs ?? DEFAULT_RENDER_BUDGET_MS;

  /** A template rendered, or why it could not be (a render limit, a filter failing on the data). */
  const tryRender = (
    text: string,
    data: object,
    escapeHtml = false,
  ): { ok: true; text: string } | { ok: false; error: string } => {
    const began = Date.now();
    try {
      return { ok: true, text: renderTemplate(text, data, { escapeHtml, limitMs: renderMsLeft }) };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    } finally {
      renderMsLeft -= Date.now() - began;
    }
  };

  const record = (step: Step) => {
    for (const command of step.commands) {
      switch (command.type) {
        case 'enter':
          timeline.push({
            at: command.at,
            kind: 'enter',
            nodeId: command.nodeId,
            nodeType: command.nodeType,
          });
          break;
        case 'leave':
          timeline.push({ at: command.at, kind: 'leave', nodeId: command.nodeId, exit: command.exit });
          break;
        case 'start-timer':
          timeline.push({
            at: now,
            kind: 'wait',
            nodeId: command.nodeId,
            until: command.until,
            reason: command.reason,
          });
          break;
        case 'finish':
          timeline.push({ at: command.at, kind: 'finish', outcome: command.outcome });
          break;
        case 'suppressed': {
          const { type: _type, ...entry } = command;
          timeline.push({ ...entry, kind: 'suppressed' });
          break;
        }
        default:
          tasks.set(command.commandId, command);
      }
    }
    return step;
  };

  const runTask = (command: TaskCommand, state: RunState): TaskResult => {
    const scripted =
      options.responses && Object.hasOwn(options.responses, command.nodeId)
        ? options.responses[command.nodeId]
        : undefined;
    const data = renderData(plan, state);
    switch (command.type) {
      case 'send': {
        const to =
          command.recipient.kind === 'staff' ? `staff:${command.recipient.staff.id}` : state.contact.id;
        // HTML bodies are escaped, as the worker renders them.
        const text = tryRender(command.message.text, data, command.message.format === 'html');
        const subject =
          command.message.subject === undefined ? undefined : tryRender(command.message.subject, data);
        const base = {
          at: now,
          kind: 'send' as const,
          nodeId: command.nodeId,
          channel: command.channel,
          to,
          text: text.ok ? text.text : '',
          ...(subject?.ok ? { subject: subject.text } : {}),
        };
        // A message that cannot be rendered cannot go out: the send fails for good.
        const renderError = !text.ok ? text.error : subject && !subject.ok ? subject.error : undefined;
        if (renderError !== undefined) {
          timeline.push({ ...base, status: 'failed', error: renderError });
          return { ok: false, reason: 'failed', message: `the message cannot be rendered: ${renderError}` };
        }
        if (command.cap && command.recipient.kind === 'contact') {
          const recent = sends.filter((t) => t > now - command.cap!.perMs).sort((a, b) => a - b);
          if (recent.length >= command.cap.max) {
            timeline.push({ ...base, status: 'capped' });
            const retryAt = recent[recent.length - command.cap.max]! + command.cap.perMs;
            return { ok: false, reason: 'capped', message: 'frequency cap', retryAt };
          }
        }
        if (scripted?.send === 'failed' || scripted?.failChannels?.includes(command.channel)) {
          timeline.push({ ...base, status: 'failed' });
          return { ok: false, reason: 'failed', message: 'scripted failure' };
        }
        if (command.recipient.kind === 'contact') sends.push(now);
        timeline.push({ ...base, status: 'sent' });
        return { ok: true };
      }
      case 'update-contact': {
        const result = applyContactUpdate(state.contact, command.update, {
          at: now,
          zone: contactZone(plan, state.contact),
          data,
        });
        const points = result.ledger.reduce((sum, l) => sum + l.points, 0);
        timeline.push({ at: now, kind: 'update', nodeId: command.nodeId, points, tags: result.contact.tags });
        return { ok: true, contact: result.contact };
      }
      case 'http': {
        const url = tryRender(command.request.url, data);
        const answer = url.ok ? (scripted?.http ?? { status: 200, body: {} }) : 'failed';
        timeline.push({
          at: now,
          kind: 'http',
          nodeId: command.nodeId,
          method: command.request.method,
          url: url.ok ? url.text : '',
          status: answer === 'failed' ? 0 : answer.status,
        });
        if (!url.ok)
          return { ok: false, reason: 'failed', message: `the URL cannot be rendered: ${url.error}` };
        return answer === 'failed'
          ? { ok: false, reason: 'failed', message: 'scripted failure' }
          : { ok: true, response: answer };
      }
    }
  };

  let step = record(
    start(plan, { contact: Contact.parse(options.contact), event: options.event ?? {}, at: t0 }),
  );
  const maxInputs = options.maxInputs ?? DEFAULT_MAX_INPUTS;
  let inputs = 0;
  let truncated = false;
  while (step.state.status !== 'done') {
    if (inputs++ >= maxInputs || renderMsLeft <= 0) {
      truncated = true;
      break;
    }
    const awaiting = step.state.awaiting!;
    let input: Input;
    if (awaiting.task) {
      const command = tasks.get(awaiting.task.commandId)!;
      tasks.delete(command.commandId);
      input = {
        type: 'task-result',
        commandId: command.commandId,
        result: runTask(command, step.state),
        at: now,
      };
    } else {
      const nextEvent = queue[0];
      const timerAt = awaiting.timer?.until ?? Number.POSITIVE_INFINITY;
      if (nextEvent && nextEvent.at <= timerAt && nextEvent.at <= horizon) {
        queue.shift();
        now = Math.max(now, nextEvent.at);
        if ('contact' in nextEvent) {
          const contact = changedContact(step.state.contact, nextEvent.contact);
          step = advance(plan, step.state, { type: 'contact-changed', contact, at: now });
          timeline.push({ at: now, kind: 'contact-changed', fields: Object.keys(nextEvent.contact) });
          continue;
        }
        input = { type: 'event', name: nextEvent.name, payload: nextEvent.payload ?? {}, at: now };
      } else if (timerAt <= horizon) {
        now = Math.max(now, timerAt);
        input = { type: 'timer-fired', timerId: awaiting.timer!.timerId, at: now };
      } else {
        break;
      }
    }
    step = advance(plan, step.state, input);
    if (input.type === 'event')
      timeline.push({ at: now, kind: 'event', name: input.name, use: step.eventUse ?? 'ignored' });
    record(step);
  }
  return {
    timeline,
    outcome: step.state.outcome,
    contact: step.state.contact,
    startAt: t0,
    endAt: now,
    ...(truncated ? { truncated: true as const } : {}),
  };
}
