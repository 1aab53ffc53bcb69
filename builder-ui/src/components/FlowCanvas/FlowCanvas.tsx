import type { CompileError, FlowDocument } from '@sopflow/engine';
import {
  Background,
  Controls,
  type Edge,
  MiniMap,
  type NodeTypes,
  ReactFlow,
  useEdgesState,
  useNodesState,
} from '@xyflow/react';
import { useEffect, useMemo } from 'react';
import {
  markProblems,
  STEP_NODE_TYPE,
  type StepNode as StepNodeType,
  toCanvas,
} from '../../canvas/flow-canvas';
import { StepNode } from './StepNode';

// Defined once: React Flow re-mounts every node when this object's identity changes.
const nodeTypes: NodeTypes = { [STEP_NODE_TYPE]: StepNode };

const minimapClass = (n: StepNodeType) => (n.data.errorCount ? 'minimap-node--error' : '');

/** Read-only for now: the editor (moving, connecting, saving) comes in a later issue. */
export function FlowCanvas({ doc, errors }: { doc: FlowDocument; errors: readonly CompileError[] }) {
  const canvas = useMemo(() => markProblems(toCanvas(doc), errors), [doc, errors]);
  // Held in state even though nothing is edited: React Flow reports measured sizes and
  // selection as changes, and the minimap draws only nodes whose size came back this way.
  const [nodes, setNodes, onNodesChange] = useNodesState<StepNodeType>(canvas.nodes);
  const [edges, setEdges, onEdgesChange] = useEdgesState<Edge>(canvas.edges);
  useEffect(() => {
    setNodes(canvas.nodes);
    setEdges(canvas.edges);
  }, [canvas, setNodes, setEdges]);

  return (
    <div className="canvas">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        nodeTypes={nodeTypes}
        fitView
        nodesDraggable={false}
        nodesConnectable={false}
        deleteKeyCode={null}
        minZoom={0.2}
      >
        <Background />
        <Controls showInteractive={false} />
        <MiniMap<StepNodeType> nodeClassName={minimapClass} pannable zoomable />
      </ReactFlow>
    </div>
  );
}
