import { z } from 'zod';
import { branch } from './branch/definition';
import type { Locale, NodeDefinition } from './define';
import { exit } from './exit/definition';
import { httpRequest } from './http_request/definition';
import { send } from './send/definition';
import { split } from './split/definition';
import { staffTask } from './staff_task/definition';
import { trigger } from './trigger/definition';
import { updateContact } from './update_contact/definition';
import { wait } from './wait/definition';
import { waitForEvent } from './wait_for_event/definition';
import { waitUntil } from './wait_until/definition';

/**
 * The node types: one folder each under `nodes/`, a `definition.ts` (schema, exits, checks,
 * timing, defaults, words) listed here and a `run.ts` (how it runs) listed in `semantics.ts`.
 * The flow document's `FlowNode` is the union of the schemas here; the palette offers the
 * types in this order.
 */
export const NODE_DEFINITIONS = [
  trigger,
  send,
  wait,
  waitUntil,
  waitForEvent,
  branch,
  split,
  updateContact,
  httpRequest,
  staffTask,
  exit,
] as const;

type Definitions = typeof NODE_DEFINITIONS;
type SchemasOf<D extends readonly NodeDefinition[]> = { [K in keyof D]: D[K]['schema'] };

export const FlowNode = z.discriminatedUnion(
  'type',
  NODE_DEFINITIONS.map((d) => d.schema) as unknown as SchemasOf<Definitions>,
);
export type FlowNode = z.infer<typeof FlowNode>;
export type NodeType = FlowNode['type'];

/** Every node type, in the order the palette offers them. */
export const NODE_TYPES: readonly NodeType[] = NODE_DEFINITIONS.map((d) => d.type);

/** A definition as the registry hands it out: its hooks take any node (called with its own only). */
export type AnyNodeDefinition = NodeDefinition<NodeType, z.ZodType<FlowNode>>;

const BY_TYPE: ReadonlyMap<string, AnyNodeDefinition> = new Map(
  NODE_DEFINITIONS.map((d) => [d.type, d as unknown as AnyNodeDefinition]),
);

/** The definition of a node type. */
export function nodeDefinition(type: NodeType): AnyNodeDefinition {
  return BY_TYPE.get(type)!;
}

/** The exits a node must have connected, by handle name. */
export function nodeExits(node: Pick<FlowNode, 'type'> & Partial<FlowNode>): string[] {
  return nodeDefinition(node.type).exits(node);
}

/** Exits a node may leave unconnected; unconnected, a failure goes on by `next`. */
export function optionalExits(node: Pick<FlowNode, 'type'>): string[] {
  return [...(nodeDefinition(node.type).optionalExits ?? [])];
}

/**
 * A node type's JSON Schema (as input: fields with defaults are optional), with the form hints of
 * its fields (`label`, `help`, `widget`, `showWhen`): what the builder draws its form from.
 */
export function nodeJsonSchema(type: NodeType): Record<string, unknown> {
  return z.toJSONSchema(nodeDefinition(type).schema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}

/** A new step of a type with content that already compiles, so a dropped step is usable at once. */
export function defaultNode(
  type: NodeType,
  id: string,
  position: { x: number; y: number },
  locale: Locale,
): FlowNode {
  return { id, position, type, ...nodeDefinition(type).defaults(locale) } as FlowNode;
}

export { type FieldMeta, form, type Locale, type NodeDefinition, type Widget, type Words } from './define';
