import { compile, FlowDocument, type FlowDocumentInput, nodeExits } from '@sopflow/engine';
import { describe, expect, it } from 'vitest';
import example from '../../../engine/examples/vip-welcome.json';
import { markProblems, toCanvas, toDocument } from './flow-canvas';

const vipWelcome = FlowDocument.parse(example);

/** A branch with three named exits and `else`, each leading somewhere different. */
const tiers = FlowDocument.parse({
  schemaVersion: 1,
  id: 'tiers',
  name: 'Tiers',
  nodes: [
    { id: 'start', type: 'trigger', position: { x: 0, y: 0 }, trigger: { kind: 'webhook' } },
    {
      id: 'tier',
      type: 'branch',
      label: 'Which tier?',
      position: { x: 0, y: 120 },
      branches: [
        { id: 'gold', label: 'Gold', when: { field: 'contact.attributes.tier', op: 'eq', value: 'gold' } },
        { id: 'silver', when: { field: 'contact.attributes.tier', op: 'eq', value: 'silver' } },
        { id: 'many-points', when: { field: 'contact.points', op: 'gte', value: 1000 } },
      ],
    },
    ...['gold', 'silver', 'points', 'other'].map((id, i) => ({
      id: `send-${id}`,
      type: 'send' as const,
      position: { x: i * 200 - 300, y: 240 },
      channel: 'wechat',
      message: { text: `Hello, ${id}` },
    })),
    { id: 'end', type: 'exit', position: { x: 0, y: 360 } },
  ],
  edges: [
    { id: 'e-start', source: 'start', target: 'tier' },
    { id: 'e-gold', source: 'tier', sourceHandle: 'gold', target: 'send-gold' },
    { id: 'e-silver', source: 'tier', sourceHandle: 'silver', target: 'send-silver' },
    { id: 'e-points', source: 'tier', sourceHandle: 'many-points', target: 'send-points' },
    { id: 'e-else', source: 'tier', sourceHandle: 'else', target: 'send-other' },
    ...['gold', 'silver', 'points', 'other'].map((id) => ({
      id: `e-${id}-end`,
      source: `send-${id}`,
      target: 'end',
    })),
  ],
} satisfies FlowDocumentInput);

describe('document ↔ canvas', () => {
  it('uses fixtures that are real, compiling flows', () => {
    expect(compile(vipWelcome)).toMatchObject({ ok: true });
    expect(compile(tiers)).toMatchObject({ ok: true });
  });

  it.each([
    ['the example flow', vipWelcome],
    ['a branch with several exits', tiers],
  ])('document → canvas → document is the identity on %s', (_, doc) => {
    const { nodes, edges } = toCanvas(doc);
    const back = toDocument(doc, nodes, edges);
    expect(back).toStrictEqual(doc);
    // And what comes back is still a valid document, unchanged by parsing.
    expect(FlowDocument.parse(back)).toStrictEqual(doc);
  });

  it('gives a branch one handle per exit and attaches each edge to its own', () => {
    const { nodes, edges } = toCanvas(tiers);
    const byId = new Map(nodes.map((n) => [n.id, n.data]));
    for (const { node, exits } of byId.values()) expect(exits).toEqual(nodeExits(node));
    expect(byId.get('tier')?.exits).toEqual(['gold', 'silver', 'many-points', 'else']);
    for (const edge of edges) expect(byId.get(edge.source)?.exits).toContain(edge.sourceHandle);
    expect(edges.filter((e) => e.source === 'tier').map((e) => e.sourceHandle)).toEqual([
      'gold',
      'silver',
      'many-points',
      'else',
    ]);
  });

  it('takes positions from the canvas and keeps everything else', () => {
    const { nodes, edges } = toCanvas(vipWelcome);
    const moved = nodes.map((n) => (n.id === 'greet' ? { ...n, position: { x: 40, y: 150 } } : n));
    const doc = toDocument(vipWelcome, moved, edges);
    const greet = doc.nodes.find((n) => n.id === 'greet');
    expect(greet).toStrictEqual({
      ...vipWelcome.nodes.find((n) => n.id === 'greet'),
      position: { x: 40, y: 150 },
    });
    expect(doc.nodes.filter((n) => n.id !== 'greet')).toStrictEqual(
      vipWelcome.nodes.filter((n) => n.id !== 'greet'),
    );
  });

  it('reads an edge drawn without a handle as leaving by `next`', () => {
    const { nodes, edges } = toCanvas(vipWelcome);
    const drawn = [...edges, { id: 'new', source: 'greet', sourceHandle: null, target: 'done' }];
    expect(toDocument(vipWelcome, nodes, drawn).edges.at(-1)).toStrictEqual({
      id: 'new',
      source: 'greet',
      sourceHandle: 'next',
      target: 'done',
    });
  });

  it('keeps an edge from an exit the node lacks on the canvas, for the compiler to point at', () => {
    const doc = {
      ...tiers,
      edges: tiers.edges.map((e) => (e.id === 'e-gold' ? { ...e, sourceHandle: 'platinum' } : e)),
    };
    const { nodes } = toCanvas(doc);
    expect(nodes.find((n) => n.id === 'tier')?.data.exits).toEqual([
      'gold',
      'silver',
      'many-points',
      'else',
      'platinum',
    ]);
  });

  it('does not let canvas-only markings leak into the document', () => {
    const canvas = markProblems(toCanvas(vipWelcome), [
      { code: 'missing_exit', nodeId: 'greet', message: 'm', messageZh: 'm' },
      { code: 'unknown_channel', nodeId: 'greet', message: 'm', messageZh: 'm' },
      { code: 'duplicate_edge_id', edgeId: 'e2', message: 'm', messageZh: 'm' },
    ]);
    expect(canvas.nodes.find((n) => n.id === 'greet')?.data.errorCount).toBe(2);
    expect(canvas.nodes.find((n) => n.id === 'pause')?.data.errorCount).toBeUndefined();
    expect(canvas.edges.find((e) => e.id === 'e2')?.className).toBe('edge--error');
    expect(toDocument(vipWelcome, canvas.nodes, canvas.edges)).toStrictEqual(vipWelcome);
  });
});
