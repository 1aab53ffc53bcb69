import type { PlanNodeOf } from '../../flow/plan';
import { ms, type NodeRun } from '../../interpreter/run-context';

type WaitForEvent = PlanNodeOf<'wait_for_event'>;

/**
 * The earliest time a kept event may have come to count for the step, reached at `at`; undefined
 * when it looks at none (no look-back, as steps saved before look-backs existed).
 */
function lookBackSince(node: WaitForEvent, at: number, enteredAt: number | undefined): number | undefined {
  const lookBack = node.lookBack;
  if (!lookBack || lookBack.kind === 'none') return undefined;
  if (lookBack.kind === 'within') return at - ms(lookBack.duration);
  return enteredAt ?? Number.NEGATIVE_INFINITY;
}

/**
 * Waits for a matching event (exit `event`) until the timeout (exit `timeout`). With a look-back,
 * a matching event that came earlier (kept by the run) is taken on arrival, oldest first.
 */
export const waitForEventRun: NodeRun<WaitForEvent> = {
  enter(node, run) {
    const since = lookBackSince(node, run.at, run.state.enteredAt);
    if (since !== undefined && run.takeKept(node.event, since, node.filter)) {
      run.leave(node, 'event');
      return;
    }
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
  lookBack(node) {
    const lookBack = node.lookBack;
    if (!lookBack || lookBack.kind === 'none') return undefined;
    return {
      event: node.event,
      maxAgeMs: lookBack.kind === 'within' ? ms(lookBack.duration) : Number.POSITIVE_INFINITY,
    };
  },
};
