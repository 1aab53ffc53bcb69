import { evaluateCondition } from '../../flow/evaluate-condition';
import type { PlanNodeOf } from '../../flow/plan';
import { type NodeRun, renderData } from '../../interpreter/run-context';

/** The first condition that holds picks the exit; none holding takes `else`. */
export const branchRun: NodeRun<PlanNodeOf<'branch'>> = {
  enter(node, run) {
    const data = renderData(run.plan, run.state);
    const taken = node.branches.find((b) => evaluateCondition(b.when, data));
    run.leave(node, taken ? taken.id : 'else');
  },
};
