import { randomUUID } from 'node:crypto';
import type { Plan } from '@sopflow/core';
import {
  type AudienceCount,
  type AudienceSummary,
  type CampaignAudience,
  type CampaignRecord,
  type CampaignRequest,
  type CampaignStarted,
  type CampaignStatus as CampaignStatusAnswer,
  MAX_LISTED_UNKNOWN_IDS,
} from '@sopflow/core/api';
import { type CampaignInput, campaign } from '@sopflow/workflows';
import type { Database } from '../persistence';
import type { TemporalGateway } from '../temporal/gateway';

export { CampaignRequest } from '@sopflow/core/api';

/** A campaign's state as Temporal tells it (the API adds its link to the Temporal UI). */
export type CampaignStatus = Omit<CampaignStatusAnswer, 'temporalUrl'>;

/** The id of the Temporal Schedule that runs a schedule-triggered flow. */
export const scheduleIdOf = (flowId: string) => `sopflow-schedule:${flowId}`;

/** How a campaign's list shows its audience: never the (possibly 100,000) ids themselves. */
function summaryOf(audience: CampaignAudience): AudienceSummary {
  if (audience.where) return { kind: 'where', where: audience.where };
  if (audience.contactIds) return { kind: 'contactIds', count: audience.contactIds.length };
  return { kind: 'everyone' };
}

/**
 * Campaigns enroll an audience into a flow now, at a time, or on a schedule: each is a
 * `campaign` workflow that pages through the audience, so 100,000 contacts never make one
 * giant history. Recurring ones are Temporal Schedules. Those launched through the API are
 * recorded, with their audience's size at launch, so every operator sees the same list.
 */
export class Campaigns {
  constructor(
    private readonly temporal: TemporalGateway,
    private readonly store: Database,
  ) {}

  /** How many contacts the audience holds now, and which of its named ids name nobody. */
  async count(audience: CampaignAudience): Promise<AudienceCount> {
    const ids = audience.contactIds ? [...new Set(audience.contactIds)] : undefined;
    const [count, unknown] = await Promise.all([
      this.store.contacts.countAudience({ ...audience, contactIds: ids }),
      ids ? this.store.contacts.unknownIds(ids) : [],
    ]);
    return {
      count,
      unknownContactIds: unknown.slice(0, MAX_LISTED_UNKNOWN_IDS),
      unknownContactIdCount: unknown.length,
    };
  }

  async start(request: CampaignRequest, plan: Plan): Promise<CampaignStarted> {
    const { audience } = request;
    const campaignId = `campaign:${request.flowId}:${randomUUID().slice(0, 8)}`;
    const startsAt = request.at ? Date.parse(request.at) : Date.now();
    const counted = await this.count(audience);
    await this.store.campaigns.create({
      id: campaignId,
      flowId: request.flowId,
      audience: summaryOf(audience),
      audienceCount: counted.count,
      unknownContactIdCount: counted.unknownContactIdCount,
      startsAt: new Date(startsAt),
    });
    const input: CampaignInput = { flowId: request.flowId, audience, pageSize: request.pageSize };
    try {
      await this.temporal.startCampaign(campaignId, input, {
        delayMs: startsAt - Date.now(),
        summary: `Campaign for ${plan.flowName}`,
      });
    } catch (error) {
      // Never started (the caller is told so): the list must not show it as scheduled or running.
      await this.store.campaigns.remove(campaignId);
      throw error;
    }
    return { campaignId, startsAt: new Date(startsAt).toISOString(), audience: counted };
  }

  list(query: { flowId?: string; limit?: number }): Promise<CampaignRecord[]> {
    return this.store.campaigns.list(query);
  }

  /** Temporal's view and the server's record; undefined when neither knows the campaign. */
  async status(campaignId: string): Promise<CampaignStatus | undefined> {
    const [state, record] = await Promise.all([
      this.temporal.campaignState(campaignId),
      this.store.campaigns.get(campaignId),
    ]);
    if (!state && !record) return undefined;
    return { campaignId, status: 'UNKNOWN', ...state, ...(record ? { record } : {}) };
  }

  async cancel(campaignId: string): Promise<boolean> {
    const cancelled = await this.temporal.cancelCampaign(campaignId);
    if (cancelled) await this.store.campaigns.markCancelled(campaignId);
    return cancelled;
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
        args: [
          {
            flowId: plan.flowId,
            // The flow's author chose this audience when drawing the trigger; no condition is everyone.
            audience: trigger.trigger.where ? { where: trigger.trigger.where } : { everyone: true },
          },
        ],
        workflowId: `campaign:${plan.flowId}:scheduled`,
      },
      memo: { flowName: plan.flowName },
    });
  }
}
