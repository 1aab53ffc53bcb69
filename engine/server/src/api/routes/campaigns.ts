import { CampaignCancelled, CampaignRequest, CampaignStarted, CampaignStatus } from '@sopflow/core/api';
import type { Hono } from 'hono';
import { doc } from '../docs';
import { type ApiContext, answerWith, apiError, checkBody, temporalUnavailable } from '../http';

/** Campaigns: audiences enrolled page by page, now, later or on a schedule. */
export function registerCampaignRoutes(app: Hono, ctx: ApiContext): void {
  app.post(
    '/api/campaigns',
    doc({
      summary: 'Start a campaign: enroll an audience now or later',
      tags: ['campaigns'],
      access: 'operator',
      body: CampaignRequest,
      responses: {
        202: { description: 'Started.', schema: CampaignStarted },
        404: 'No published flow.',
        409: 'The flow is not live.',
        422: 'Invalid.',
        503: 'Temporal unreachable.',
      },
    }),
    async (c) => {
      const parsed = await checkBody(c, CampaignRequest, 'The campaign is not valid.', 'invalid_campaign');
      if (!parsed.ok) return parsed.response;
      const flow = await ctx.options.store.flows.get(parsed.data.flowId);
      const published = flow && (await ctx.options.store.flows.getVersion(flow.id));
      if (!flow || !published)
        return apiError(c, 404, 'flow_not_found', `There is no published flow "${parsed.data.flowId}".`);
      if (flow.status !== 'live')
        return apiError(c, 409, 'flow_not_live', `Flow "${flow.id}" is ${flow.status}.`);
      return answerWith(
        c,
        () => ctx.options.campaigns.start(parsed.data, published.plan),
        temporalUnavailable('The workflow server is unreachable; retry.'),
        202,
      );
    },
  );

  app.get(
    '/api/campaigns/:id',
    doc({
      summary: "A campaign's progress",
      tags: ['campaigns'],
      access: 'viewer',
      responses: {
        200: { description: 'Status and progress.', schema: CampaignStatus },
        404: 'No such campaign.',
      },
    }),
    async (c) => {
      const status = await ctx.options.campaigns.status(c.req.param('id'));
      if (!status)
        return apiError(c, 404, 'campaign_not_found', `There is no campaign "${c.req.param('id')}".`);
      return c.json({ ...status, temporalUrl: ctx.runUrl(status.campaignId) });
    },
  );

  app.post(
    '/api/campaigns/:id/cancel',
    doc({
      summary: 'Cancel a campaign',
      tags: ['campaigns'],
      access: 'operator',
      responses: {
        202: { description: 'Cancelling.', schema: CampaignCancelled },
        404: 'No such running campaign.',
      },
    }),
    async (c) => {
      const cancelled = await ctx.options.campaigns.cancel(c.req.param('id'));
      if (!cancelled)
        return apiError(c, 404, 'campaign_not_found', `There is no running campaign "${c.req.param('id')}".`);
      return c.json({ campaignId: c.req.param('id'), cancelling: true }, 202);
    },
  );
}
