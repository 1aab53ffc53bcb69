import { SendError } from '@sopflow/connectors';
import {
  ChannelRoute,
  ChannelsAnswer,
  ConnectorList,
  RouteBody,
  RouteRemoved,
  TestSendBody,
  TestSendResult,
} from '@sopflow/core/api';
import type { Hono } from 'hono';
import { z } from 'zod';
import { RouteError } from '../../services/channel-routes';
import { doc } from '../docs';
import { type ApiContext, answerWith, apiError, checkBody, codedError } from '../http';

const routeStatus = {
  unknown_connector: 404,
  wrong_channel: 422,
  invalid_config: 422,
  no_secret_key: 409,
} as const;

/** Connectors and which one delivers each channel: configured at run time, secrets masked. */
export function registerChannelRoutes(app: Hono, ctx: ApiContext): void {
  const { registry, channelRoutes, connectorJobs } = ctx.options;
  /**
   * The schedules of a channel's jobs follow its route. The route is stored either way; a schedule
   * that could not be synced is said in the log and synced again at the next start.
   */
  const syncJobs = (channel: string) =>
    connectorJobs
      .syncSchedules(channel)
      .catch((error: Error) => console.error(`Jobs of channel ${channel} not scheduled: ${error.message}`));

  app.get(
    '/api/connectors',
    doc({
      summary: 'Connectors, their config schemas and the address kinds they declare',
      tags: ['channels'],
      access: 'viewer',
      responses: { 200: { description: 'The connectors.', schema: ConnectorList } },
    }),
    (c) => {
      const reach = registry.reach();
      return c.json({
        connectors: registry.list().map((connector) => ({
          name: connector.name,
          description: connector.description,
          channels: connector.channels,
          capabilities: connector.capabilities ?? [],
          ...(connector.address ? { address: connector.address.name } : {}),
          secretFields: connector.secretFields ?? [],
          configSchema: z.toJSONSchema(connector.configSchema, { io: 'input', unrepresentable: 'any' }),
        })),
        addressKinds: registry.addressKinds().map((kind) => ({
          name: kind.name,
          label: kind.label,
          of: kind.of ?? 'contact',
          input: kind.input ?? 'text',
          channels: Object.keys(reach).filter((channel) => reach[channel]!.includes(kind.name)),
        })),
        reach,
      });
    },
  );

  app.get(
    '/api/channels',
    doc({
      summary: 'Channels and the connector routed to each (secrets masked)',
      tags: ['channels'],
      access: 'viewer',
      responses: { 200: { description: 'Channels and routes.', schema: ChannelsAnswer } },
    }),
    async (c) => c.json({ channels: ctx.options.channels, routes: await channelRoutes.list() }),
  );

  app.put(
    '/api/channels/:channel',
    doc({
      summary: 'Route a channel to a connector with its config (secrets stored encrypted)',
      tags: ['channels'],
      access: 'admin',
      body: RouteBody,
      responses: {
        200: { description: 'Routed.', schema: ChannelRoute },
        404: 'Unknown connector.',
        409: 'No secret key configured.',
        422: 'Invalid config.',
      },
    }),
    async (c) => {
      const parsed = await checkBody(c, RouteBody, 'Name a connector and its config.');
      if (!parsed.ok) return parsed.response;
      return answerWith(
        c,
        async () => {
          const route = await channelRoutes.set(
            c.req.param('channel'),
            parsed.data.connector,
            parsed.data.config,
          );
          await syncJobs(route.channel);
          return route;
        },
        codedError(RouteError, routeStatus),
      );
    },
  );

  app.delete(
    '/api/channels/:channel',
    doc({
      summary: "Remove a channel's route (it goes to the outbox)",
      tags: ['channels'],
      access: 'admin',
      responses: { 200: { description: 'Removed.', schema: RouteRemoved } },
    }),
    async (c) => {
      const removed = await channelRoutes.remove(c.req.param('channel'));
      await syncJobs(c.req.param('channel'));
      return c.json({ channel: c.req.param('channel'), removed });
    },
  );

  app.post(
    '/api/channels/:channel/test',
    doc({
      summary: 'Send a test message through the channel',
      tags: ['channels'],
      access: 'admin',
      body: TestSendBody,
      responses: {
        200: { description: 'Sent.', schema: TestSendResult },
        404: 'No connector for the channel.',
        502: 'The provider refused.',
      },
    }),
    async (c) => {
      const parsed = await checkBody(c, TestSendBody, 'Say whom to send the test to.');
      if (!parsed.ok) return parsed.response;
      const channel = c.req.param('channel');
      const route = await channelRoutes.route(channel);
      if (!route) return apiError(c, 404, 'no_connector', `No connector delivers ${channel}.`);
      try {
        const to = parsed.data.to;
        const result = route.instance.test
          ? await route.instance.test(to)
          : await route.instance.send({
              idempotencyKey: `test:${channel}:${Date.now()}`,
              channel,
              to,
              text: 'sopflow test message / sopflow 测试消息',
              subject: 'sopflow test',
              origin: { workflowId: 'test', flowId: 'test', flowVersion: 0, nodeId: 'test' },
            });
        return c.json({ connector: route.connector, ...result });
      } catch (error) {
        if (error instanceof SendError) {
          return apiError(c, 502, `send_${error.kind}`, error.message, {
            kind: error.kind,
            ...error.details,
          });
        }
        throw error;
      }
    },
  );
}
