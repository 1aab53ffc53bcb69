/**
 * Flows created from a template on this page, not yet laid out: a template's positions are
 * guesses at how tall each step is drawn, so the editor lays the flow out once from the sizes
 * the browser measured, as the starting point (no undo step).
 */
const untidy = new Set<string>();

export const markUntidy = (flowId: string): void => void untidy.add(flowId);

/** True once for a flow marked untidy: the caller lays it out. */
export const takeUntidy = (flowId: string): boolean => untidy.delete(flowId);
