import type { PlanNodeOf } from '../../flow/plan';
import type { NodeRun } from '../../interpreter/run-context';

/** A trigger only lets the contact in. */
export const triggerRun: NodeRun<PlanNodeOf<'trigger'>> = {
  enter: (node, run) => run.leave(node, 'next'),
};
