import { plusCalendarDays } from '../../flow/local-time';
import type { PlanNodeOf } from '../../flow/plan';
import { contactZone, ms, type NodeRun } from '../../interpreter/run-context';

export const waitRun: NodeRun<PlanNodeOf<'wait'>> = {
  enter(node, run) {
    const until = node.calendarDays
      ? plusCalendarDays(run.at, node.duration, contactZone(run.plan, run.state.contact))
      : run.at + ms(node.duration);
    run.wait({ timer: run.timer(node, 'wait', until) }, node);
  },
  keepsDueTime: true,
};
