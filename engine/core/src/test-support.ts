import { compile } from './flow/compile';
import type { Plan } from './flow/plan';
import type { RecipientLimit } from './flow/recipient-limits';
import type { FlowDocumentInput } from './flow/schema';

type NodeInput = FlowDocumentInput['nodes'][number];
type Edge = FlowDocumentInput['edges'][number];

/**
 * Builds and compiles a small flow for tests: the nodes are chained by their `next` exits in the
 * order given (a trigger first, an exit last), plus any extra edges `[source, handle, target]`.
 */
export function testPlan(
  nodes: NodeInput[],
  extra: [string, string, string][] = [],
  settings: FlowDocumentInput['settings'] = undefined,
): Plan {
  const chained = nodes.slice(0, -1).flatMap((node, i): Edge[] => {
    const next = nodes[i + 1]!;
    const ends = ['exit', 'branch', 'split', 'wait_for_event', 'staff_task'].includes(node.type);
    return ends ? [] : [{ id: `${node.id}->${next.id}`, source: node.id, target: next.id }];
  });
  const edges = [
    ...chained,
    ...extra.map(([source, sourceHandle, target]) => ({
      id: `${source}.${sourceHandle}`,
      source,
      sourceHandle,
      target,
    })),
  ];
  const result = compile({
    schemaVersion: 1,
    id: 'test',
    name: 'Test',
    nodes,
    edges,
    ...(settings ? { settings } : {}),
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors, null, 2));
  return result.plan;
}

export const trigger = (id = 'in'): NodeInput => ({ id, type: 'trigger', trigger: { kind: 'manual' } });
export const exit = (id = 'out'): NodeInput => ({ id, type: 'exit' });
export const send = (id: string, text: string, channel = 'wechat', extra: object = {}): NodeInput =>
  ({ id, type: 'send', channel, message: { text }, ...extra }) as NodeInput;

/**
 * A quota shaped like WeCom's mass-send one (the days of the month per customer, counted on
 * Beijing time), as a connector declares it.
 */
export const MASS_SEND_LIMIT: RecipientLimit = {
  id: 'test-mass-send',
  channels: ['wechat', 'wechat_group'],
  perRecipient: { max: 'daysInMonth', per: 'month', zone: 'Asia/Shanghai' },
  label: { en: 'mass messages', zh: '群发消息' },
  message: { en: 'The provider refuses the rest.', zh: '超出的会被服务商拒绝。' },
};
