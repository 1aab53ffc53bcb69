import type { PlanNodeOf } from '../../flow/plan';
import type { NodeRun } from '../../interpreter/run-context';
import { legacyStableFraction, stableFraction } from '../../interpreter/stable-hash';

/** An arm by weight, stable per contact: a hash of flow, step and contact picks it. */
export const splitRun: NodeRun<PlanNodeOf<'split'>> = {
  enter(node, run) {
    const total = node.arms.reduce((sum, a) => sum + a.weight, 0);
    const hash = run.plan.planVersion >= 3 ? stableFraction : legacyStableFraction;
    let point = hash(`${run.plan.flowId}:${node.id}:${run.state.contact.id}`) * total;
    let arm = node.arms[node.arms.length - 1]!;
    for (const candidate of node.arms) {
      point -= candidate.weight;
      if (point < 0) {
        arm = candidate;
        break;
      }
    }
    run.leave(node, arm.id);
  },
};
