import { describe, expect, it } from 'vitest';
import { compile } from '../../flow/compile';
import type { FlowDocumentInput } from '../../flow/schema';

type NodeInput = FlowDocumentInput['nodes'][number];

const added = { id: 'in', type: 'trigger', trigger: { kind: 'customer_added' } } as const;
const welcome = (id = 'hello'): NodeInput => ({
  id,
  type: 'send',
  channel: 'wechat',
  message: { text: 'Welcome, {{ event.state }}' },
  welcome: { otherwise: 'failed' },
});
const note = (id: string): NodeInput => ({ id, type: 'send', channel: 'wechat', message: { text: 'Hi' } });

/** Compiles trigger → steps… → exit, chained by `next`. */
function compileChain(nodes: NodeInput[]) {
  const all = [...nodes, { id: 'out', type: 'exit' } as NodeInput];
  return compile({
    schemaVersion: 1,
    id: 'w',
    name: 'Welcome',
    nodes: all,
    edges: all.slice(1).map((node, i) => ({ id: `e${i}`, source: all[i]!.id, target: node.id })),
  });
}

describe('a new-friend welcome send', () => {
  it('compiles as the first send of a flow started by a customer adding a staff member', () => {
    const result = compileChain([added, welcome()]);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.warnings.filter((w) => w.code === 'welcome_not_first_send')).toEqual([]);
    expect(result.plan.nodes.hello).toMatchObject({ welcome: { otherwise: 'failed' } });
  });

  it('is refused, naming the field in en and zh, on a flow with another trigger', () => {
    const result = compileChain([{ id: 'in', type: 'trigger', trigger: { kind: 'manual' } }, welcome()]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      expect.objectContaining({
        code: 'welcome_needs_add_trigger',
        nodeId: 'hello',
        path: 'nodes[1].welcome',
      }),
    ]);
    expect(result.errors[0]!.messageZh).toContain('欢迎语');
  });

  it('is warned about after another send or a wait, as WeCom takes the code within 20 s only', () => {
    for (const before of [note('first'), { id: 'pause', type: 'wait', duration: 'PT1H' } as NodeInput]) {
      const result = compileChain([added, before, welcome()]);
      if (!result.ok) throw new Error(JSON.stringify(result.errors));
      expect(result.warnings).toContainEqual(
        expect.objectContaining({ code: 'welcome_not_first_send', nodeId: 'hello' }),
      );
    }
  });

  it('is not warned about for a contact update before it, and the payload fields it reads are known', () => {
    const tag: NodeInput = { id: 'tag', type: 'update_contact', update: { addTags: ['new'] } };
    const result = compileChain([added, tag, welcome()]);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.warnings.map((w) => w.code)).not.toContain('welcome_not_first_send');
    const unknown = compileChain([
      added,
      { ...note('x'), message: { text: '{{ event.coupon }}' } } as NodeInput,
    ]);
    expect(unknown.ok).toBe(false);
  });
});
