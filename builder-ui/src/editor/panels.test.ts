import { describe, expect, it } from 'vitest';
import {
  defaultPanels,
  FIT_MARGIN,
  fitPadding,
  MINIMAP,
  openingView,
  parseChoices,
  READABLE_ZOOM,
  storedChoices,
} from './panels';

describe('panels', () => {
  it('start folded on a laptop and open on a wide screen', () => {
    expect(defaultPanels(1280)).toMatchObject({ flows: false, palette: false, side: true, problems: true });
    expect(defaultPanels(1920)).toMatchObject({ flows: true, palette: true, side: true, problems: true });
  });

  it("keep the operator's choices, never the full-canvas mode, and leave the rest to the window", () => {
    const stored = storedChoices({ flows: true, side: false, canvasOnly: true });
    const choices = parseChoices(stored);
    expect(choices).toEqual({ flows: true, side: false });
    expect({ ...defaultPanels(1920), ...choices }).toEqual({ ...defaultPanels(1920), side: false });
    expect({ ...defaultPanels(1280), ...choices }).toEqual({
      ...defaultPanels(1280),
      flows: true,
      side: false,
    });
  });

  it('ignore stored values that are not choices', () => {
    expect(parseChoices('not json')).toEqual({});
    expect(parseChoices('null')).toEqual({});
    expect(parseChoices(null)).toEqual({});
    expect(parseChoices('{"flows":"yes","side":false,"extra":true}')).toEqual({ side: false });
  });
});

describe('fit-to-view padding', () => {
  const px = (n: number) => `${n}px`;
  const column = MINIMAP.width + MINIMAP.margin + FIT_MARGIN;
  const strip = MINIMAP.height + MINIMAP.margin + FIT_MARGIN;

  it('keeps a column free of a tall flow, and a strip under a wide one', () => {
    const canvas = { width: 900, height: 700 };
    expect(fitPadding({ width: 400, height: 2000 }, canvas, true)).toMatchObject({
      right: px(column),
      bottom: px(FIT_MARGIN),
    });
    expect(fitPadding({ width: 3000, height: 300 }, canvas, true)).toMatchObject({
      right: px(FIT_MARGIN),
      bottom: px(strip),
    });
  });

  it('keeps only the margin when the minimap is hidden', () => {
    expect(fitPadding({ width: 400, height: 2000 }, { width: 900, height: 700 }, false)).toEqual({
      top: px(FIT_MARGIN),
      right: px(FIT_MARGIN),
      bottom: px(FIT_MARGIN),
      left: px(FIT_MARGIN),
    });
  });
});

describe('the view a flow opens with', () => {
  const canvas = { width: 1000, height: 600 };

  it('shows all of a flow that can be read so', () => {
    const view = openingView({ x: 0, y: 0, width: 300, height: 400 }, canvas, true);
    expect(view.zoom).toBe(1);
  });

  it('shows the top of a tall flow at a readable size, centred', () => {
    const bounds = { x: 100, y: 50, width: 400, height: 3000 };
    const view = openingView(bounds, canvas, true);
    expect(view.zoom).toBe(READABLE_ZOOM);
    expect(view.y + bounds.y * view.zoom).toBe(FIT_MARGIN);
    expect(view.x + (bounds.x + bounds.width / 2) * view.zoom).toBe(canvas.width / 2);
  });
});
