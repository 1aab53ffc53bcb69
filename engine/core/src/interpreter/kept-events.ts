/**
 * The bounds of what a run keeps for steps that look back, and what such a step asks for. A leaf:
 * node definitions (the schema's longest look-back) and the run context read it without importing
 * the look-back mechanism, which dispatches to node semantics.
 */

/** The most events of one name a run keeps; a newer one pushes out the oldest. */
export const KEPT_PER_NAME = 10;
/** The oldest event a run keeps, and so the longest a look-back may reach. */
export const KEPT_MAX_AGE_MS = 30 * 24 * 3_600_000;

/** What a step looking back wants: events of `event` no older than `maxAgeMs` when it is reached. */
export interface LookBackWant {
  event: string;
  maxAgeMs: number;
}
