import type { FlowNode, FlowSettings } from './schema';

/**
 * The compiled plan: a plain, serialisable object that is the workflow's input. Each node is the
 * flow node (less its canvas position) with its exits resolved to the ids of the nodes they lead to.
 */

/**
 * 3: splits pick arms with a well-mixed hash (plans before it keep the old one, so contacts already
 * running them replay the arm they took).
 */
export const PLAN_VERSION = 3;

type WithoutPosition<T> = T extends unknown ? Omit<T, 'position'> : never;

export type PlanNode = WithoutPosition<FlowNode> & {
  /** Exit handle → target node id; optional exits left unconnected are absent. */
  exits: Record<string, string>;
};

/** A plan node of one type. */
export type PlanNodeOf<T extends PlanNode['type']> = Extract<PlanNode, { type: T }>;

export interface Plan {
  /** PLAN_VERSION when compiled; a running contact's plan may be older (down to 2). */
  planVersion: number;
  flowId: string;
  flowName: string;
  /** The published version this plan was compiled for; 0 for an unpublished draft. */
  version: number;
  settings: FlowSettings;
  /** The trigger node: where every contact enters. */
  entry: string;
  nodes: Record<string, PlanNode>;
  /**
   * Channel → the contact address kinds that reach someone on it (any one will do), as the
   * connectors declare them (compile's `reach`). Plans compiled before it existed have none and
   * keep the reach they were run with.
   */
  reach?: Readonly<Record<string, readonly string[]>>;
}
