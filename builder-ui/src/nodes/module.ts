import type { FlowNode, NodeType } from '@sopflow/core';
import type { LucideIcon } from 'lucide-react';
import type { ReactNode } from 'react';
import type { Locale, Messages } from '../i18n';

/** A node of one type. */
export type NodeOf<T extends NodeType> = Extract<FlowNode, { type: T }>;

/** What a summary may read: the builder's words (channel names, weekdays) in the operator's language. */
export interface SummaryContext {
  t: Messages;
  locale: Locale;
}

/**
 * What the canvas needs of a node type: its icon and colour (palette, step card, side panel,
 * minimap) and what its step card says. Its name and form come from the core definition.
 * Hooks use method syntax so a module of one type stands in the registry of all.
 */
export interface NodeModule<T extends NodeType = NodeType> {
  icon: LucideIcon;
  /** The type's colour: the card's top border, the icon's background, the minimap. */
  color: string;
  /** One line that tells steps of the same type apart at a glance. @default none */
  summary?(node: NodeOf<T>, context: SummaryContext): string | undefined;
  /** The message the step sends, shown as a bubble on the card. @default none */
  message?(node: NodeOf<T>): string | undefined;
  /**
   * The caption of an exit the operator named (a branch condition, a split arm); `card` for the
   * step card, which may say more (a split arm's share). @default the exit's own name
   */
  exitLabel?(node: NodeOf<T>, exit: string, card: boolean): string | undefined;
  /** Events the step waits for, offered when scripting a preview. @default none */
  events?(node: NodeOf<T>): string[];
  /** Variables the step gives later messages (`http.<id>.body`), offered in the message editor. */
  variables?(node: NodeOf<T>): string[];
  /** Fields the step gives later conditions (`http.<id>.status`), suggested in the condition builder. */
  conditionFields?(node: NodeOf<T>): string[];
  /** What the inspector shows below the step's form (the webhook of a webhook trigger). @default none */
  panel?(node: NodeOf<T>, context: { flowId: string }): ReactNode;
}

export function defineNodeModule<T extends NodeType>(_type: T, module: NodeModule<T>): NodeModule<T> {
  return module;
}
