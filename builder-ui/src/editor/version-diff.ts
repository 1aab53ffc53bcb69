import type { FlowDocument, FlowNode } from '@sopflow/core';

type FlowEdge = FlowDocument['edges'][number];

/**
 * What changed between two versions of a flow, by node and edge id. Where a step sits on the
 * canvas is not a change to what contacts live (a layout pass would otherwise mark every step),
 * so positions are reported apart, as `moved`.
 */
export interface VersionDiff {
  nodes: {
    added: string[];
    removed: string[];
    /** Steps in both whose configuration differs, with the top-level fields that did. */
    changed: { id: string; fields: string[] }[];
    moved: string[];
  };
  edges: {
    added: string[];
    removed: string[];
    /** Same id, other ends or exit. */
    changed: string[];
  };
  /** Flow-level fields that differ (name, settings, goal, ...). */
  flow: string[];
}

/** Key order must not count as a change: stored JSON comes back from Postgres reordered. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

function changedFields(before: Record<string, unknown>, after: Record<string, unknown>, ignore: string[]) {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => !ignore.includes(k) && canonical(before[k]) !== canonical(after[k])).sort();
}

const edgeEnds = (e: FlowEdge) => canonical([e.source, e.sourceHandle, e.target]);

export function diffVersions(before: FlowDocument, after: FlowDocument): VersionDiff {
  const oldNodes = new Map<string, FlowNode>(before.nodes.map((n) => [n.id, n]));
  const newNodes = new Map<string, FlowNode>(after.nodes.map((n) => [n.id, n]));
  const changed: { id: string; fields: string[] }[] = [];
  const moved: string[] = [];
  for (const [id, node] of newNodes) {
    const old = oldNodes.get(id);
    if (!old) continue;
    const fields = changedFields(
      old as unknown as Record<string, unknown>,
      node as unknown as Record<string, unknown>,
      ['position'],
    );
    if (fields.length > 0) changed.push({ id, fields });
    if (old.position.x !== node.position.x || old.position.y !== node.position.y) moved.push(id);
  }
  const oldEdges = new Map(before.edges.map((e) => [e.id, e]));
  const newEdges = new Map(after.edges.map((e) => [e.id, e]));
  return {
    nodes: {
      added: [...newNodes.keys()].filter((id) => !oldNodes.has(id)),
      removed: [...oldNodes.keys()].filter((id) => !newNodes.has(id)),
      changed,
      moved,
    },
    edges: {
      added: [...newEdges.keys()].filter((id) => !oldEdges.has(id)),
      removed: [...oldEdges.keys()].filter((id) => !newEdges.has(id)),
      changed: [...newEdges]
        .filter(([id, e]) => {
          const old = oldEdges.get(id);
          return old !== undefined && edgeEnds(old) !== edgeEnds(e);
        })
        .map(([id]) => id),
    },
    flow: changedFields(
      before as unknown as Record<string, unknown>,
      after as unknown as Record<string, unknown>,
      ['nodes', 'edges'],
    ),
  };
}

/** True when the two versions would run contacts the same way (only positions may differ). */
export function isUnchanged(diff: VersionDiff): boolean {
  const { nodes, edges, flow } = diff;
  return (
    nodes.added.length + nodes.removed.length + nodes.changed.length === 0 &&
    edges.added.length + edges.removed.length + edges.changed.length === 0 &&
    flow.length === 0
  );
}

/** How each step and edge of the canvas is marked while a diff is shown. */
export type DiffMark = 'added' | 'changed' | 'removed';

/**
 * Marks by id for the canvas. Removed steps and edges are no longer drawn on the newer
 * version's canvas; they get a mark anyway for a canvas that still shows them (the draft).
 */
export function diffMarks(diff: VersionDiff): { nodes: Map<string, DiffMark>; edges: Map<string, DiffMark> } {
  const nodes = new Map<string, DiffMark>();
  for (const id of diff.nodes.added) nodes.set(id, 'added');
  for (const { id } of diff.nodes.changed) nodes.set(id, 'changed');
  for (const id of diff.nodes.removed) nodes.set(id, 'removed');
  const edges = new Map<string, DiffMark>();
  for (const id of diff.edges.added) edges.set(id, 'added');
  for (const id of diff.edges.changed) edges.set(id, 'changed');
  for (const id of diff.edges.removed) edges.set(id, 'removed');
  return { nodes, edges };
}
