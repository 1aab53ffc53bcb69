import type { CompileError, FlowDocument, NodeType } from '@sopflow/core';
import {
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  type Connection,
  ConnectionLineType,
  ControlButton,
  Controls,
  type DefaultEdgeOptions,
  type Edge,
  type EdgeChange,
  type EdgeTypes,
  MarkerType,
  MiniMap,
  type NodeChange,
  type NodeTypes,
  type OnSelectionChangeParams,
  ReactFlow,
  useNodesInitialized,
  useReactFlow,
} from '@xyflow/react';
import { Map as MapIcon, Maximize } from 'lucide-react';
import { type DragEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  markDiff,
  markProblems,
  markTrace,
  markWatch,
  STEP_NODE_TYPE,
  type StepNode as StepNodeType,
  type StepTrace,
  toCanvas,
} from '../../canvas/flow-canvas';
import {
  connect,
  DEFAULT_NODE_SIZE,
  moveNodes,
  type Position,
  reconnect,
  removeElements,
} from '../../editor/document';
import { MINIMAP } from '../../editor/panels';
import type { DiffMark } from '../../editor/version-diff';
import type { NodeWatch } from '../../editor/watch';
import { useFlowView } from '../../hooks/useFlowView';
import { useLocale } from '../../hooks/useLocale';
import { usePanels } from '../../hooks/usePanels';
import { nodeModule } from '../../nodes';
import { PALETTE_MIME } from '../Palette/Palette';
import { type EdgeInsert, EdgeInsertContext, INSERTABLE_EDGE_TYPE, InsertableEdge } from './InsertableEdge';
import { StepNode } from './StepNode';

// Defined once: React Flow re-mounts every node (and edge) when these objects' identity changes.
const nodeTypes: NodeTypes = { [STEP_NODE_TYPE]: StepNode };
const edgeTypes: EdgeTypes = { [INSERTABLE_EDGE_TYPE]: InsertableEdge };

const defaultEdgeOptions: DefaultEdgeOptions = {
  type: INSERTABLE_EDGE_TYPE,
  markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 },
};

const minimapClass = (n: StepNodeType) => (n.data.errorCount ? 'minimap-node--error' : '');

/** The minimap draws each step in its type's colour (the same as on the cards). */
const minimapColor = (n: StepNodeType) => nodeModule(n.data.node.type)?.color ?? '#9aa5b1';

const EMPTY_TRACE = new Map<string, StepTrace>();
const NO_EDGES = new Set<string>();

/** Asks the canvas to select these nodes (and maybe zoom to them); `seq` tells requests apart. */
export interface SelectRequest {
  ids: string[];
  /** `fit`: zoom to the steps; `reveal`: pan, at the same zoom, only if they are out of view. */
  view: 'keep' | 'fit' | 'reveal';
  seq: number;
}

interface Props {
  doc: FlowDocument;
  errors: readonly CompileError[];
  trace?: ReadonlyMap<string, StepTrace>;
  takenEdges?: ReadonlySet<string>;
  /** Live counts per step of the published flow. */
  watch?: ReadonlyMap<string, NodeWatch>;
  /** A version diff to outline. */
  diff?: { nodes: ReadonlyMap<string, DiffMark>; edges: ReadonlyMap<string, DiffMark> };
  /** Changes the document (one undo step); `fn` gets the latest document. */
  update: (fn: (doc: FlowDocument) => FlowDocument, key?: string) => void;
  addStep: (type: NodeType, position: Position) => void;
  /** Puts a new step of `type` on an edge, between its two ends. */
  insertStep: (edgeId: string, type: NodeType) => void;
  onSelectionChange: (nodeIds: string[], edgeIds: string[]) => void;
  selectRequest?: SelectRequest;
}

/**
 * Nodes fresh from the document, keeping what only the canvas knows: the measured size (React
 * Flow draws edges and the minimap from it), selection, and the position of a node being dragged.
 */
