import { describe, expect, it } from 'vitest';
import { blankFlow } from './document';
import { markUntidy, needsLayout } from './untidy-flows';

describe('flows laid out as they open', () => {
  it('are those just made from a template, once, and those written without positions', () => {
    const placed = blankFlow('placed', 'Placed');
    expect(needsLayout(placed)).toBe(false);
    markUntidy('placed');
    expect(needsLayout(placed)).toBe(true);
    expect(needsLayout(placed)).toBe(false);
    const unplaced = { ...placed, nodes: placed.nodes.map((n) => ({ ...n, position: { x: 0, y: 0 } })) };
    expect(needsLayout(unplaced)).toBe(true);
  });
});
