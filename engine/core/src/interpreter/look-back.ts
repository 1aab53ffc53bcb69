import type { Plan } from '../flow/plan';
import { semanticsOf } from '../nodes/semantics';
import { KEPT_MAX_AGE_MS, KEPT_PER_NAME } from './kept-events';
import { own } from './run-context';
import type { ReceivedEvent } from './types';

/**
 * Events a run keeps for steps that look back (a `wait_for_event` with a look-back reached after
 * the event came). What a run keeps is carried in its state, so it is bounded: per event name, the
 * newest KEPT_PER_NAME, none older than KEPT_MAX_AGE_MS nor than the longest look-back a step still
 * ahead of the contact has for that name.
 */

/**
 * Event name → the longest age any look-back step ahead of `from` (reachable through exits,
 * `from` itself only through a loop) accepts, capped at KEPT_MAX_AGE_MS.
 */
export function wantedAhead(plan: Plan, from: string): Map<string, number> {
  const wanted = new Map<string, number>();
  const seen = new Set<string>();
  const queue = Object.values(own(plan.nodes, from)?.exits ?? {});
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const node = own(plan.nodes, id);
    if (!node) continue;
    const want = semanticsOf(node).lookBack?.(node);
    if (want)
      wanted.set(want.event, Math.min(KEPT_MAX_AGE_MS, Math.max(wanted.get(want.event) ?? 0, want.maxAgeMs)));
    queue.push(...Object.values(node.exits));
  }
  return wanted;
}

/**
 * The kept events with `event` added, less those no step ahead wants any more: past their age,
 * or past KEPT_PER_NAME of their name. Undefined when no step ahead wants `event` (nothing kept).
 */
export function keep(
  plan: Plan,
  from: string,
  kept: readonly ReceivedEvent[],
  event: ReceivedEvent,
): ReceivedEvent[] | undefined {
  const wanted = wantedAhead(plan, from);
  if (!wanted.has(event.name)) return undefined;
  const fresh = [...kept, event].filter((e) => {
    const maxAge = wanted.get(e.name);
    return maxAge !== undefined && e.at >= event.at - maxAge;
  });
  const counts = new Map<string, number>();
  const newestFirst: ReceivedEvent[] = [];
  for (let i = fresh.length - 1; i >= 0; i--) {
    const e = fresh[i]!;
    const n = (counts.get(e.name) ?? 0) + 1;
    counts.set(e.name, n);
    if (n <= KEPT_PER_NAME) newestFirst.push(e);
  }
  return newestFirst.reverse();
}
