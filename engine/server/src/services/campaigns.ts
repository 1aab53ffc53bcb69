import { randomUUID } from 'node:crypto';
import type { Condition, Plan } from '@sopflow/core';
import type {
  CampaignRequest,
  CampaignStarted,
  CampaignStatus as CampaignStatusAnswer,
} from '@sopflow/core/api';
import { type CampaignInput, campaign } from '@sopflow/workflows';
import type { TemporalGateway } from '../temporal/gateway';

export { CampaignRequest } from '@sopflow/core/api';

/** A campaign's state as Temporal tells it (the API adds its link to the Temporal UI). */
export type CampaignStatus = Omit<CampaignStatusAnswer, 'temporalUrl'>;

/** The id of the Temporal Schedule that runs a schedule-triggered flow. */
export const scheduleIdOf = (flowId: string) => `sopflow-schedule:${flowId}`;

/**
 * Campaigns enroll an audience into a flow now, at a time, or on a schedule: each is a
 * `campaign` workflow that pages through the audience, so 100,000 contacts never make one
 * giant history. Recurring ones are Temporal Schedules.
 */
export class Campaigns {
  constructor(private readonly temporal: TemporalGateway) {}

  async start(request: CampaignRequest, plan: Plan): Promise<CampaignStarted> {
    const audience = request.audience ?? { where: audienceOf(plan) };
    const campaignId = `campaign:${request.flowId}:${randomUUID().slice(0, 8)}`;
    const startsAt = request.at ? Date.parse(request.at) : Date.now();
    const input: CampaignInput = { flowId: request.flowId, audience, pageSize: request.pageSize };
    await this.temporal.startCampaign(campaignId, input, {
      delayMs: startsAt - Date.now(),
      summary: `Campaign for ${plan.flowName}`,
    });
    return { campaignId, startsAt: new Date(startsAt).toISOString() };
  }

  async status(campaignId: string): Promise<CampaignStatus | undefined> {
    const state = await this.temporal.campaignState(campaignId);
    return state && { campaignId, ...state };
  }

  cancel(campaignId: string): Promise<boolean> {
    return this.temporal.cancelCampaign(campaignId);
  }

  /** Creates, updates or removes the flow's Temporal Schedule to match its published trigger. */
  async syncSchedule(plan: Plan): Promise<void> {
    const trigger = plan.nodes[plan.entry];
    const scheduleId = scheduleIdOf(plan.flowId);
    if (trigger?.type !== 'trigger' || trigger.trigger.kind !== 'schedule') {
      await this.temporal.deleteSchedule(scheduleId);
      return;
    }
    await this.temporal.putSchedule(scheduleId, {
      spec: {
        cronExpressions: [trigger.trigger.cron],
        timezone: trigger.trigger.timezone ?? plan.settings.timezone,
      },
      start: {
        workflow: campaign,
        args: [{ flowId: plan.flowId, audience: { where: trigger.trigger.where } }],
        workflowId: `campaign:${plan.flowId}:scheduled`,
      },
      memo: { flowName: plan.flowName },
    });
  }
}

function audienceOf(plan: Plan): Condition | undefined {
  const trigger = plan.nodes[plan.entry];
  if (trigger?.type !== 'trigger') return undefined;
  return trigger.trigger.kind === 'audience' || trigger.trigger.kind === 'schedule'
    ? trigger.trigger.where
    : undefined;
}
