import type { PlanNodeOf } from '../../flow/plan';
import type { NodeRun } from '../../interpreter/run-context';

export const exitRun: NodeRun<PlanNodeOf<'exit'>> = {
  enter: (node, run) => run.finish({ kind: 'exited', nodeId: node.id }),
};
