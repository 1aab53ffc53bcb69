import { nextLocalTime } from '../../flow/local-time';
import type { PlanNodeOf } from '../../flow/plan';
import { contactZone, type NodeRun } from '../../interpreter/run-context';

/** Waits for the next local time on the step's clock (the contact's unless it names one). */
export const waitUntilRun: NodeRun<PlanNodeOf<'wait_until'>> = {
  enter(node, run) {
    const zone = node.timezone ?? contactZone(run.plan, run.state.contact);
    const until = nextLocalTime(run.at, node, zone);
    if (until <= run.at) {
      run.leave(node, 'next');
      return;
    }
    run.wait({ timer: run.timer(node, 'wait', until) }, node);
  },
  keepsDueTime: true,
};
