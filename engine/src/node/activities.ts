import { type ConnectorInstance, SendError } from '@sopflow/connectors';
import type { DeliverInput, DeliverResult, SopflowActivities } from '@sopflow/workflows';
import { ApplicationFailure } from '@temporalio/common';
import { renderTemplate } from '../index';

export interface ActivityDeps {
  /** The connector that delivers each channel. */
  routes: (channel: string) => ConnectorInstance | undefined;
}

/** Maps a connector's failure to what Temporal should do: retry, wait, or give up. */
function toFailure(error: unknown): Error {
  if (!(error instanceof SendError)) return error instanceof Error ? error : new Error(String(error));
  if (error.kind === 'permanent') {
    return ApplicationFailure.create({ message: error.message, type: 'permanent', nonRetryable: true });
  }
  if (error.kind === 'rate-limited') {
    return ApplicationFailure.create({
      message: error.message,
      type: 'rate-limited',
      nextRetryDelay: error.details.retryAfterMs ?? 60_000,
    });
  }
  return ApplicationFailure.create({ message: error.message, type: 'retryable' });
}

export function createActivities(deps: ActivityDeps): SopflowActivities {
  return {
    async deliver(input: DeliverInput): Promise<DeliverResult> {
      const connector = deps.routes(input.channel);
      if (!connector) {
        throw ApplicationFailure.create({
          message: `No connector is configured for the channel "${input.channel}".`,
          type: 'permanent',
          nonRetryable: true,
        });
      }
      const context = {
        contact: input.contact,
        event: input.event,
        flow: { id: input.flowId, name: input.flowName, version: input.flowVersion },
      };
      const text = renderTemplate(input.message.text, context);
      const subject =
        input.message.subject === undefined ? undefined : renderTemplate(input.message.subject, context);
      try {
        return await connector.send({
          idempotencyKey: input.idempotencyKey,
          channel: input.channel,
          to: input.contact,
          text,
          ...(subject === undefined ? {} : { subject }),
          origin: {
            workflowId: input.workflowId,
            flowId: input.flowId,
            flowVersion: input.flowVersion,
            nodeId: input.nodeId,
          },
        });
      } catch (error) {
        throw toFailure(error);
      }
    },
  };
}
