import { useReactFlow, useStoreApi } from '@xyflow/react';
import { useCallback, useMemo } from 'react';
import { fitPadding, openingView } from '../editor/panels';
import { usePanels } from './usePanels';

export interface FlowView {
  /** Fits the whole flow in view at most at full size, with no step left under the minimap. */
  fitToView(options?: { duration?: number }): void;
  /** Shows a flow as it opens: whole when it reads so, else its top at a readable size. */
  showOpening(): void;
  /** Pans, keeping the zoom, so that steps out of view come into it: a step added by click is seen. */
  reveal(ids: string[]): void;
}

/** Where the canvas's view goes: each move reads the canvas's size and the steps' drawn bounds. */
export function useFlowView(): FlowView {
  const { fitView, setViewport, setCenter, getViewport, getNodes, getNodesBounds, getInternalNode } =
    useReactFlow();
  const store = useStoreApi();
  const [{ minimap }] = usePanels();
  const canvasSize = useCallback(() => {
    const { width, height } = store.getState();
    return { width, height };
  }, [store]);

  const reveal = useCallback(
    function revealWhenMeasured(ids: string[], frames = 10): void {
      // A step just added is measured a frame or two after it is drawn.
      if (!ids.every((id) => getInternalNode(id)?.measured.width)) {
        if (frames > 0) requestAnimationFrame(() => revealWhenMeasured(ids, frames - 1));
        return;
      }
      const bounds = getNodesBounds(ids);
      const { x, y, zoom } = getViewport();
      const { width, height } = canvasSize();
      const left = bounds.x * zoom + x;
      const top = bounds.y * zoom + y;
      const inView =
        left >= 0 && top >= 0 && left + bounds.width * zoom <= width && top + bounds.height * zoom <= height;
      if (!inView)
        void setCenter(bounds.x + bounds.width / 2, bounds.y + bounds.height / 2, { zoom, duration: 200 });
    },
    [getInternalNode, getNodesBounds, getViewport, setCenter, canvasSize],
  );

  return useMemo(
    () => ({
      fitToView: (options = {}) => {
        const padding = fitPadding(getNodesBounds(getNodes()), canvasSize(), minimap);
        void fitView({ maxZoom: 1, padding, duration: options.duration });
      },
      showOpening: () => void setViewport(openingView(getNodesBounds(getNodes()), canvasSize(), minimap)),
      reveal,
    }),
    [fitView, setViewport, getNodes, getNodesBounds, canvasSize, minimap, reveal],
  );
}
