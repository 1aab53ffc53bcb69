import {
  defaultNode as coreDefaultNode,
  type Edge,
  FLOW_SCHEMA_VERSION,
  type FlowDocument,
  type FlowNode,
  NODE_TYPES,
  type NodeType,
  nodeDefinition,
  nodeExits,
} from '@sopflow/core';
import { handlesOf } from '../canvas/flow-canvas';
import type { Locale } from '../i18n';

/**
 * Edits of a flow document as pure functions: every action of the editor (add a step, connect,
 * delete, paste, rename) is one of these, so undo is simply the previous document and each can
 * be tested without a browser.
 */

export type Position = { x: number; y: number };

export interface Size {
  width: number;
  height: number;
}

/** What a step measures before the browser has drawn it. */
export const DEFAULT_NODE_SIZE: Size = { width: 220, height: 96 };

/** Every node type, in the order the palette offers them (the core's registry). */
export { NODE_TYPES };

export const NODE_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** A fresh id for a node of this type: `send-3`, the lowest number not taken. */
export function newNodeId(taken: Iterable<string>, type: NodeType): string {
  const used = new Set(taken);
  const prefix = nodeDefinition(type).idPrefix;
  const sep = prefix.endsWith('_') ? '' : '-';
  for (let n = 1; ; n++) {
    const id = `${prefix}${sep}${n}`;
    if (!used.has(id)) return id;
  }
}

