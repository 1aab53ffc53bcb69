import { compile, FlowDocument, type FlowDocumentInput, nodeExits } from '@sopflow/core';
import { describe, expect, it } from 'vitest';
import example from '../../../engine/core/examples/vip-welcome.json';
import {
  markDiff,
  markProblems,
  markTrace,
  markWatch,
  optionalExits,
  toCanvas,
  toDocument,
} from './flow-canvas';

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

/** One step of every node type, each with its optional fields filled in, in a flow that compiles. */
const everyType = FlowDocument.parse({
  schemaVersion: 1,
  id: 'every-type',
  name: 'Every node type',
  description: 'Each of the eleven node types once.',
  nodes: [
    {
      id: 'start',
      type: 'trigger',
      label: 'Order paid',
      position: { x: 0, y: 0 },
      trigger: {
        kind: 'event',
        event: 'order.paid',
        filter: { field: 'payload.amount', op: 'gte', value: 100 },
        payload: [
          { name: 'amount', type: 'number', required: true },
          { name: 'group', type: 'string' },
        ],
      },
    },
    {
      id: 'thanks',
      type: 'send',
      position: { x: 0, y: 120 },
      channel: 'email',
      message: { subject: 'Thanks', text: 'Thank you {{ contact.name }} for {{ event.amount }}' },
      fallback: { channel: 'sms', message: { text: 'Thanks! 回T退订' } },
    },
    { id: 'pause', type: 'wait', position: { x: 0, y: 240 }, duration: 'PT10M' },
    {
      id: 'evening',
      type: 'wait_until',
      position: { x: 0, y: 360 },
      time: '20:00',
      weekdays: [1, 3, 5],
      timezone: 'Asia/Shanghai',
    },
    {
      id: 'reply',
      type: 'wait_for_event',
      position: { x: 0, y: 480 },
      event: 'message.received',
      filter: {
        any: [
          { field: 'payload.text', op: 'contains', value: '好' },
          { field: 'payload.text', op: 'exists' },
        ],
      },
      timeout: 'P1D',
    },
    {
      id: 'tier',
      type: 'branch',
      position: { x: 0, y: 600 },
      branches: [
        {
          id: 'vip',
          label: 'VIP',
          when: { field: 'contact.attributes.tier', op: 'in', value: ['vip', 'svip'] },
        },
        { id: 'rich', when: { not: { field: 'contact.points', op: 'lt', value: 100 } } },
      ],
    },
    {
      id: 'ab',
      type: 'split',
      position: { x: 0, y: 720 },
      arms: [
        { id: 'a', label: 'A', weight: 70 },
        { id: 'b', weight: 30 },
      ],
    },
    {
      id: 'reward',
      type: 'update_contact',
      position: { x: 0, y: 840 },
      update: {
        addTags: ['buyer'],
        removeTags: ['dormant'],
        points: { add: 10, reason: 'order' },
        set: { segment: 'active', visits: 2, optIn: true },
        checkIn: { points: 1 },
        tiers: [{ name: 'silver', minPoints: 100 }],
        creditReferrer: { field: 'event.group', points: 5, reason: 'referral' },
      },
    },
    {
      id: 'crm',
      type: 'http_request',
      position: { x: 0, y: 960 },
      method: 'POST',
      url: 'https://crm.example.com/members/{{ contact.id }}',
      headers: { 'X-Source': 'sopflow' },
      body: '{"points": {{ contact.points }}}',
      timeout: 'PT5S',
      retries: 2,
    },
    {
      id: 'call',
      type: 'staff_task',
      position: { x: 0, y: 1080 },
      assignee: { channel: 'email', id: 'lead', name: 'Lead', email: 'lead@example.com' },
      message: { text: 'Call {{ contact.name }} (CRM {{ http.crm.status }})' },
      deadline: 'P2D',
      escalation: { after: 'P1D', assignee: { channel: 'sms', id: 'boss', phone: '+8613800000000' } },
    },
    { id: 'end', type: 'exit', label: 'Done', position: { x: 0, y: 1200 } },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'thanks' },
    { id: 'e2', source: 'thanks', target: 'pause' },
    { id: 'e2f', source: 'thanks', sourceHandle: 'failed', target: 'end' },
    { id: 'e3', source: 'pause', target: 'evening' },
    { id: 'e4', source: 'evening', target: 'reply' },
    { id: 'e5', source: 'reply', sourceHandle: 'event', target: 'tier' },
    { id: 'e6', source: 'reply', sourceHandle: 'timeout', target: 'end' },
    { id: 'e7', source: 'tier', sourceHandle: 'vip', target: 'ab' },
    { id: 'e8', source: 'tier', sourceHandle: 'rich', target: 'ab' },
    { id: 'e9', source: 'tier', sourceHandle: 'else', target: 'end' },
    { id: 'e10', source: 'ab', sourceHandle: 'a', target: 'reward' },
    { id: 'e11', source: 'ab', sourceHandle: 'b', target: 'crm' },
    { id: 'e12', source: 'reward', target: 'crm' },
    { id: 'e13', source: 'crm', target: 'call' },
    { id: 'e13f', source: 'crm', sourceHandle: 'failed', target: 'end' },
    { id: 'e14', source: 'call', sourceHandle: 'done', target: 'end' },
    { id: 'e15', source: 'call', sourceHandle: 'expired', target: 'end' },
  ],
  settings: {
    timezone: 'Asia/Shanghai',
    quietHours: { start: '22:00', end: '08:00' },
    frequencyCap: { max: 3, per: 'P1D', onCap: 'skip' },
    reentry: { mode: 'after', after: 'P7D' },
    goal: { event: 'order.refunded' },
  },
} satisfies FlowDocumentInput);

