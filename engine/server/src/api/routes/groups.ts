import {
  GroupEntryRemoved,
  JoinWay,
  JoinWayBody,
  JoinWayList,
  WelcomeTemplate,
  WelcomeTemplateBody,
  WelcomeTemplateEdit,
  WelcomeTemplateList,
} from '@sopflow/core/api';
import type { Hono } from 'hono';
import { GroupEntry, GroupEntryError } from '../../services/group-entry';
import { doc } from '../docs';
import { type ApiContext, answerWith, apiError, checkBody, codedError } from '../http';

const failure = codedError(GroupEntryError, {
  no_group_entry_connector: 409,
  join_way_not_found: 404,
  welcome_template_not_found: 404,
  state_taken: 409,
  group_not_found: 422,
  provider_refused: 502,
  provider_unavailable: 503,
});

const errors = {
  404: 'No such join way or template.',
  409: 'No connector manages customer groups, or the state is taken.',
  422: 'Invalid: the details name each field, in English and Chinese.',
  502: 'WeCom refused.',
  503: 'WeCom could not be reached; retry.',
};

/** The most a QR code image may weigh (WeCom's are a few kB). */
const MAX_IMAGE_BYTES = 2 * 1024 * 1024;

/** The image at `url`, or undefined when it cannot be had or is not an image of a sane size. */
async function fetchImage(url: string): Promise<{ bytes: ArrayBuffer; type: string } | undefined> {
  try {
    const answer = await fetch(url, { signal: AbortSignal.timeout(10_000), redirect: 'follow' });
    const type = answer.headers.get('content-type') ?? '';
    if (!answer.ok || !type.startsWith('image/')) return undefined;
    const bytes = await answer.arrayBuffer();
    return bytes.byteLength <= MAX_IMAGE_BYTES ? { bytes, type } : undefined;
  } catch {
    return undefined;
  }
}

