import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from './compile';
import type { CompileErrorCode } from './errors';
import type { FlowDocumentInput } from './schema';

const example = (): FlowDocumentInput =>
  JSON.parse(readFileSync(new URL('../../examples/vip-welcome.json', import.meta.url), 'utf8'));

/** The example with a change applied; a fresh copy each time. */
function variant(change: (doc: FlowDocumentInput) => void): FlowDocumentInput {
  const doc = example();
  change(doc);
  return doc;
}

/** Whom channels reach, as the shipped connectors declare it (the server compiles with theirs). */
const REACH = {
  wechat: ['wecomUserId', 'wecomExternalUserId'],
  wechat_oa: ['openId'],
  email: ['email'],
  sms: ['phone'],
};

function errorsOf(doc: unknown) {
  const result = compile(doc, { reach: REACH });
  if (result.ok) throw new Error('expected compile errors, got a plan');
  return result.errors;
}

function expectError(doc: unknown, code: CompileErrorCode, where: { nodeId?: string; edgeId?: string } = {}) {
  const errors = errorsOf(doc);
  const match = errors.find((e) => e.code === code);
  expect(match, `expected ${code} in ${JSON.stringify(errors, null, 1)}`).toBeDefined();
  expect(match).toMatchObject(where);
  expect(match!.message.length).toBeGreaterThan(10);
  expect(match!.messageZh.length).toBeGreaterThan(5);
  return match!;
}

const node = (doc: FlowDocumentInput, id: string) => doc.nodes.find((n) => n.id === id)!;

