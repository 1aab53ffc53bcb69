import { DateTime } from 'luxon';
import { zoneFor } from '../flow/local-time';
import type { Plan } from '../flow/plan';
import type { RunOutcome, SuppressReason } from '../interpreter/interpreter';
import type { SimulationResult, TimelineEntry } from './simulate';

function offset(ms: number): string {
  const totalMinutes = Math.floor(ms / 60_000);
  const days = Math.floor(totalMinutes / 1440);
  const hours = Math.floor((totalMinutes % 1440) / 60);
  const minutes = totalMinutes % 60;
  const seconds = Math.floor((ms % 60_000) / 1000);
  return `+${days}d ${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`;
}

export function describeOutcome(outcome: RunOutcome | null): string {
  if (!outcome) return 'still in the flow at the end of the simulation';
  switch (outcome.kind) {
    case 'exited':
      return `left the flow at "${outcome.nodeId}"`;
    case 'converted':
      return `converted (${outcome.event})`;
    case 'failed':
      return `failed at "${outcome.nodeId}": ${outcome.reason}`;
    case 'cancelled':
      return `cancelled: ${outcome.reason}`;
  }
}

const EVENT_USE_NOTE = {
  used: '',
  kept: ' (kept for a step ahead that looks back)',
  ignored: ' (nothing waited for it)',
} as const;

/** How the text timeline names each reason a send did not go out. */
const SUPPRESS_REASONS: Record<SuppressReason, string> = {
  'no-address': 'no address',
  'opted-out': 'opted out',
  capped: 'frequency cap reached',
  'quiet-hours': 'quiet hours',
};

const localTime = (at: number, zone: string) =>
  DateTime.fromMillis(at, { zone }).toFormat('yyyy-MM-dd HH:mm');

function describe(entry: TimelineEntry, zone: string): string | undefined {
  switch (entry.kind) {
    case 'enter':
      return `→ ${entry.nodeId} (${entry.nodeType})`;
    case 'send': {
      const status = entry.status === 'sent' ? '' : ` [${entry.status}]`;
      return `  ✉ ${entry.channel} to ${entry.to}${status}: ${entry.subject ? `${entry.subject} / ` : ''}${entry.text.replace(/\n/g, ' ⏎ ')}`;
    }
    case 'wait':
      return `  ⏸ waits until ${localTime(entry.until, zone)} (${entry.reason})`;
    case 'suppressed':
      return entry.until === undefined
        ? `  ⊘ not sent on ${entry.channel}: ${SUPPRESS_REASONS[entry.reason]}`
        : `  ⏸ held on ${entry.channel} until ${localTime(entry.until, zone)} (${SUPPRESS_REASONS[entry.reason]})`;
    case 'event':
      return `  ⚡ event ${entry.name}${EVENT_USE_NOTE[entry.use]}`;
    case 'contact-changed':
      return `  ✎ contact changed: ${entry.fields.join(', ')}`;
    case 'update':
      return `  ✎ contact updated: points ${entry.points >= 0 ? '+' : ''}${entry.points}, tags [${entry.tags.join(', ')}]`;
    case 'http':
      return `  ⇄ ${entry.method} ${entry.url} → ${entry.status || 'failed'}`;
    case 'finish':
      return `■ ${describeOutcome(entry.outcome)}`;
    case 'leave':
      return entry.exit === 'next' ? undefined : `  ↳ by "${entry.exit}"`;
  }
}

/**
 * The timeline as lines: offset, the contact's local time, what happened. The first line says
 * which zone the times are in: the contact's, or the flow's when the contact has none (which is
 * also the zone the flow schedules that contact's sends in).
 */
export function formatTimeline(result: SimulationResult, plan: Pick<Plan, 'settings'>): string[] {
  const zone = zoneFor(result.contact.timezone, plan.settings.timezone);
  const whose =
    zone === result.contact.timezone
      ? "the contact's time zone"
      : result.contact.timezone
        ? `the flow's time zone: the contact's "${result.contact.timezone}" is not a time zone`
        : "the flow's time zone: the contact has none";
  const lines = [`Times in ${zone} (${whose})`];
  let previous: TimelineEntry | undefined;
  for (const entry of result.timeline) {
    // The timer that holds a send is the hold its `suppressed` line has just said.
    const hold =
      entry.kind === 'wait' &&
      previous?.kind === 'suppressed' &&
      previous.nodeId === entry.nodeId &&
      previous.until === entry.until;
    previous = entry;
    const text = hold ? undefined : describe(entry, zone);
    if (text === undefined) continue;
    const local = DateTime.fromMillis(entry.at, { zone }).toFormat('MM-dd HH:mm');
    lines.push(`${offset(entry.at - result.startAt).padEnd(13)} ${local}  ${text}`);
  }
  return lines;
}
