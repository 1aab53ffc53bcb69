import type { NodeType } from '@sopflow/core';
import { BaseEdge, EdgeLabelRenderer, type EdgeProps, getSmoothStepPath } from '@xyflow/react';
import { Plus } from 'lucide-react';
import {
  createContext,
  type MouseEvent,
  memo,
  type RefObject,
  useContext,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
} from 'react';
import { createPortal } from 'react-dom';
import { INSERTABLE_TYPES } from '../../editor/document';
import { useLocale } from '../../hooks/useLocale';
import { nodeLabel } from '../../nodes';
import { NodeIcon } from '../../nodes/NodeIcon';

/** The edge type every connection is drawn with: a smooth-step line with a "+" in its middle. */
export const INSERTABLE_EDGE_TYPE = 'insertable';

/**
 * What the "+" of an edge reaches: which edge's menu is open (one at a time) and the splice
 * itself. A context rather than edge data, so the canvas edges stay what the document says.
 */
export interface EdgeInsert {
  openEdgeId: string | undefined;
  setOpenEdgeId: (edgeId: string | undefined) => void;
  insert: (edgeId: string, type: NodeType) => void;
}

export const EdgeInsertContext = createContext<EdgeInsert | undefined>(undefined);

/** Space kept between the menu, its button and the window's edges. */
const MARGIN = 8;

export const InsertableEdge = memo(function InsertableEdge(edge: EdgeProps) {
  const { id, markerEnd, style, interactionWidth } = edge;
  const { t } = useLocale();
  const inserting = useContext(EdgeInsertContext);
  const button = useRef<HTMLButtonElement>(null);
  // The path runs between the edge's two ends, as React Flow placed them.
  const [path, labelX, labelY] = getSmoothStepPath(edge);
  const open = inserting?.openEdgeId === id;
  // Clicks here must not also select the edge underneath (React events bubble out of portals).
  const toggle = (event: MouseEvent) => {
    event.stopPropagation();
    inserting?.setOpenEdgeId(open ? undefined : id);
  };
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} style={style} interactionWidth={interactionWidth} />
      {inserting && (
        <EdgeLabelRenderer>
          <div
            className="edge-insert nodrag nopan"
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
          >
            <button
              ref={button}
              type="button"
              className="edge-insert__button"
              onClick={toggle}
              aria-label={t.insertStep}
              aria-expanded={open}
              aria-haspopup="menu"
              title={t.insertStep}
              data-testid={`insert-on-${id}`}
            >
              <Plus size={12} aria-hidden="true" />
            </button>
          </div>
          {open && <InsertMenu edgeId={id} anchor={button} inserting={inserting} />}
        </EdgeLabelRenderer>
      )}
    </>
  );
});

/**
 * The step types to insert, beside the "+". Drawn on the page rather than in the zoomed canvas,
 * so it reads at any zoom and is never cut off at the canvas's edge.
 */
function InsertMenu({
  edgeId,
  anchor,
  inserting,
}: {
  edgeId: string;
  anchor: RefObject<HTMLButtonElement | null>;
  inserting: EdgeInsert;
}) {
  const { t, locale } = useLocale();
  const menu = useRef<HTMLDivElement>(null);
  const [at, setAt] = useState<{ left: number; top: number }>();

  useLayoutEffect(() => {
    const from = anchor.current?.getBoundingClientRect();
    const size = menu.current?.getBoundingClientRect();
    if (!from || !size) return;
    const fitsRight = from.right + MARGIN + size.width <= window.innerWidth - MARGIN;
    setAt({
      left: fitsRight ? from.right + MARGIN : Math.max(MARGIN, from.left - MARGIN - size.width),
      top: Math.max(MARGIN, Math.min(from.top, window.innerHeight - MARGIN - size.height)),
    });
  }, [anchor]);

  // Keyboard users land in the menu they opened, once it is placed (a hidden one takes no focus).
  useEffect(() => {
    if (at) menu.current?.querySelector('button')?.focus({ preventScroll: true });
  }, [at]);

  // A press anywhere else closes it (the canvas moving closes it too: see FlowCanvas).
  useEffect(() => {
    const onPointerDown = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!menu.current?.contains(target) && !anchor.current?.contains(target))
        inserting.setOpenEdgeId(undefined);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [anchor, inserting]);

  return createPortal(
    <div
      ref={menu}
      className="edge-insert__menu"
      role="menu"
      aria-label={t.insertStep}
      style={at ? { left: at.left, top: at.top } : { visibility: 'hidden', left: 0, top: 0 }}
      data-testid="insert-menu"
      data-edge-id={edgeId}
    >
      {INSERTABLE_TYPES.map((type) => (
        <button
          key={type}
          type="button"
          role="menuitem"
          className="edge-insert__item"
          onClick={(event) => {
            event.stopPropagation();
            inserting.insert(edgeId, type);
          }}
          data-testid={`insert-${type}`}
        >
          <NodeIcon type={type} size={14} />
          {nodeLabel(type, locale)}
        </button>
      ))}
    </div>,
    document.body,
  );
}