function newEdgeId(taken: Iterable<string>, source: string, handle: string, target: string): string {
  const used = new Set(taken);
  const base = `e-${source}-${handle === 'next' ? '' : `${handle}-`}${target}`.slice(0, 180);
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) if (!used.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** A new step of a type with content that already compiles (its definition's defaults), so a dropped step is usable at once. */
export function defaultNode(type: NodeType, id: string, position: Position, locale: Locale): FlowNode {
  return coreDefaultNode(type, id, { x: Math.round(position.x), y: Math.round(position.y) }, locale);
}

/**
 * Where a new step can go near `preferred` without covering another: the first free place on
 * a widening ring of slots around it (steps added by click would otherwise pile up).
 */
export function freeSpot(
  nodes: readonly { id: string; position: Position }[],
  preferred: Position,
  sizes: ReadonlyMap<string, Size> = new Map(),
  size: Size = DEFAULT_NODE_SIZE,
): Position {
  const gap = 24;
  const rects = nodes.map((n) => {
    const s = sizes.get(n.id) ?? DEFAULT_NODE_SIZE;
    return { x: n.position.x, y: n.position.y, w: s.width, h: s.height };
  });
  const free = (p: Position) =>
    rects.every(
      (r) =>
        p.x + size.width + gap <= r.x ||
        r.x + r.w + gap <= p.x ||
        p.y + size.height + gap <= r.y ||
        r.y + r.h + gap <= p.y,
    );
  const stepX = size.width + gap * 2;
  const stepY = size.height + gap * 2;
  for (let ring = 0; ring <= 12; ring++) {
    const candidates: Position[] = [];
    for (let dy = -ring; dy <= ring; dy++) {
      for (let dx = -ring; dx <= ring; dx++) {
        if (Math.max(Math.abs(dx), Math.abs(dy)) !== ring) continue;
        candidates.push({ x: preferred.x + dx * stepX, y: preferred.y + dy * stepY });
      }
    }
    // Nearest first, and below before above (flows read top to bottom).
    candidates.sort(
      (a, b) =>
        Math.hypot(a.x - preferred.x, a.y - preferred.y) - Math.hypot(b.x - preferred.x, b.y - preferred.y) ||
        b.y - a.y,
    );
    const found = candidates.find(free);
    if (found) return found;
  }
  return preferred;
}

/** A new flow that compiles: a webhook trigger leading to an exit. */
export function blankFlow(id: string, name: string): FlowDocument {
  return {
    schemaVersion: FLOW_SCHEMA_VERSION,
    id,
    name,
    nodes: [
      {
        id: 'start',
        type: 'trigger',
        position: { x: 0, y: 0 },
        trigger: { kind: 'webhook', event: 'webhook' },
      },
      { id: 'end', type: 'exit', position: { x: 0, y: 240 } },
    ],
    edges: [{ id: 'e-start-end', source: 'start', sourceHandle: 'next', target: 'end' }],
    settings: { timezone: 'Asia/Shanghai', reentry: { mode: 'always' } },
  };
}

export function addNode(doc: FlowDocument, node: FlowNode): FlowDocument {
  return { ...doc, nodes: [...doc.nodes, node] };
}

/**
 * Removes nodes (with every edge touching them) and edges. A step that led on through one exit
 * alone leaves its place bridged: what led into it now leads where it led (through a run of such
 * steps too), so deleting a step in the middle of a path does not cut the path in two. A step with
 * several connected exits is not bridged: which exit should inherit is the operator's to say.
 */
export function removeElements(
  doc: FlowDocument,
  nodeIds: Iterable<string>,
  edgeIds: Iterable<string> = [],
): FlowDocument {
  const nodes = new Set(nodeIds);
  const edges = new Set(edgeIds);
  if (nodes.size === 0 && edges.size === 0) return doc;
  const bridges = nodes.size === 0 ? [] : bridgesAround(doc, nodes);
  const kept: FlowDocument = {
    ...doc,
    nodes: doc.nodes.filter((n) => !nodes.has(n.id)),
    edges: doc.edges.filter((e) => !edges.has(e.id) && !nodes.has(e.source) && !nodes.has(e.target)),
  };
  return bridges.reduce(connect, kept);
}

/** For each edge into a removed step from a kept one: where the removed steps' single exits lead. */
function bridgesAround(doc: FlowDocument, removed: ReadonlySet<string>): Connection[] {
  const onwardOf = (id: string) => {
    const out = doc.edges.filter((e) => e.source === id);
    return out.length === 1 ? out[0]!.target : undefined;
  };
  const bridges: Connection[] = [];
  for (const edge of doc.edges) {
    if (removed.has(edge.source) || !removed.has(edge.target)) continue;
    const passed = new Set<string>();
    let at: string | undefined = edge.target;
    while (at !== undefined && removed.has(at) && !passed.has(at)) {
      passed.add(at);
      at = onwardOf(at);
    }
    if (at !== undefined && !removed.has(at) && at !== edge.source)
      bridges.push({ source: edge.source, sourceHandle: edge.sourceHandle, target: at });
  }
  return bridges;
}

export interface Connection {
  source: string;
  sourceHandle?: string | null;
  target: string;
}

/**
 * Connects an exit to a step. An exit leads to one step only, so connecting an exit that is
 * already connected moves its connection (as in Braze and Customer.io) instead of doubling it.
 */
export function connect(doc: FlowDocument, connection: Connection): FlowDocument {
  const handle = connection.sourceHandle ?? 'next';
  const existing = doc.edges.filter((e) => e.source === connection.source && e.sourceHandle === handle);
  if (existing.length === 1 && existing[0]!.target === connection.target) return doc;
  const kept = doc.edges.filter((e) => !existing.includes(e));
  const edge: Edge = {
    id: newEdgeId(
      kept.map((e) => e.id),
      connection.source,
      handle,
      connection.target,
    ),
    source: connection.source,
    sourceHandle: handle,
    target: connection.target,
  };
  return { ...doc, edges: [...kept, edge] };
}

/** Moves one end of an existing edge (dragged to another step or exit). */
export function reconnect(doc: FlowDocument, edgeId: string, connection: Connection): FlowDocument {
  const without = { ...doc, edges: doc.edges.filter((e) => e.id !== edgeId) };
  return connect(without, connection);
}

export function moveNodes(doc: FlowDocument, positions: ReadonlyMap<string, Position>): FlowDocument {
  let changed = false;
  const nodes = doc.nodes.map((n) => {
    const p = positions.get(n.id);
    if (!p || (p.x === n.position.x && p.y === n.position.y)) return n;
    changed = true;
    return { ...n, position: { x: Math.round(p.x), y: Math.round(p.y) } };
  });
  return changed ? { ...doc, nodes } : doc;
}

/**
 * Replaces a node with an edited version. A new id renames it (edges follow); an exit the
 * edit took away (a deleted branch condition, a removed split arm) takes its edge with it.
 */
export function replaceNode(doc: FlowDocument, id: string, next: FlowNode): FlowDocument {
  const old = doc.nodes.find((n) => n.id === id);
  if (!old) return doc;
  const oldExits = new Set(handlesOf(old, []));
  const newExits = new Set(handlesOf(next, []));
  const gone = new Set([...oldExits].filter((h) => !newExits.has(h)));
  return {
    ...doc,
    nodes: doc.nodes.map((n) => (n.id === id ? next : n)),
    edges: doc.edges
      .filter((e) => !(e.source === id && gone.has(e.sourceHandle)))
      .map((e) =>
        e.source === id || e.target === id
          ? {
              ...e,
              source: e.source === id ? next.id : e.source,
              target: e.target === id ? next.id : e.target,
            }
          : e,
      ),
  };
}

/** Renames an exit of a branch or split node and the edge that leaves by it. */
export function renameExit(doc: FlowDocument, nodeId: string, from: string, to: string): FlowDocument {
  return {
    ...doc,
    edges: doc.edges.map((e) =>
      e.source === nodeId && e.sourceHandle === from ? { ...e, sourceHandle: to } : e,
    ),
  };
}

/** Why a new id for a node cannot be used, or undefined when it can. */
export function nodeIdProblem(doc: FlowDocument, id: string, newId: string): 'invalid' | 'taken' | undefined {
  if (!NODE_ID_PATTERN.test(newId)) return 'invalid';
  if (newId !== id && doc.nodes.some((n) => n.id === newId)) return 'taken';
  return undefined;
}

/**
 * The types a step put on an edge may have: a way in and a way out. A trigger has no way in,
 * and an exit would leave the step the edge led to cut off.
 */
export const INSERTABLE_TYPES: readonly NodeType[] = NODE_TYPES.filter(
  (t) => t !== 'trigger' && t !== 'exit',
);

/** Room kept above and below a step put on an edge. */
const INSERT_GAP = 48;
/** The canvas snaps to this grid; steps moved to make room stay on it. */
const GRID = 8;

/**
 * Splices a new step of `type` into an edge: the edge's source (by the same exit) leads to the
 * new step, and the step's default exit (`next`, or its first exit) leads on to the old target;
 * its other exits are left for the operator to connect. The step goes between the two; when
 * they are too close for it, the target and every step level with or below it move down to make
 * room, as inserting a row would, so nothing ends up covered. Undefined when the edge is gone or
 * the type cannot stand mid-path.
 */
export function insertOnEdge(
  doc: FlowDocument,
  edgeId: string,
  type: NodeType,
  locale: Locale,
  sizes: ReadonlyMap<string, Size> = new Map(),
): { doc: FlowDocument; id: string } | undefined {
  const edge = doc.edges.find((e) => e.id === edgeId);
  if (!edge || !INSERTABLE_TYPES.includes(type)) return undefined;
  const source = doc.nodes.find((n) => n.id === edge.source);
  const target = doc.nodes.find((n) => n.id === edge.target);
  if (!source || !target) return undefined;
  const sizeOf = (id: string) => sizes.get(id) ?? DEFAULT_NODE_SIZE;
  const from = sizeOf(source.id);
  const to = sizeOf(target.id);
  const size = DEFAULT_NODE_SIZE;
  const centreX = (source.position.x + from.width / 2 + target.position.x + to.width / 2) / 2;
  const x = centreX - size.width / 2;

  let nodes = doc.nodes;
  let position: Position;
  const top = source.position.y + from.height + INSERT_GAP;
  if (target.position.y > source.position.y) {
    const room = target.position.y - (top + size.height + INSERT_GAP);
    if (room >= 0) position = { x, y: top + room / 2 };
    else {
      const shift = Math.ceil(-room / GRID) * GRID;
      const below = target.position.y;
      nodes = nodes.map((n) =>
        n.position.y >= below ? { ...n, position: { x: n.position.x, y: n.position.y + shift } } : n,
      );
      position = { x, y: top };
    }
  } else {
    // An edge going back up (a loop) or sideways: beside the path, wherever is free.
    const preferred = {
      x,
      y: (source.position.y + from.height / 2 + target.position.y + to.height / 2) / 2 - size.height / 2,
    };
    position = freeSpot(nodes, preferred, sizes, size);
  }

  const id = newNodeId(
    nodes.map((n) => n.id),
    type,
  );
  const node = defaultNode(type, id, position, locale);
  const exit = nodeExits(node)[0]!;
  const edgeIds = doc.edges.filter((e) => e.id !== edgeId).map((e) => e.id);
  const into: Edge = {
    id: newEdgeId(edgeIds, source.id, edge.sourceHandle, id),
    source: source.id,
    sourceHandle: edge.sourceHandle,
    target: id,
  };
  const onward: Edge = {
    id: newEdgeId([...edgeIds, into.id], id, exit, target.id),
    source: id,
    sourceHandle: exit,
    target: target.id,
  };
  return {
    doc: {
      ...doc,
      nodes: [...nodes, node],
      // In the old edge's place, so the document's order (and a version diff) moves least.
      edges: doc.edges.flatMap((e) => (e.id === edgeId ? [into, onward] : [e])),
    },
    id,
  };
}

export interface Clipboard {
  nodes: FlowNode[];
  edges: Edge[];
}

/** The selected nodes and the edges among them. */
export function copyNodes(doc: FlowDocument, ids: Iterable<string>): Clipboard {
  const set = new Set(ids);
  return {
    nodes: doc.nodes.filter((n) => set.has(n.id)),
    edges: doc.edges.filter((e) => set.has(e.source) && set.has(e.target)),
  };
}

/**
 * How far a paste shifts the copied steps: to the nearest place where the copies, as a group,
 * cover no step (the originals included), so a paste never lands on what it copied.
 */
export function pasteOffset(
  doc: FlowDocument,
  clip: Clipboard,
  sizes: ReadonlyMap<string, Size> = new Map(),
): Position {
  if (clip.nodes.length === 0) return { x: 0, y: 0 };
  const sizeOf = (id: string) => sizes.get(id) ?? DEFAULT_NODE_SIZE;
  const left = Math.min(...clip.nodes.map((n) => n.position.x));
  const top = Math.min(...clip.nodes.map((n) => n.position.y));
  const right = Math.max(...clip.nodes.map((n) => n.position.x + sizeOf(n.id).width));
  const bottom = Math.max(...clip.nodes.map((n) => n.position.y + sizeOf(n.id).height));
  const spot = freeSpot(doc.nodes, { x: left + 40, y: top + 40 }, sizes, {
    width: right - left,
    height: bottom - top,
  });
  return { x: spot.x - left, y: spot.y - top };
}

/** Pastes copied nodes under fresh ids, shifted by `offset`; answers the new ids too. */
export function pasteNodes(
  doc: FlowDocument,
  clip: Clipboard,
  offset: Position,
): { doc: FlowDocument; ids: string[] } {
  const taken = new Set(doc.nodes.map((n) => n.id));
  const renamed = new Map<string, string>();
  const nodes = clip.nodes.map((n) => {
    const id = newNodeId(taken, n.type);
    taken.add(id);
    renamed.set(n.id, id);
    return { ...n, id, position: { x: n.position.x + offset.x, y: n.position.y + offset.y } } as FlowNode;
  });
  const edgeIds = new Set(doc.edges.map((e) => e.id));
  const edges = clip.edges.map((e) => {
    const source = renamed.get(e.source)!;
    const target = renamed.get(e.target)!;
    const id = newEdgeId(edgeIds, source, e.sourceHandle, target);
    edgeIds.add(id);
    return { ...e, id, source, target };
  });
  return {
    doc: { ...doc, nodes: [...doc.nodes, ...nodes], edges: [...doc.edges, ...edges] },
    ids: nodes.map((n) => n.id),
  };
}

export const FLOW_ID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
