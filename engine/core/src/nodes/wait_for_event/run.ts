import type { PlanNodeOf } from '../../flow/plan';
import { ms, type NodeRun } from '../../interpreter/run-context';

/** Waits for a matching event (exit `event`) until the timeout (exit `timeout`). */
export const waitForEventRun: NodeRun<PlanNodeOf<'wait_for_event'>> = {
  enter(node, run) {
    run.wait(
      {
        event: { name: node.event, filter: node.filter },
        timer: run.timer(node, 'timeout', run.at + ms(node.timeout)),
      },
      node,
    );
  },
  eventExit: 'event',
  keepsDueTime: true,
};
