import type { Condition } from './conditions';
import type { MessageContent, Trigger } from './schema';

/**
 * The compiled plan: a plain, serialisable object that is the workflow's input. Exits are
 * resolved to node ids and durations to milliseconds, so the interpreter needs nothing else.
 */

export const PLAN_VERSION = 1;

export type PlanNode =
  | { type: 'trigger'; id: string; label?: string; trigger: Trigger; next: string }
  | { type: 'send'; id: string; label?: string; channel: string; message: MessageContent; next: string }
  | { type: 'wait'; id: string; label?: string; durationMs: number; next: string }
  | {
      type: 'branch';
      id: string;
      label?: string;
      branches: { id: string; when: Condition; next: string }[];
      elseNext: string;
    }
  | { type: 'exit'; id: string; label?: string };

export interface Plan {
  planVersion: typeof PLAN_VERSION;
  flowId: string;
  flowName: string;
  /** The published version this plan was compiled for; 0 for an unpublished draft. */
  version: number;
  timezone: string;
  /** The trigger node: where every contact enters. */
  entry: string;
  nodes: Record<string, PlanNode>;
}