/** Group entry (拉群, 入群欢迎): join ways and group welcome templates, kept at WeCom and here. */
export function registerGroupRoutes(app: Hono, ctx: ApiContext): void {
  const entry = new GroupEntry(
    ctx.options.store.groupEntry,
    ctx.options.channelRoutes,
    // WeChat first: it is the channel WeCom's customer-contact connector delivers.
    [...ctx.options.channels].sort((a, b) => Number(b === 'wechat') - Number(a === 'wechat')),
  );
  const joinWayMessage = 'The join way is not valid. / 加群方式无效。';
  const templateMessage = 'The group welcome template is not valid. / 入群欢迎语无效。';

  app.get(
    '/api/groups/join-ways',
    doc({
      summary: 'Group join ways (加入群聊): QR codes that let customers into customer groups',
      tags: ['groups'],
      access: 'viewer',
      responses: { 200: { description: 'The join ways.', schema: JoinWayList } },
    }),
    async (c) => c.json({ joinWays: await entry.listJoinWays() }),
  );

  app.post(
    '/api/groups/join-ways',
    doc({
      summary: 'Create a join way at WeCom (add_join_way) and keep it',
      tags: ['groups'],
      access: 'operator',
      body: JoinWayBody,
      responses: { 201: { description: 'Created, with its QR code.', schema: JoinWay }, ...errors },
    }),
    async (c) => {
      const parsed = await checkBody(c, JoinWayBody, joinWayMessage);
      if (!parsed.ok) return parsed.response;
      return answerWith(c, () => entry.createJoinWay(parsed.data), failure, 201);
    },
  );

  app.get(
    '/api/groups/join-ways/:id',
    doc({
      summary: 'One join way',
      tags: ['groups'],
      access: 'viewer',
      responses: { 200: { description: 'The join way.', schema: JoinWay }, 404: errors[404] },
    }),
    (c) => answerWith(c, () => entry.joinWay(c.req.param('id')), failure),
  );

  app.get(
    '/api/groups/join-ways/:id/qr-code',
    doc({
      summary:
        "A join way's QR code image, fetched from WeCom (so the builder shows it under its own origin)",
      tags: ['groups'],
      access: 'viewer',
      responses: {
        200: { description: 'The QR code.', media: 'image/png' },
        404: 'No such join way, or it has no QR code (a mini-program button).',
        502: 'WeCom did not give the image.',
      },
    }),
    async (c) => {
      const way = await ctx.options.store.groupEntry.joinWay(c.req.param('id'));
      if (!way?.qrCode)
        return apiError(
          c,
          404,
          'qr_code_not_found',
          'This join way has no QR code. / 该加群方式没有二维码。',
        );
      const image = await fetchImage(way.qrCode);
      if (!image) return apiError(c, 502, 'qr_code_unavailable', 'WeCom did not give the QR code image.');
      return c.body(image.bytes, 200, {
        'content-type': image.type,
        'cache-control': 'private, max-age=300',
      });
    },
  );

  app.put(
    '/api/groups/join-ways/:id',
    doc({
      summary: 'Edit a join way at WeCom (update_join_way)',
      tags: ['groups'],
      access: 'operator',
      body: JoinWayBody,
      responses: { 200: { description: 'Edited.', schema: JoinWay }, ...errors },
    }),
    async (c) => {
      const parsed = await checkBody(c, JoinWayBody, joinWayMessage);
      if (!parsed.ok) return parsed.response;
      return answerWith(c, () => entry.updateJoinWay(c.req.param('id'), parsed.data), failure);
    },
  );

  app.delete(
    '/api/groups/join-ways/:id',
    doc({
      summary: 'Delete a join way at WeCom (del_join_way): its QR code stops working',
      tags: ['groups'],
      access: 'operator',
      responses: { 200: { description: 'Deleted.', schema: GroupEntryRemoved }, ...errors },
    }),
    (c) =>
      answerWith(
        c,
        async () => {
          await entry.deleteJoinWay(c.req.param('id'));
          return { id: c.req.param('id'), removed: true };
        },
        failure,
      ),
  );

  app.get(
    '/api/groups/welcome-templates',
    doc({
      summary: 'Group welcome templates (入群欢迎语素材)',
      tags: ['groups'],
      access: 'viewer',
      responses: { 200: { description: 'The templates.', schema: WelcomeTemplateList } },
    }),
    async (c) => c.json({ welcomeTemplates: await entry.listWelcomeTemplates() }),
  );

  app.post(
    '/api/groups/welcome-templates',
    doc({
      summary: 'Add a group welcome template at WeCom (group_welcome_template/add)',
      tags: ['groups'],
      access: 'operator',
      body: WelcomeTemplateBody,
      responses: { 201: { description: 'Added.', schema: WelcomeTemplate }, ...errors },
    }),
    async (c) => {
      const parsed = await checkBody(c, WelcomeTemplateBody, templateMessage);
      if (!parsed.ok) return parsed.response;
      return answerWith(c, () => entry.createWelcomeTemplate(parsed.data), failure, 201);
    },
  );

  app.get(
    '/api/groups/welcome-templates/:id',
    doc({
      summary: 'One group welcome template',
      tags: ['groups'],
      access: 'viewer',
      responses: { 200: { description: 'The template.', schema: WelcomeTemplate }, 404: errors[404] },
    }),
    (c) => answerWith(c, () => entry.welcomeTemplate(c.req.param('id')), failure),
  );

  app.put(
    '/api/groups/welcome-templates/:id',
    doc({
      summary: 'Edit a group welcome template at WeCom (group_welcome_template/edit)',
      tags: ['groups'],
      access: 'operator',
      body: WelcomeTemplateEdit,
      responses: { 200: { description: 'Edited.', schema: WelcomeTemplate }, ...errors },
    }),
    async (c) => {
      const parsed = await checkBody(c, WelcomeTemplateEdit, templateMessage);
      if (!parsed.ok) return parsed.response;
      return answerWith(c, () => entry.editWelcomeTemplate(c.req.param('id'), parsed.data), failure);
    },
  );

  app.delete(
    '/api/groups/welcome-templates/:id',
    doc({
      summary: 'Delete a group welcome template at WeCom (group_welcome_template/del)',
      tags: ['groups'],
      access: 'operator',
      responses: { 200: { description: 'Deleted.', schema: GroupEntryRemoved }, ...errors },
    }),
    (c) =>
      answerWith(
        c,
        async () => {
          await entry.deleteWelcomeTemplate(c.req.param('id'));
          return { id: c.req.param('id'), removed: true };
        },
        failure,
      ),
  );
}
