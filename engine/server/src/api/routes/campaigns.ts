import {
  AudienceCount,
  AudienceCountRequest,
  CampaignCancelled,
  CampaignList,
  CampaignListQuery,
  CampaignRequest,
  CampaignStarted,
  CampaignStatus,
} from '@sopflow/core/api';
import type { Hono } from 'hono';
import { doc } from '../docs';
import {
  type ApiContext,
  answerWith,
  apiError,
  auditBulkRead,
  checkBody,
  checkQuery,
  temporalUnavailable,
} from '../http';

/** Campaigns: audiences enrolled page by page, now, later or on a schedule. */
export function registerCampaignRoutes(app: Hono, ctx: ApiContext): void {
  app.get(
    '/api/campaigns',
    doc({
      summary: 'Campaigns launched through the API, newest first',
      tags: ['campaigns'],
      access: 'viewer',
      query: CampaignListQuery,
      responses: { 200: { description: 'Campaigns.', schema: CampaignList }, 422: 'Invalid query.' },
    }),
    async (c) => {
      const query = checkQuery(c, CampaignListQuery);
      if (!query.ok) return query.response;
      const campaigns = await ctx.options.campaigns.list(query.data);
      return c.json({
        campaigns: campaigns.map((campaign) => ({
          ...campaign,
          temporalUrl: ctx.runUrl(campaign.campaignId),
        })),
      });
    },
  );

  app.post(
    '/api/campaigns/audience',
    doc({
      summary: 'Count an audience before launching it: how many contacts, and which ids name nobody',
      tags: ['campaigns'],
      access: 'viewer',
      // A preview of whom a campaign reaches: audited with its count (a viewer's POST is otherwise not a write).
      audit: true,
      body: AudienceCountRequest,
      responses: { 200: { description: 'The count.', schema: AudienceCount }, 422: 'Invalid.' },
    }),
    async (c) => {
      const parsed = await checkBody(
        c,
        AudienceCountRequest,
        'The audience is not valid.',
        'invalid_audience',
      );
      if (!parsed.ok) return parsed.response;
      const counted = await ctx.options.campaigns.count(parsed.data.audience);
      auditBulkRead(c, { contacts: counted.count, unknownContactIds: counted.unknownContactIdCount });
      return c.json(counted);
    },
  );

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
        200: {
          description: "Temporal's status and progress, and the server's record.",
          schema: CampaignStatus,
        },
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
