import type { FlowStatus, FlowSummary } from '../api/flows';

/** How often the flow list asks how many contacts are in each flow. */
export const RUNNING_NOW_POLL_MS = 10_000;

/** Flows whose contacts can still be on their way: a paused flow enrolls nobody, but runs on. */
const RUNNING_STATUSES: ReadonlySet<FlowStatus> = new Set(['live', 'paused']);

/** The flow list shows a live count on this flow. */
export function showsRunningNow(flow: Pick<FlowSummary, 'status' | 'latestVersion'>): boolean {
  return flow.latestVersion !== null && RUNNING_STATUSES.has(flow.status);
}

/**
 * What the list's counts are polled for: the flows that show one, so publishing or pausing a
 * flow asks again at once. Undefined when none does, and nothing is asked.
 */
export function runningNowKey(flows: readonly FlowSummary[]): string | undefined {
  const shown = flows.filter(showsRunningNow).map((f) => f.id);
  return shown.length > 0 ? `running-now:${shown.join(',')}` : undefined;
}
