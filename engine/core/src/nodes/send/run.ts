import { quietHoursEnd } from '../../flow/local-time';
import type { PlanNodeOf } from '../../flow/plan';
import { unreachableReason } from '../../interpreter/reach';
import { contactZone, ms, type NodeRun, type RunContext } from '../../interpreter/run-context';
import type { SuppressReason, TaskFailure, WelcomeSend } from '../../interpreter/types';

type SendNode = PlanNodeOf<'send'>;

/**
 * Sends on the step's channel, or its fallback once the first fails for good; holds the message
 * through quiet hours and, when the frequency cap says so, until the cap allows again.
 */
function send(node: SendNode, run: RunContext): void {
  const { state, plan, at } = run;
  const fallback = state.phase?.kind === 'send' && state.phase.attempt === 'fallback';
  const channel = currentChannel(node, run);
  const message = (fallback ? node.fallback!.message : undefined) ?? node.message;
  const quiet = plan.settings.quietHours;
  // A welcome is not held (its code lasts 20 s, and the customer has just added the staff member);
  // the step's fallback channel is an ordinary message.
  const welcome = node.welcome && !fallback ? node.welcome : undefined;
  const quietEnd = quiet && !welcome ? quietHoursEnd(at, quiet, contactZone(plan, state.contact)) : undefined;
  if (quietEnd !== undefined) {
    suppressed(node, channel, 'quiet-hours', run, quietEnd);
    run.wait({ timer: run.timer(node, 'quiet-hours', quietEnd) }, node);
    return;
  }
  const unreachable = unreachableReason(state.contact, channel, plan.reach);
  if (unreachable) {
    failed(node, channel, { reason: unreachable, message: `cannot reach the contact on ${channel}` }, run);
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
    ...(welcome ? { welcome: welcomeOf(welcome.otherwise, state.event) } : {}),
    at,
  });
  run.wait({ task: { commandId, kind: 'send' } }, node);
}

/** The welcome code and add time of the event that started the run (`wecom.customer_added`). */
function welcomeOf(otherwise: WelcomeSend['otherwise'], event: Record<string, unknown>): WelcomeSend {
  const { welcomeCode, at } = event;
  return {
    otherwise,
    ...(typeof welcomeCode === 'string' && welcomeCode ? { code: welcomeCode } : {}),
    ...(typeof at === 'number' ? { addedAt: at } : {}),
  };
}

/** Records a send that did not go out now: skipped, or held until `until`. */
function suppressed(
  node: SendNode,
  channel: string,
  reason: SuppressReason,
  run: RunContext,
  until?: number,
): void {
  run.emit({
    type: 'suppressed',
    nodeId: node.id,
    channel,
    reason,
    ...(until === undefined ? {} : { until }),
    at: run.at,
  });
}

/** The channel the step is sending on now: the fallback's once the first has failed for good. */
function currentChannel(node: SendNode, run: RunContext): string {
  const phase = run.state.phase;
  return phase?.kind === 'send' && phase.attempt === 'fallback' ? node.fallback!.channel : node.channel;
}

function failed(node: SendNode, channel: string, failure: TaskFailure, run: RunContext): void {
  const cap = run.plan.settings.frequencyCap;
  if (failure.reason === 'capped') {
    if (cap?.onCap === 'skip' || failure.retryAt === undefined) {
      suppressed(node, channel, 'capped', run);
      run.leave(node, 'next');
      return;
    }
    const retryAt = Math.max(failure.retryAt, run.at);
    suppressed(node, channel, 'capped', run, retryAt);
    run.wait({ timer: run.timer(node, 'frequency-cap', retryAt) }, node);
    return;
  }
  if (failure.reason !== 'failed') suppressed(node, channel, failure.reason, run);
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
    else failed(node, currentChannel(node, run), result, run);
  },
  timer(node, reason, run) {
    if (reason === 'quiet-hours' || reason === 'frequency-cap') send(node, run);
    else run.timerEnded(node, reason);
  },
};
