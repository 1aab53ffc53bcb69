import type { EventUse, FlowDocument, RunOutcome, TimelineEntry } from '@sopflow/core';
import type { StepTrace } from '../canvas/flow-canvas';

/**
 * A dry-run's timeline as the path a contact took, one step per node entered, so the canvas can
 * light it up step by step: which node, when (virtual time), what it sent, and by which exit it
 * was left.
 */

export interface TraceMessage {
  channel: string;
  to: string;
  text: string;
  subject?: string;
  status: 'sent' | 'failed' | 'capped';
}

export interface TraceStep {
  nodeId: string;
  nodeType: string;
  /** Virtual epoch ms the contact entered the node. */
  at: number;
  /** The exit taken, once left. */
  exit?: string;
  messages: TraceMessage[];
  /** Sends of the step that did not go out: skipped, or held until `until` (epoch ms). */
  suppressed: { channel: string; reason: string; until?: number }[];
  /** A wait's planned end (epoch ms); a held send says its own. */
  waitUntil?: number;
  /** Events that arrived while the contact stood here. */
  events: { name: string; use: EventUse; at: number }[];
  /** Changes to the contact made while it stood here: the fields each gave. */
  contactChanges: { fields: string[]; at: number }[];
}

export interface Trace {
  steps: TraceStep[];
  outcome: RunOutcome | null;
  startAt: number;
}

export function traceOf(
  timeline: readonly TimelineEntry[],
  startAt: number,
  outcome: RunOutcome | null,
): Trace {
  const steps: TraceStep[] = [];
  for (const entry of timeline) {
    const current = steps.at(-1);
    switch (entry.kind) {
      case 'enter':
        steps.push({
          nodeId: entry.nodeId,
          nodeType: entry.nodeType,
          at: entry.at,
          messages: [],
          suppressed: [],
          events: [],
          contactChanges: [],
        });
        break;
      case 'leave':
        if (current?.nodeId === entry.nodeId) current.exit = entry.exit;
        break;
      case 'send':
        if (current?.nodeId === entry.nodeId) {
          current.messages.push({
            channel: entry.channel,
            to: entry.to,
            text: entry.text,
            ...(entry.subject === undefined ? {} : { subject: entry.subject }),
            status: entry.status,
          });
        }
        break;
      case 'suppressed':
        if (current?.nodeId === entry.nodeId) {
          const { channel, reason, until } = entry;
          current.suppressed.push({ channel, reason, ...(until === undefined ? {} : { until }) });
        }
        break;
      case 'wait':
        // The timer that holds a send is the hold its `suppressed` entry already shows.
        if (current?.nodeId === entry.nodeId && current.suppressed.at(-1)?.until !== entry.until)
          current.waitUntil = entry.until;
        break;
      case 'event':
        current?.events.push({ name: entry.name, use: entry.use, at: entry.at });
        break;
      case 'contact-changed':
        current?.contactChanges.push({ fields: entry.fields, at: entry.at });
        break;
      default:
        break;
    }
  }
  return { steps, outcome, startAt };
}

/** The edges the first `shown` steps took: from each step, by its exit, to the next step. */
export function takenEdges(doc: FlowDocument, steps: readonly TraceStep[], shown: number): Set<string> {
  const taken = new Set<string>();
  for (let i = 0; i + 1 < Math.min(shown, steps.length); i++) {
    const from = steps[i]!;
    const to = steps[i + 1]!;
    const edge = doc.edges.find(
      (e) =>
        e.source === from.nodeId &&
        e.target === to.nodeId &&
        (from.exit === undefined || e.sourceHandle === from.exit),
    );
    if (edge) taken.add(edge.id);
  }
  return taken;
}

/** "+1d 02:05" after the start. */
export function formatOffset(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  const days = Math.floor(minutes / 1440);
  const hh = String(Math.floor((minutes % 1440) / 60)).padStart(2, '0');
  const mm = String(minutes % 60).padStart(2, '0');
  return `+${days}d ${hh}:${mm}`;
}

/** "03-02 10:10" on the flow's clock. */
export function formatClock(at: number, timeZone: string): string {
  try {
    const parts = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(at);
    const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
    return `${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
  } catch {
    return new Date(at).toISOString().slice(5, 16).replace('T', ' ');
  }
}

/** What the canvas shows for the first `shown` steps of a trace. */
export function traceMarks(trace: Trace, shown: number, timeZone: string): Map<string, StepTrace> {
  const marks = new Map<string, StepTrace>();
  const visible = trace.steps.slice(0, shown);
  visible.forEach((step, i) => {
    const mark = marks.get(step.nodeId) ?? { visits: [], at: '', messages: [], current: false };
    mark.visits.push(i + 1);
    mark.at = `${formatOffset(step.at - trace.startAt)} · ${formatClock(step.at, timeZone)}`;
    mark.messages.push(...step.messages.map((m) => m.text));
    mark.current = i === visible.length - 1;
    marks.set(step.nodeId, mark);
  });
  return marks;
}
