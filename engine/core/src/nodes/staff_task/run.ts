import type { PlanNodeOf } from '../../flow/plan';
import type { StaffMember } from '../../flow/schema';
import { ms, type NodeRun, type RunContext } from '../../interpreter/run-context';
import type { NodePhase } from '../../interpreter/types';

type StaffTaskNode = PlanNodeOf<'staff_task'>;
type StaffPhase = Extract<NodePhase, { kind: 'staff' }>;

function notify(node: StaffTaskNode, staff: StaffMember, suffix: string | undefined, run: RunContext): void {
  const commandId = run.ids(node, suffix);
  run.emit({
    type: 'send',
    commandId,
    nodeId: node.id,
    channel: staff.channel,
    message: node.message,
    recipient: { kind: 'staff', staff },
    at: run.at,
  });
  run.wait({ task: { commandId, kind: 'send' } }, node);
}

/** Waits for `task.done` naming this step, until its next escalation or deadline. */
function awaitDone(node: StaffTaskNode, run: RunContext): void {
  const phase = run.state.phase as StaffPhase;
  const escalateAt =
    node.escalation && !phase.escalated ? phase.startedAt + ms(node.escalation.after) : undefined;
  const deadline = phase.startedAt + ms(node.deadline);
  const timer =
    escalateAt !== undefined && escalateAt < deadline
      ? run.timer(node, 'escalation', escalateAt)
      : run.timer(node, 'deadline', deadline);
  run.wait(
    { event: { name: 'task.done', filter: { field: 'payload.nodeId', op: 'eq', value: node.id } }, timer },
    node,
  );
}

/** Work for a person: notify them, then wait for `task.done` (exit `done`) or the deadline (`expired`). */
export const staffTaskRun: NodeRun<StaffTaskNode> = {
  enter(node, run) {
    run.state.phase = { kind: 'staff', startedAt: run.at, escalated: false };
    notify(node, node.assignee, undefined, run);
  },
  // The task stands whether or not the notice went out; staff also see it in sopflow.
  taskResult: (node, _result, run) => awaitDone(node, run),
  timer(node, reason, run) {
    if (reason === 'escalation' && node.escalation) {
      run.state.phase = { ...(run.state.phase as StaffPhase), escalated: true };
      notify(node, node.escalation.assignee, 'escalation', run);
      return;
    }
    run.leave(node, 'expired');
  },
  eventExit: 'done',
};