describe('document ↔ canvas', () => {
  it('uses fixtures that are real, compiling flows', () => {
    expect(compile(vipWelcome)).toMatchObject({ ok: true });
    expect(compile(tiers)).toMatchObject({ ok: true });
    expect(compile(everyType)).toMatchObject({ ok: true });
  });

  it('has a fixture with every node type', () => {
    expect(new Set(everyType.nodes.map((n) => n.type)).size).toBe(11);
  });

  it.each([
    ['the example flow', vipWelcome],
    ['a branch with several exits', tiers],
    ['every node type with its optional fields', everyType],
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
    for (const { node, exits } of byId.values())
      expect(exits).toEqual([...nodeExits(node), ...optionalExits(node)]);
    expect(byId.get('tier')?.exits).toEqual(['gold', 'silver', 'many-points', 'else']);
    expect(byId.get('send-gold')?.exits).toEqual(['next', 'failed']);
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

  it('draws a handle for every exit of every node type, and each edge on its own', () => {
    const { nodes, edges } = toCanvas(everyType);
    const exits = Object.fromEntries(nodes.map((n) => [n.id, n.data.exits]));
    expect(exits).toEqual({
      start: ['next'],
      thanks: ['next', 'failed'],
      pause: ['next'],
      evening: ['next'],
      reply: ['event', 'timeout'],
      tier: ['vip', 'rich', 'else'],
      ab: ['a', 'b'],
      reward: ['next'],
      crm: ['next', 'failed'],
      call: ['done', 'expired'],
      end: [],
    });
    for (const edge of edges) expect(exits[edge.source]).toContain(edge.sourceHandle);
  });

  it('does not let a dry-run trace leak into the document', () => {
    const canvas = markTrace(
      toCanvas(everyType),
      new Map([['thanks', { visits: [2], at: '+0d 00:00', messages: ['Thank you'], current: true }]]),
      new Set(['e1']),
    );
    expect(canvas.nodes.find((n) => n.id === 'thanks')?.data.trace?.current).toBe(true);
    expect(canvas.edges.find((e) => e.id === 'e1')?.className).toContain('edge--taken');
    expect(toDocument(everyType, canvas.nodes, canvas.edges)).toStrictEqual(everyType);
  });

  it('does not let live counts or version-diff marks leak into the document', () => {
    const watched = markWatch(
      toCanvas(everyType),
      new Map([
        [
          'reply',
          {
            here: 3,
            passed: 7,
            exits: { event: { count: 2, share: 50 } },
            suppressed: {},
            held: {},
            messages: {},
          },
        ],
      ]),
    );
    expect(watched.nodes.find((n) => n.id === 'reply')?.data.watch?.here).toBe(3);
    expect(watched.nodes.find((n) => n.id === 'pause')?.data.watch).toBeUndefined();
    const diffed = markDiff(watched, {
      nodes: new Map([['pause', 'changed' as const]]),
      edges: new Map([['e1', 'added' as const]]),
    });
    expect(diffed.nodes.find((n) => n.id === 'pause')?.data.diff).toBe('changed');
    expect(diffed.edges.find((e) => e.id === 'e1')?.className).toBe('edge--diff-added');
    expect(toDocument(everyType, diffed.nodes, diffed.edges)).toStrictEqual(everyType);
  });
});