function mergeNodes(
  previous: readonly StepNodeType[],
  next: readonly StepNodeType[],
  select: ReadonlySet<string> | null,
): StepNodeType[] {
  const byId = new Map(previous.map((n) => [n.id, n]));
  return next.map((n) => {
    const old = byId.get(n.id);
    const selected = select ? select.has(n.id) : (old?.selected ?? false);
    if (!old) return { ...n, selected };
    return {
      ...n,
      selected,
      position: old.dragging ? old.position : n.position,
      ...(old.measured ? { measured: old.measured } : {}),
      ...(old.dragging ? { dragging: true } : {}),
    };
  });
}

function mergeEdges(previous: readonly Edge[], next: readonly Edge[], clear: boolean): Edge[] {
  const selected = new Set(clear ? [] : previous.filter((e) => e.selected).map((e) => e.id));
  return next.map((e) => (selected.has(e.id) ? { ...e, selected: true } : e));
}

export function FlowCanvas({
  doc,
  errors,
  trace = EMPTY_TRACE,
  takenEdges = NO_EDGES,
  watch,
  diff,
  update,
  addStep,
  insertStep,
  onSelectionChange,
  selectRequest,
}: Props) {
  const { t } = useLocale();
  const { screenToFlowPosition, fitView } = useReactFlow();
  const [panels, togglePanel] = usePanels();
  const { fitToView, showOpening, reveal } = useFlowView();
  // The opening view waits for the steps' measured sizes, so it knows how much room the flow takes.
  const initialized = useNodesInitialized();
  const opened = useRef(false);
  useEffect(() => {
    if (!initialized || opened.current) return;
    opened.current = true;
    showOpening();
  }, [initialized, showOpening]);
  const canvas = useMemo(
    () => markDiff(markWatch(markTrace(markProblems(toCanvas(doc), errors), trace, takenEdges), watch), diff),
    [doc, errors, trace, takenEdges, watch, diff],
  );
  const [nodes, setNodes] = useState<StepNodeType[]>(canvas.nodes);
  const [edges, setEdges] = useState<Edge[]>(canvas.edges);
  const handledRequest = useRef<number | undefined>(undefined);
  const [insertMenuEdge, setInsertMenuEdge] = useState<string>();
  const edgeInsert = useMemo<EdgeInsert>(
    () => ({
      openEdgeId: insertMenuEdge,
      setOpenEdgeId: setInsertMenuEdge,
      insert: (edgeId, type) => {
        setInsertMenuEdge(undefined);
        insertStep(edgeId, type);
      },
    }),
    [insertMenuEdge, insertStep],
  );
  // The menu stands where the "+" was on the page; once the canvas moves, it would point elsewhere.
  const closeInsertMenu = useCallback(() => setInsertMenuEdge(undefined), []);
  useEffect(() => {
    if (insertMenuEdge === undefined) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setInsertMenuEdge(undefined);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [insertMenuEdge]);

  useEffect(() => {
    const request = selectRequest && selectRequest.seq !== handledRequest.current ? selectRequest : undefined;
    if (selectRequest) handledRequest.current = selectRequest.seq;
    const select = request ? new Set(request.ids) : null;
    setNodes((previous) => mergeNodes(previous, canvas.nodes, select));
    setEdges((previous) => mergeEdges(previous, canvas.edges, select !== null));
    if (request && request.view !== 'keep' && request.ids.length > 0) {
      const targets = request.ids.map((id) => ({ id }));
      // After React Flow has the nodes, so it knows where they are.
      requestAnimationFrame(() => {
        if (request.view === 'fit')
          void fitView({ nodes: targets, duration: 300, maxZoom: 1.2, padding: 0.4 });
        else reveal(request.ids);
      });
    }
  }, [canvas, selectRequest, fitView, reveal]);

  // Removals come through onDelete as one change of the document; here only what the canvas
  // keeps for itself (sizes, selection, drag positions) is applied.
  const onNodesChange = useCallback(
    (changes: NodeChange<StepNodeType>[]) =>
      setNodes((ns) =>
        applyNodeChanges(
          changes.filter((c) => c.type !== 'remove' && c.type !== 'add'),
          ns,
        ),
      ),
    [],
  );
  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) =>
      setEdges((es) =>
        applyEdgeChanges(
          changes.filter((c) => c.type === 'select'),
          es,
        ),
      ),
    [],
  );
  const onNodeDragStop = useCallback(
    (_: unknown, __: unknown, dragged: StepNodeType[]) =>
      update((d) => moveNodes(d, new Map(dragged.map((n) => [n.id, n.position])))),
    [update],
  );
  const onSelectionDragStop = useCallback(
    (_: unknown, dragged: StepNodeType[]) =>
      update((d) => moveNodes(d, new Map(dragged.map((n) => [n.id, n.position])))),
    [update],
  );
  const onDelete = useCallback(
    ({ nodes: gone, edges: cut }: { nodes: StepNodeType[]; edges: Edge[] }) =>
      update((d) =>
        removeElements(
          d,
          gone.map((n) => n.id),
          cut.map((e) => e.id),
        ),
      ),
    [update],
  );
  const onConnect = useCallback((c: Connection) => update((d) => connect(d, c)), [update]);
  const onReconnect = useCallback(
    (old: Edge, c: Connection) => update((d) => reconnect(d, old.id, c)),
    [update],
  );
  const handleSelection = useCallback(
    ({ nodes: ns, edges: es }: OnSelectionChangeParams) =>
      onSelectionChange(
        ns.map((n) => n.id),
        es.map((e) => e.id),
      ),
    [onSelectionChange],
  );

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(PALETTE_MIME)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  }, []);
  const onDrop = useCallback(
    (event: DragEvent) => {
      const type = event.dataTransfer.getData(PALETTE_MIME) as NodeType;
      if (!type) return;
      event.preventDefault();
      const at = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      // The pointer holds the card by its middle, as it was dragged.
      addStep(type, { x: at.x - DEFAULT_NODE_SIZE.width / 2, y: at.y - 24 });
    },
    [screenToFlowPosition, addStep],
  );

  return (
    <section
      className="canvas"
      aria-label={t.palette}
      data-testid="canvas"
      onDragOver={onDragOver}
      onDrop={onDrop}
    >
      <EdgeInsertContext.Provider value={edgeInsert}>
        <ReactFlow<StepNodeType, Edge>
          nodes={nodes}
          edges={edges}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onNodeDragStop={onNodeDragStop}
          onSelectionDragStop={onSelectionDragStop}
          onDelete={onDelete}
          onConnect={onConnect}
          onReconnect={onReconnect}
          onSelectionChange={handleSelection}
          onMoveStart={closeInsertMenu}
          nodeTypes={nodeTypes}
          edgeTypes={edgeTypes}
          defaultEdgeOptions={defaultEdgeOptions}
          connectionLineType={ConnectionLineType.SmoothStep}
          deleteKeyCode={['Delete', 'Backspace']}
          snapToGrid
          snapGrid={[8, 8]}
          minZoom={0.2}
          maxZoom={2}
        >
          <Background gap={16} />
          <Controls showInteractive={false} showFitView={false}>
            <ControlButton
              onClick={() => fitToView({ duration: 300 })}
              title={t.fitView}
              aria-label={t.fitView}
            >
              <Maximize size={12} />
            </ControlButton>
            <ControlButton
              onClick={() => togglePanel('minimap')}
              title={t.panels.minimap}
              aria-label={t.panels.minimap}
              aria-pressed={panels.minimap}
              data-testid="toggle-minimap"
            >
              <MapIcon size={12} />
            </ControlButton>
          </Controls>
          {panels.minimap && (
            <MiniMap<StepNodeType>
              nodeClassName={minimapClass}
              nodeColor={minimapColor}
              pannable
              zoomable
              style={{ width: MINIMAP.width, height: MINIMAP.height, margin: MINIMAP.margin }}
            />
          )}
        </ReactFlow>
      </EdgeInsertContext.Provider>
      {doc.nodes.length === 0 && <p className="canvas__empty">{t.paletteHint}</p>}
    </section>
  );
}
