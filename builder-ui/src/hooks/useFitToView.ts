import { useReactFlow, useStoreApi } from '@xyflow/react';
import { useCallback } from 'react';
import { fitPadding, openingView } from '../editor/panels';
import { usePanels } from './usePanels';

/** Shows a flow as it opens: whole when it reads so, else its top at a readable size. */
export function useOpeningView(): () => void {
  const { setViewport, getNodes, getNodesBounds } = useReactFlow();
  const store = useStoreApi();
  const [{ minimap }] = usePanels();
  return useCallback(() => {
    const { width, height } = store.getState();
    void setViewport(openingView(getNodesBounds(getNodes()), { width, height }, minimap));
  }, [setViewport, getNodes, getNodesBounds, store, minimap]);
}

/** Fits the whole flow in view at most at full size, with no step left under the minimap. */
export function useFitToView(): (options?: { duration?: number }) => void {
  const { fitView, getNodes, getNodesBounds } = useReactFlow();
  const store = useStoreApi();
  const [{ minimap }] = usePanels();
  return useCallback(
    (options = {}) => {
      const { width, height } = store.getState();
      const padding = fitPadding(getNodesBounds(getNodes()), { width, height }, minimap);
      void fitView({ maxZoom: 1, padding, duration: options.duration });
    },
    [fitView, getNodes, getNodesBounds, store, minimap],
  );
}
