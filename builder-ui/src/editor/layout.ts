import dagre from '@dagrejs/dagre';
import type { FlowDocument } from '@sopflow/core';
import { handlesOf } from '../canvas/flow-canvas';
import { DEFAULT_NODE_SIZE, moveNodes, type Position, type Size } from './document';

/**
 * Lays the flow out top to bottom in layers (dagre): the trigger on top, each step below the
 * steps that lead to it, the exits of a multi-exit step side by side in their handle order.
 * Positions are the nodes' top-left corners, as React Flow and the document keep them.
 */
export function layoutFlow(doc: FlowDocument, sizes: ReadonlyMap<string, Size> = new Map()): FlowDocument {
  const graph = new dagre.graphlib.Graph({ multigraph: true });
  graph.setGraph({ rankdir: 'TB', nodesep: 48, ranksep: 72, edgesep: 24, marginx: 0, marginy: 0 });
  graph.setDefaultEdgeLabel(() => ({}));
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));

  // Each node's outgoing edges in the order of its handles (branch conditions, then else)…
  const outgoing = new Map<string, typeof doc.edges>();
  for (const node of doc.nodes) {
    const handles = handlesOf(node, doc.edges);
    const mine = doc.edges.filter((e) => e.source === node.id && byId.has(e.target));
    outgoing.set(
      node.id,
      mine.sort((a, b) => handles.indexOf(a.sourceHandle) - handles.indexOf(b.sourceHandle)),
    );
  }
  // …and the nodes in the order a walk from the trigger meets them: dagre keeps that order
  // left to right where nothing else decides, so arms sit under their handles.
  const order: string[] = [];
  const seen = new Set<string>();
  const roots = [...doc.nodes.filter((n) => n.type === 'trigger'), ...doc.nodes];
  for (const root of roots) {
    const queue = [root.id];
    while (queue.length > 0) {
      const id = queue.shift()!;
      if (seen.has(id)) continue;
      seen.add(id);
      order.push(id);
      for (const edge of outgoing.get(id) ?? []) queue.push(edge.target);
    }
  }
  for (const id of order) {
    const size = sizes.get(id) ?? DEFAULT_NODE_SIZE;
    graph.setNode(id, { width: size.width, height: size.height });
  }
  for (const id of order) {
    for (const edge of outgoing.get(id) ?? []) graph.setEdge(edge.source, edge.target, {}, edge.id);
  }
  // The targets of a node's exits left to right in handle order, where they share a layer.
  const constraints: { left: string; right: string }[] = [];
  const pairs = new Set<string>();
  for (const id of order) {
    const targets = [...new Set((outgoing.get(id) ?? []).map((e) => e.target))];
    for (let i = 0; i + 1 < targets.length; i++) {
      const [left, right] = [targets[i]!, targets[i + 1]!];
      if (pairs.has(`${right}|${left}`)) continue;
      pairs.add(`${left}|${right}`);
      constraints.push({ left, right });
    }
  }
  try {
    dagre.layout(graph, { constraints });
  } catch {
    // Constraints that contradict each other across the graph: lay out without them.
    dagre.layout(graph);
  }
  const positions = new Map<string, Position>();
  for (const id of order) {
    const laid = graph.node(id) as { x: number; y: number; width: number; height: number } | undefined;
    if (laid) positions.set(id, { x: laid.x - laid.width / 2, y: laid.y - laid.height / 2 });
  }
  return moveNodes(doc, positions);
}