describe('compile', () => {
  it('turns a valid flow into a plan with exits resolved', () => {
    const result = compile(example(), { version: 3 });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { plan } = result;
    expect(plan.entry).toBe('joined');
    expect(plan.version).toBe(3);
    expect(plan.nodes.pause).toEqual({
      id: 'pause',
      type: 'wait',
      label: 'Wait 2 seconds',
      duration: 'PT2S',
      exits: { next: 'is-vip' },
    });
    expect(plan.nodes['is-vip']).toMatchObject({ type: 'branch', exits: { vip: 'vip-perk', else: 'intro' } });
    expect(plan.nodes.joined).not.toHaveProperty('position');
    // The plan is workflow input: it must survive JSON unchanged.
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it('refuses a document that is not a flow, naming the field', () => {
    const errors = errorsOf({ schemaVersion: 1, id: 'x', nodes: 'nope', edges: [] });
    expect(errors.map((e) => e.path)).toEqual(expect.arrayContaining(['name', 'nodes']));
    expect(errorsOf(null)[0]!.code).toBe('invalid_document');
  });

  it('names the node whose fields are wrong', () => {
    const doc = variant((d) => {
      (node(d, 'greet') as { channel: string }).channel = 'Not A Channel';
    });
    expectError(doc, 'invalid_field', { nodeId: 'greet' });
  });

  it('requires a trigger', () => {
    const doc = variant((d) => {
      d.nodes = d.nodes.filter((n) => n.id !== 'joined');
      d.edges = d.edges.filter((e) => e.source !== 'joined');
    });
    expectError(doc, 'no_trigger');
  });

  it('allows only one trigger', () => {
    const doc = variant((d) => {
      d.nodes.push({ ...node(d, 'joined'), id: 'joined-2' } as never);
    });
    expectError(doc, 'several_triggers', { nodeId: 'joined-2' });
  });

  it('finds edges to and from missing nodes', () => {
    const doc = variant((d) => {
      d.edges.push({ id: 'dangling', source: 'done', target: 'ghost' });
      d.edges.push({ id: 'from-ghost', source: 'ghost', target: 'done' });
    });
    expectError(doc, 'edge_unknown_target', { edgeId: 'dangling' });
    expectError(doc, 'edge_unknown_source', { edgeId: 'from-ghost' });
  });

  it('finds an edge from an exit the node does not have', () => {
    const doc = variant((d) => {
      d.edges.push({ id: 'bad-handle', source: 'is-vip', sourceHandle: 'gold', target: 'intro' });
    });
    expectError(doc, 'edge_unknown_exit', { edgeId: 'bad-handle', nodeId: 'is-vip' });
  });

  it('finds an exit connected twice', () => {
    const doc = variant((d) => {
      d.edges.push({ id: 'twice', source: 'greet', target: 'done' });
    });
    expectError(doc, 'exit_connected_twice', { edgeId: 'twice', nodeId: 'greet' });
  });

  it('finds unreachable nodes', () => {
    const doc = variant((d) => {
      d.nodes.push({ id: 'orphan', type: 'exit' });
    });
    expectError(doc, 'unreachable_node', { nodeId: 'orphan' });
  });

  it('finds a missing required exit, including a branch else', () => {
    const noElse = variant((d) => {
      d.edges = d.edges.filter((e) => e.id !== 'e5');
    });
    const err = expectError(noElse, 'missing_exit', { nodeId: 'is-vip' });
    expect(err.message).toContain('else');
    const noNext = variant((d) => {
      d.edges = d.edges.filter((e) => e.id !== 'e2');
    });
    expectError(noNext, 'missing_exit', { nodeId: 'greet' });
  });

  it('finds a cycle with no wait on it, and accepts one with a wait', () => {
    const spin = variant((d) => {
      d.edges = d.edges.filter((e) => e.id !== 'e7');
      d.edges.push({ id: 'back', source: 'intro', target: 'is-vip' });
    });
    const err = expectError(spin, 'cycle_without_wait');
    expect(err.message).toContain('intro');
    expect(err.message).toContain('is-vip');

    const paced = variant((d) => {
      d.edges = d.edges.filter((e) => e.id !== 'e7');
      d.edges.push({ id: 'back', source: 'intro', target: 'pause' });
    });
    expect(compile(paced).ok).toBe(true);
  });

  it('finds a self loop with no wait', () => {
    const doc = variant((d) => {
      d.edges = d.edges.filter((e) => e.id !== 'e7');
      d.nodes.push({
        id: 'loop',
        type: 'branch',
        branches: [{ id: 'again', when: { field: 'contact.points', op: 'lt', value: 10 } }],
      });
      d.edges.push({ id: 'to-loop', source: 'intro', target: 'loop' });
      d.edges.push({ id: 'self', source: 'loop', sourceHandle: 'again', target: 'loop' });
      d.edges.push({ id: 'out', source: 'loop', sourceHandle: 'else', target: 'done' });
    });
    expectError(doc, 'cycle_without_wait', { nodeId: 'loop' });
  });

  it.each(['soon', 'P1M', 'PT0S', 'P2Y', ''])('refuses the duration %j', (duration) => {
    const doc = variant((d) => {
      (node(d, 'pause') as { duration: string }).duration = duration;
    });
    expectError(doc, 'invalid_duration', { nodeId: 'pause' });
  });

  it('finds template variables that reference nothing known', () => {
    for (const text of [
      'Hi {{ contcat.name }}',
      'Hi {{ contact.nmae }}',
      'In {{ event.grup }}',
      '{{ flow.owner }}',
    ]) {
      const doc = variant((d) => {
        (node(d, 'greet') as { message: { text: string } }).message.text = text;
      });
      expectError(doc, 'unknown_variable', { nodeId: 'greet' });
    }
  });

  it('reads addresses as contact.<kind> or contact.addresses.<kind>: the declared kinds, or any kind when none are given', () => {
    const withText = (text: string) =>
      variant((d) => {
        (node(d, 'greet') as { message: { text: string } }).message.text = text;
      });
    for (const text of ['{{ contact.email }}', '{{ contact.addresses.wecomUserId }}'])
      expect(compile(withText(text), { reach: REACH }).ok, text).toBe(true);
    expectError(withText('{{ contact.fax }}'), 'unknown_variable', { nodeId: 'greet' });
    expectError(withText('{{ contact.addresses.fax }}'), 'unknown_variable', { nodeId: 'greet' });
    expect(compile(withText('{{ contact.fax }}'), { reach: { fax: ['fax'] } }).ok).toBe(true);
    // Not told which kinds exist (a caller without the connectors), any kind name is taken.
    expect(compile(withText('{{ contact.fax }}')).ok).toBe(true);
  });

  it('carries whom each channel reaches into the plan, when told', () => {
    const result = compile(
      variant(() => {}),
      { reach: REACH },
    );
    expect(result.ok && result.plan.reach).toEqual(REACH);
    const untold = compile(variant(() => {}));
    expect(untold.ok && untold.plan.reach).toBeUndefined();
  });

  it('accepts any event field when the trigger declares no payload', () => {
    const doc = variant((d) => {
      delete (node(d, 'joined') as { trigger: { payload?: unknown } }).trigger.payload;
      (node(d, 'greet') as { message: { text: string } }).message.text = 'Order {{ event.order.id }}';
    });
    expect(compile(doc).ok).toBe(true);
  });

  it('finds a template that does not parse', () => {
    const doc = variant((d) => {
      (node(d, 'greet') as { message: { text: string } }).message.text = 'Hi {{ contact.name ';
    });
    expectError(doc, 'invalid_template', { nodeId: 'greet' });
  });

  it('finds unknown channels, and knows registered ones', () => {
    const doc = variant((d) => {
      (node(d, 'greet') as { channel: string }).channel = 'fax';
    });
    expectError(doc, 'unknown_channel', { nodeId: 'greet' });
    expect(compile(doc, { channels: ['wechat', 'fax'] }).ok).toBe(true);
  });

  it('checks branch conditions: known fields and fitting values', () => {
    const unknownField = variant((d) => {
      (node(d, 'is-vip') as { branches: { when: unknown }[] }).branches[0]!.when = {
        field: 'contact.tier',
        op: 'eq',
        value: 'vip',
      };
    });
    expectError(unknownField, 'invalid_condition', { nodeId: 'is-vip' });
    const noValue = variant((d) => {
      (node(d, 'is-vip') as { branches: { when: unknown }[] }).branches[0]!.when = {
        all: [{ field: 'contact.points', op: 'gt' }],
      };
    });
    expectError(noValue, 'invalid_condition', { nodeId: 'is-vip' });
  });

  it('never throws on hostile input', () => {
    for (const input of [undefined, 42, 'flow', [], { nodes: [{}] }, { __proto__: { nodes: [] } }]) {
      expect(compile(input).ok).toBe(false);
    }
  });
});
