import { quietHoursEnd } from '../../flow/local-time';
import type { PlanNodeOf } from '../../flow/plan';
import { unreachableReason } from '../../interpreter/reach';
import { contactZone, ms, type NodeRun, type RunContext } from '../../interpreter/run-context';
import type { TaskFailure } from '../../interpreter/types';

type SendNode = PlanNodeOf<'send'>;

/**
 * Sends on the step's channel, or its fallback once the first fails for good; holds the message
 * through quiet hours and, when the frequency cap says so, until the cap allows again.
 */
function send(node: SendNode, run: RunContext): void {
  const { state, plan, at } = run;
  const fallback = state.phase?.kind === 'send' && state.phase.attempt === 'fallback';
  const channel = fallback ? node.fallback!.channel : node.channel;
  const message = (fallback ? node.fallback!.message : undefined) ?? node.message;
  const quiet = plan.settings.quietHours;
  const quietEnd = quiet ? quietHoursEnd(at, quiet, contactZone(plan, state.contact)) : undefined;
  if (quietEnd !== undefined) {
    run.wait({ timer: run.timer(node, 'quiet-hours', quietEnd) }, node);
    return;
  }
  const unreachable = unreachableReason(state.contact, channel, plan.reach);
  if (unreachable) {
    failed(node, { reason: unreachable, message: `cannot reach the contact on ${channel}` }, run);
    return;
  }
  const cap = plan.settings.frequencyCap;
  const commandId = run.ids(node, fallback ? 'fallback' : undefined);
  run.emit({
    type: 'send',
    commandId,
    nodeId: node.id,
    channel,
    message,
    recipient: { kind: 'contact' },
    ...(cap ? { cap: { max: cap.max, perMs: ms(cap.per) } } : {}),
    at,
  });
  run.wait({ task: { commandId, kind: 'send' } }, node);
}

function failed(node: SendNode, failure: TaskFailure, run: RunContext): void {
  const cap = run.plan.settings.frequencyCap;
  if (failure.reason === 'capped') {
    if (cap?.onCap === 'skip' || failure.retryAt === undefined) {
      run.leave(node, 'next');
      return;
    }
    run.wait({ timer: run.timer(node, 'frequency-cap', Math.max(failure.retryAt, run.at)) }, node);
    return;
  }
  const phase = run.state.phase;
  if (node.fallback && phase?.kind === 'send' && phase.attempt === 'primary') {
    run.state.phase = { kind: 'send', attempt: 'fallback' };
    send(node, run);
    return;
  }
  run.leave(node, node.exits.failed ? 'failed' : 'next');
}

export const sendRun: NodeRun<SendNode> = {
  enter(node, run) {
    run.state.phase ??= { kind: 'send', attempt: 'primary' };
    send(node, run);
  },
  taskResult(node, result, run) {
    if (result.ok) run.leave(node, 'next');
    else failed(node, result, run);
  },
  timer(node, reason, run) {
    if (reason === 'quiet-hours' || reason === 'frequency-cap') send(node, run);
    else run.timerEnded(node, reason);
  },
};
