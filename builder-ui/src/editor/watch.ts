/**
 * The live numbers a published flow shows on its canvas, derived from the statistics API
 * (`GET /api/flows/{id}/stats`, engine/server/src/services/stats.ts). Pure, so the arithmetic is tested
 * without a browser.
 */

import type { FlowStats, NodeStats } from '@sopflow/core/api';

/** One step as the statistics API answers it (the fields the canvas uses). */
export type NodeStatsAnswer = Pick<
  NodeStats,
  | 'nodeId'
  | 'entered'
  | 'contacts'
  | 'left'
  | 'ended'
  | 'converted'
  | 'waitingNow'
  | 'suppressed'
  | 'held'
  | 'messages'
>;

/** A version's statistics as the API answers them (the fields the canvas uses). */
export type FlowStatsAnswer = Pick<
  FlowStats,
  'flowId' | 'version' | 'enrolled' | 'running' | 'finished' | 'converted' | 'temporalUrl'
> & { nodes: NodeStatsAnswer[] };

/** What a step's card shows while the flow is watched. */
export interface NodeWatch {
  /** Contacts standing in the step now (live, from Temporal); null when Temporal did not answer. */
  here: number | null;
  /**
   * Distinct contacts recorded as having entered the step. Journeys hand their steps over when
   * they end (and every 500 steps), so a contact still on its way counts once it finishes.
   */
  passed: number;
  /** Per exit: departures and their share of all departures (0-100, rounded), when any left. */
  exits: Record<string, { count: number; share: number }>;
  /** The step's sends that did not go out, by reason (reasons with none left out). */
  suppressed: Record<string, number>;
  /** The step's sends held for later (quiet hours, the cap's defer), by reason. */
  held: Record<string, number>;
  /** The step's messages by where each stands in its lifecycle (statuses with none left out). */
  messages: Record<string, number>;
}

/** A tally without its zeros. */
const some = (counts: Record<string, number>) =>
  Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));

/** Shares that add up to 100 (largest remainder), so a card never shows 33% + 33% + 33%. */
export function shares(counts: Record<string, number>): Record<string, number> {
  const entries = Object.entries(counts).filter(([, n]) => n > 0);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return {};
  const exact = entries.map(([key, n]) => ({ key, value: (n * 100) / total }));
  const result = Object.fromEntries(exact.map(({ key, value }) => [key, Math.floor(value)]));
  let missing = 100 - Object.values(result).reduce((sum, n) => sum + n, 0);
  const byRemainder = [...exact].sort(
    (a, b) => b.value - Math.floor(b.value) - (a.value - Math.floor(a.value)) || (a.key < b.key ? -1 : 1),
  );
  for (const { key } of byRemainder) {
    if (missing <= 0) break;
    result[key] = (result[key] ?? 0) + 1;
    missing--;
  }
  return result;
}

export function watchMarks(stats: FlowStatsAnswer): Map<string, NodeWatch> {
  const marks = new Map<string, NodeWatch>();
  for (const node of stats.nodes) {
    const share = shares(node.left);
    marks.set(node.nodeId, {
      here: node.waitingNow,
      passed: node.contacts,
      exits: Object.fromEntries(
        Object.entries(node.left)
          .filter(([, count]) => count > 0)
          .map(([exit, count]) => [exit, { count, share: share[exit] ?? 0 }]),
      ),
      suppressed: some(node.suppressed),
      held: some(node.held),
      messages: some(node.messages as Record<string, number>),
    });
  }
  return marks;
}
