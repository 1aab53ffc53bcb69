import {
  advance,
  type Command,
  type Contact,
  type Input,
  type Plan,
  type RunOutcome,
  type RunState,
  start,
} from '@sopflow/engine';
import {
  ActivityFailure,
  ApplicationFailure,
  defineQuery,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { SopflowActivities } from './activities';
import { NodeKey } from './search-attributes';

export interface ContactFlowInput {
  /** The compiled plan of the published version: workflow input, so a new version never changes this run. */
  plan: Plan;
  contact: Contact;
  /** The payload of the event that enrolled the contact. */
  event: Record<string, unknown>;
}

export interface ContactFlowResult {
  outcome: RunOutcome;
}

/** Where a contact is now: for the canvas and for operators' scripts. */
export const runStateQuery = defineQuery<RunState>('sopflow.state');

const { deliver } = proxyActivities<SopflowActivities>({
  startToCloseTimeout: '30 seconds',
  // A message that cannot go out within a day is stale: give up and let the flow carry on.
  scheduleToCloseTimeout: '1 day',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

/**
 * One contact's journey through one published flow version. The interpreter decides; this
 * shell turns its commands into Temporal primitives: sends into activities, waits into timers.
 */
export async function contactFlow(input: ContactFlowInput): Promise<ContactFlowResult> {
  const { plan } = input;
  const info = workflowInfo();
  let step = start(plan, { contact: input.contact, event: input.event, at: Date.now() });
  setHandler(runStateQuery, () => step.state);
  let shownNode = '';

  for (;;) {
    const outcome = finished(step.commands);
    if (outcome) return { outcome };
    const { awaiting } = step.state;
    if (!awaiting) throw ApplicationFailure.nonRetryable('The interpreter neither finished nor waits.');

    // Search attributes only where a contact sits, so passing through a step costs no event.
    if (awaiting.nodeId !== shownNode) {
      shownNode = awaiting.nodeId;
      upsertSearchAttributes([{ key: NodeKey, value: shownNode }]);
      setCurrentDetails(`At step **${plan.nodes[shownNode]?.label ?? shownNode}**`);
    }

    let next: Input;
    if (awaiting.kind === 'timer') {
      await sleep(Math.max(0, awaiting.until - Date.now()));
      next = { type: 'timer-fired', timerId: awaiting.timerId, at: Date.now() };
    } else {
      const send = step.commands.find(
        (c): c is Extract<Command, { type: 'send' }> =>
          c.type === 'send' && c.commandId === awaiting.commandId,
      )!;
      next = await runSend(send);
    }
    step = advance(plan, step.state, next);
  }

  async function runSend(send: Extract<Command, { type: 'send' }>): Promise<Input> {
    const node = plan.nodes[send.nodeId];
    try {
      await deliver.executeWithOptions(
        { summary: `send via ${send.channel}: ${node?.label ?? send.nodeId}` },
        [
          {
            idempotencyKey: `${info.workflowId}/${info.firstExecutionRunId}/${send.commandId}`,
            workflowId: info.workflowId,
            flowId: plan.flowId,
            flowName: plan.flowName,
            flowVersion: plan.version,
            nodeId: send.nodeId,
            channel: send.channel,
            message: send.message,
            contact: step.state.contact,
            event: step.state.event,
          },
        ],
      );
      return { type: 'send-result', commandId: send.commandId, ok: true, at: Date.now() };
    } catch (error) {
      if (!(error instanceof ActivityFailure)) throw error;
      const cause = error.cause;
      const kind = cause instanceof ApplicationFailure ? (cause.type ?? 'permanent') : 'timeout';
      return {
        type: 'send-result',
        commandId: send.commandId,
        ok: false,
        error: { kind, message: cause?.message ?? error.message },
        at: Date.now(),
      };
    }
  }
}

function finished(commands: Command[]): RunOutcome | undefined {
  for (const command of commands) if (command.type === 'finish') return command.outcome;
  return undefined;
}
