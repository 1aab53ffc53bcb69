import type { PlanNodeOf } from '../../flow/plan';
import { ms, type NodeRun } from '../../interpreter/run-context';

export const waitRun: NodeRun<PlanNodeOf<'wait'>> = {
  enter: (node, run) => run.wait({ timer: run.timer(node, 'wait', run.at + ms(node.duration)) }, node),
  keepsDueTime: true,
};
