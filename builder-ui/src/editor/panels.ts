import { type FitViewOptions, getViewportForBounds, type Rect, type Viewport } from '@xyflow/react';

type Padding = NonNullable<FitViewOptions['padding']>;

/**
 * Which of the editor's panels are open. On a laptop the flow list, the palette, the side panel
 * and the problems list would leave the canvas a third of the window, so the side panels start
 * folded below `WIDE_WINDOW` and the operator's own choice, once made, is kept.
 */
export interface Panels {
  /** The flow list on the left; folded, a narrow rail. */
  flows: boolean;
  /** The palette with each step's name and hint; folded, its icons only. */
  palette: boolean;
  /** The side panel (step form, preview, watch, history); folded, a narrow rail. */
  side: boolean;
  problems: boolean;
  minimap: boolean;
  /** Everything but the toolbar and the canvas hidden. Not kept: a reload shows the panels again. */
  canvasOnly: boolean;
}

export type PanelName = keyof Panels;

/** From this window width on, every panel starts open. */
export const WIDE_WINDOW = 1600;

export function defaultPanels(windowWidth: number): Panels {
  const wide = windowWidth >= WIDE_WINDOW;
  return { flows: wide, palette: wide, side: true, problems: true, minimap: true, canvasOnly: false };
}

/** The choices the operator made, read from storage (a JSON object of booleans); the rest is left out. */
export function parseChoices(stored: string | null): Partial<Panels> {
  let saved: unknown;
  try {
    saved = JSON.parse(stored ?? '{}');
  } catch {
    return {};
  }
  if (typeof saved !== 'object' || saved === null) return {};
  const choices: Partial<Panels> = {};
  for (const name of Object.keys(defaultPanels(0)) as PanelName[]) {
    const value = (saved as Record<string, unknown>)[name];
    if (typeof value === 'boolean' && name !== 'canvasOnly') choices[name] = value;
  }
  return choices;
}

/** What is stored: every choice but the full-canvas mode, which a reload leaves. */
export function storedChoices(choices: Partial<Panels>): string {
  const { canvasOnly: _, ...kept } = choices;
  return JSON.stringify(kept);
}

/** The minimap's size and its distance from the canvas's bottom-right corner, in pixels. */
export const MINIMAP = { width: 180, height: 120, margin: 12 } as const;

/** Room kept around the flow by fit-to-view, in pixels. */
export const FIT_MARGIN = 24;

/**
 * The fit-to-view padding that keeps every step clear of the minimap: its corner is kept free
 * either as a column on the right or as a strip along the bottom, whichever leaves the flow
 * drawn larger (a tall flow gives up a column, a wide one a strip).
 */
export function fitPadding(
  bounds: Pick<Rect, 'width' | 'height'>,
  canvas: { width: number; height: number },
  minimap: boolean,
): Padding {
  const m = FIT_MARGIN;
  const px = (n: number) => `${Math.round(n)}px` as const;
  if (!minimap) return { top: px(m), right: px(m), bottom: px(m), left: px(m) };
  const column = MINIMAP.width + MINIMAP.margin + m;
  const strip = MINIMAP.height + MINIMAP.margin + m;
  const width = Math.max(bounds.width, 1);
  const height = Math.max(bounds.height, 1);
  const zoomWithColumn = Math.min((canvas.width - m - column) / width, (canvas.height - 2 * m) / height);
  const zoomWithStrip = Math.min((canvas.width - 2 * m) / width, (canvas.height - m - strip) / height);
  return zoomWithColumn >= zoomWithStrip
    ? { top: px(m), right: px(column), bottom: px(m), left: px(m) }
    : { top: px(m), right: px(m), bottom: px(strip), left: px(m) };
}

/** Below this zoom a step's text is too small to read (under about 9 px). */
export const READABLE_ZOOM = 0.75;

/**
 * How a flow opens: all of it in view when it can be read so, else its top (where it starts) at a
 * readable size, the rest a scroll or the minimap away.
 */
export function openingView(
  bounds: Rect,
  canvas: { width: number; height: number },
  minimap: boolean,
): Viewport {
  const fit = getViewportForBounds(
    bounds,
    canvas.width,
    canvas.height,
    0.2,
    1,
    fitPadding(bounds, canvas, minimap),
  );
  if (fit.zoom >= READABLE_ZOOM) return fit;
  const zoom = READABLE_ZOOM;
  return {
    zoom,
    x: canvas.width / 2 - (bounds.x + bounds.width / 2) * zoom,
    y: FIT_MARGIN - bounds.y * zoom,
  };
}
