import type { FlowDocument } from '@sopflow/core';

/**
 * Flows the editor lays out once, from the sizes the browser measured, as their starting point (no
 * undo step): one just created from a template on this page, whose positions are guesses at how
 * tall each step is drawn, and one written without positions (through the API: every step at one
 * spot).
 */
const untidy = new Set<string>();

export const markUntidy = (flowId: string): void => void untidy.add(flowId);

/** True once for a flow marked untidy, and for any document without positions: the caller lays it out. */
export function needsLayout(doc: FlowDocument): boolean {
  return untidy.delete(doc.id) || withoutPositions(doc);
}

function withoutPositions(doc: FlowDocument): boolean {
  const [first, ...rest] = doc.nodes;
  return (
    first !== undefined &&
    rest.length > 0 &&
    rest.every((n) => n.position.x === first.position.x && n.position.y === first.position.y)
  );
}
