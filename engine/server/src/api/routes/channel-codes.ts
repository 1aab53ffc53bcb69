import { ChannelCode, ChannelCodeBody, ChannelCodeList, ChannelCodeRemoved } from '@sopflow/core/api';
import type { Hono } from 'hono';
import { ChannelCodeError } from '../../services/channel-codes';
import { doc } from '../docs';
import { type ApiContext, answerWith, checkBody, codedError } from '../http';

const codeStatus = {
  channel_code_not_found: 404,
  no_channel_code_connector: 409,
  invalid_body: 422,
  provider_refused: 502,
  provider_unavailable: 503,
} as const;

const BODY_MESSAGE = 'The channel code is not valid. / 渠道活码的内容不正确。';

/** Channel codes (渠道活码): "contact me" QR codes per acquisition channel, with their counts. */
export function registerChannelCodeRoutes(app: Hono, ctx: ApiContext): void {
  const { channelCodes } = ctx.options;
  const failure = codedError(ChannelCodeError, codeStatus);

  app.get(
    '/api/channel-codes',
    doc({
      summary: 'Channel codes with their adds, enrollments and conversions',
      tags: ['channel-codes'],
      access: 'viewer',
      responses: { 200: { description: 'Every code, newest first.', schema: ChannelCodeList } },
    }),
    async (c) => c.json({ channelCodes: await channelCodes.list() }),
  );

  app.post(
    '/api/channel-codes',
    doc({
      summary: 'Make a channel code on the provider (WeCom add_contact_way) with a new state',
      tags: ['channel-codes'],
      access: 'operator',
      body: ChannelCodeBody,
      responses: {
        201: { description: 'Made.', schema: ChannelCode },
        409: 'No channel is routed to a connector that makes channel codes.',
        422: 'A field is not valid (the provider refusing a staff member names `staff`).',
        502: 'The provider refused.',
        503: 'The provider could not be reached; nothing was made.',
      },
    }),
    async (c) => {
      const parsed = await checkBody(c, ChannelCodeBody, BODY_MESSAGE);
      if (!parsed.ok) return parsed.response;
      return answerWith(c, () => channelCodes.create(parsed.data), failure, 201);
    },
  );

  app.get(
    '/api/channel-codes/:id',
    doc({
      summary: 'One channel code with its counts',
      tags: ['channel-codes'],
      access: 'viewer',
      responses: { 200: { description: 'The code.', schema: ChannelCode }, 404: 'No such code.' },
    }),
    (c) => answerWith(c, () => channelCodes.get(c.req.param('id')), failure),
  );

  app.put(
    '/api/channel-codes/:id',
    doc({
      summary:
        'Change a channel code (name, acquisition channel, staff, verification); its state and QR stay',
      tags: ['channel-codes'],
      access: 'operator',
      body: ChannelCodeBody,
      responses: {
        200: { description: 'Changed.', schema: ChannelCode },
        404: 'No such code.',
        422: 'A field is not valid.',
        502: 'The provider refused.',
        503: 'The provider could not be reached.',
      },
    }),
    async (c) => {
      const parsed = await checkBody(c, ChannelCodeBody, BODY_MESSAGE);
      if (!parsed.ok) return parsed.response;
      return answerWith(c, () => channelCodes.update(c.req.param('id'), parsed.data), failure);
    },
  );

  app.delete(
    '/api/channel-codes/:id',
    doc({
      summary: 'Delete a channel code on the provider and here',
      tags: ['channel-codes'],
      access: 'operator',
      responses: {
        200: { description: 'Deleted.', schema: ChannelCodeRemoved },
        404: 'No such code.',
        502: 'The provider refused.',
      },
    }),
    (c) =>
      answerWith(
        c,
        async () => {
          await channelCodes.remove(c.req.param('id'));
          return { id: c.req.param('id'), removed: true };
        },
        failure,
      ),
  );

  app.get(
    '/api/channel-codes/:id/qr',
    doc({
      summary: "The code's QR image, as the provider serves it",
      tags: ['channel-codes'],
      access: 'viewer',
      responses: {
        200: { description: 'The image.', media: 'image/png' },
        404: 'No such code.',
        503: 'The provider did not give the image.',
      },
    }),
    async (c) => {
      try {
        const image = await channelCodes.qrImage(c.req.param('id'));
        return c.body(image.bytes, 200, {
          'content-type': image.type,
          'cache-control': 'private, max-age=300',
        });
      } catch (error) {
        const answer = failure(c, error);
        if (answer) return answer;
        throw error;
      }
    },
  );
}
