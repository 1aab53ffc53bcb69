import { type CompileError, type FlowDocument, type FlowNode, nodeExits, optionalExits } from '@sopflow/core';
import type { Edge, Node } from '@xyflow/react';
import type { DiffMark } from '../editor/version-diff';
import type { NodeWatch } from '../editor/watch';

/**
 * The flow document and the React Flow canvas describe the same graph; these functions turn
 * one into the other. They are pure so the round trip can be tested without a browser.
 *
 * The canvas owns what the operator changes by hand (which nodes and edges exist, where nodes
 * sit); everything else about a node rides along untouched in `data.node`.
 */

/** The one custom node type: every flow node is drawn by the same component. */
export const STEP_NODE_TYPE = 'step';

/** Where a dry-run took a node: the visit numbers, when, and what was sent there. */
export interface StepTrace {
  /** 1-based positions in the run's path (a node visited twice has two). */
  visits: number[];
  /** The virtual time of the last visit shown, already formatted. */
  at: string;
  /** Messages the step sent, as rendered for the sample contact. */
  messages: string[];
  /** This is the step the playback stands on. */
  current: boolean;
}

export interface StepData extends Record<string, unknown> {
  node: FlowNode;
  /** The source handles to draw, one per exit; derived, never saved (see `handlesOf`). */
  exits: string[];
  /** How many compile errors concern this node; set by `markProblems`, never saved. */
  errorCount?: number;
  /** The compile errors that name this node, to show beside it; never saved. */
  problems?: CompileError[];
  /** The dry-run's passage through this node; never saved. */
  trace?: StepTrace;
  /** Live counts of the published flow at this node; never saved. */
  watch?: NodeWatch;
  /** How the compared versions differ at this node; never saved. */
  diff?: DiffMark;
}

export type StepNode = Node<StepData, typeof STEP_NODE_TYPE>;

export interface Canvas {
  nodes: StepNode[];
  edges: Edge[];
}

/** The exit of single-exit nodes; an edge drawn with no handle leaves by it. */
const DEFAULT_EXIT = 'next';

// Re-exported so components keep one import for everything about exits.
export { optionalExits };

/**
 * The node's exits, its optional exits, then any other exit an edge leaves it by. React Flow
 * silently drops an edge whose handle is missing, and such an edge is exactly what the
 * compiler's `edge_unknown_exit` points at, so it gets a handle and stays visible.
 */
export function handlesOf(
  node: FlowNode,
  edges: readonly { source: string; sourceHandle: string }[],
): string[] {
  const exits = [...nodeExits(node), ...optionalExits(node)];
  const stray = edges.filter((e) => e.source === node.id && !exits.includes(e.sourceHandle));
  return [...new Set([...exits, ...stray.map((e) => e.sourceHandle)])];
}

export function toCanvas(doc: FlowDocument): Canvas {
  return {
    nodes: doc.nodes.map((node) => ({
      id: node.id,
      type: STEP_NODE_TYPE,
      position: { x: node.position.x, y: node.position.y },
      data: { node, exits: handlesOf(node, doc.edges) },
    })),
    edges: doc.edges.map((edge) => ({
      id: edge.id,
      source: edge.source,
      sourceHandle: edge.sourceHandle,
      target: edge.target,
    })),
  };
}

/** The document the canvas shows: `base` supplies the flow's own fields (id, name, settings). */
export function toDocument(
  base: FlowDocument,
  nodes: readonly StepNode[],
  edges: readonly Edge[],
): FlowDocument {
  return {
    ...base,
    nodes: nodes.map((n) => ({ ...n.data.node, id: n.id, position: { x: n.position.x, y: n.position.y } })),
    edges: edges.map((e) => ({
      id: e.id,
      source: e.source,
      sourceHandle: e.sourceHandle ?? DEFAULT_EXIT,
      target: e.target,
    })),
  };
}

/** Flags the nodes and edges that compile errors name, so the canvas can outline them. */
export function markProblems(canvas: Canvas, errors: readonly CompileError[]): Canvas {
  const perNode = new Map<string, CompileError[]>();
  const badEdges = new Set<string>();
  for (const error of errors) {
    if (error.nodeId !== undefined) perNode.set(error.nodeId, [...(perNode.get(error.nodeId) ?? []), error]);
    if (error.edgeId !== undefined) badEdges.add(error.edgeId);
  }
  return {
    nodes: canvas.nodes.map((n) => {
      const problems = perNode.get(n.id);
      return problems ? { ...n, data: { ...n.data, errorCount: problems.length, problems } } : n;
    }),
    edges: canvas.edges.map((e) => (badEdges.has(e.id) ? { ...e, className: 'edge--error' } : e)),
  };
}

/** Lights up a dry-run's path: the nodes it entered and the edges it took. */
export function markTrace(
  canvas: Canvas,
  steps: ReadonlyMap<string, StepTrace>,
  takenEdges: ReadonlySet<string>,
): Canvas {
  if (steps.size === 0 && takenEdges.size === 0) return canvas;
  return {
    nodes: canvas.nodes.map((n) => {
      const trace = steps.get(n.id);
      return trace ? { ...n, data: { ...n.data, trace } } : n;
    }),
    edges: canvas.edges.map((e) =>
      takenEdges.has(e.id)
        ? { ...e, className: [e.className, 'edge--taken'].filter(Boolean).join(' '), animated: true }
        : e,
    ),
  };
}

/** Puts the live counts of a watched flow on the steps that have them. */
export function markWatch(canvas: Canvas, watch: ReadonlyMap<string, NodeWatch> | undefined): Canvas {
  if (!watch || watch.size === 0) return canvas;
  return {
    nodes: canvas.nodes.map((n) => {
      const counts = watch.get(n.id);
      return counts ? { ...n, data: { ...n.data, watch: counts } } : n;
    }),
    edges: canvas.edges,
  };
}

/** Outlines what a version diff added or changed (or removed, where the canvas still has it). */
export function markDiff(
  canvas: Canvas,
  marks: { nodes: ReadonlyMap<string, DiffMark>; edges: ReadonlyMap<string, DiffMark> } | undefined,
): Canvas {
  if (!marks) return canvas;
  return {
    nodes: canvas.nodes.map((n) => {
      const diff = marks.nodes.get(n.id);
      return diff ? { ...n, data: { ...n.data, diff } } : n;
    }),
    edges: canvas.edges.map((e) => {
      const diff = marks.edges.get(e.id);
      return diff ? { ...e, className: [e.className, `edge--diff-${diff}`].filter(Boolean).join(' ') } : e;
    }),
  };
}
