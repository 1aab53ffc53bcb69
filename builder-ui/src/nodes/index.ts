import { type FlowNode, NODE_TYPES, type NodeType, nodeDefinition } from '@sopflow/core';
import type { Locale } from '../i18n';
import { branch } from './branch';
import { exit } from './exit';
import { httpRequest } from './http_request';
import type { NodeModule } from './module';
import { send } from './send';
import { split } from './split';
import { staffTask } from './staff_task';
import { trigger } from './trigger';
import { updateContact } from './update_contact';
import { wait } from './wait';
import { waitForEvent } from './wait_for_event';
import { waitUntil } from './wait_until';

/**
 * The builder's side of each node type, one module per type (`nodes/<type>.tsx`): icon, colour
 * and what its step card says. Its name, hint and inspector form come from the core definition
 * (`@sopflow/core`, `engine/core/src/nodes/<type>/definition.ts`).
 */
export const NODE_MODULES: { [T in NodeType]: NodeModule<T> } = {
  trigger,
  send,
  wait,
  wait_until: waitUntil,
  wait_for_event: waitForEvent,
  branch,
  split,
  update_contact: updateContact,
  http_request: httpRequest,
  staff_task: staffTask,
  exit,
};

/** The module of a node's type (each is only called with nodes of its own type). */
export function nodeModule(type: NodeType): NodeModule<NodeType> {
  return NODE_MODULES[type] as NodeModule<NodeType>;
}

/** A node type's name in the operator's language (the core definition's words). */
export const nodeLabel = (type: NodeType, locale: Locale): string => nodeDefinition(type).words.label[locale];

/**
 * What an operator calls a step: the label they gave it, else its type's name with the number of
 * its id (`wait-2` → 等待 2, `start` → 触发器). A step of a type this builder does not know keeps its id.
 */
export function stepName(step: { id: string; type: string; label?: string }, locale: Locale): string {
  if (step.label) return step.label;
  if (!(NODE_TYPES as readonly string[]).includes(step.type)) return step.id;
  const type = nodeLabel(step.type as NodeType, locale);
  const number = /[-_](\d+)$/.exec(step.id)?.[1];
  return number ? `${type} ${number}` : type;
}

/** What a node type is for, in one line. */
export const nodeHint = (type: NodeType, locale: Locale): string => nodeDefinition(type).words.hint[locale];

/** The caption of one of a node's exits: its own name unless the operator named it. */
export function exitCaption(
  node: FlowNode,
  exit: string,
  card: boolean,
  exits: Record<string, string | undefined>,
) {
  return nodeModule(node.type).exitLabel?.(node, exit, card) ?? exits[exit] ?? exit;
}

export type { NodeModule, NodeOf, SummaryContext } from './module';
export { NODE_TYPES };
