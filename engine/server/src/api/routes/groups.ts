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
import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import { GroupEntry, GroupEntryError } from '../../services/group-entry';
import { fetchProviderImage } from '../../services/provider-image';
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

/** One kind of thing kept at WeCom and here: listed, read, created, edited and deleted alike. */
interface KeptAtWeCom<Body extends z.ZodType, Edit extends z.ZodType> {
  /** Under `/api/groups/`, e.g. `join-ways`. */
  path: string;
  /** What it is called in the reference, e.g. `join way`. */
  noun: string;
  /** The key of the list answer, e.g. `joinWays`. */
  listKey: string;
  schemas: { item: z.ZodType; list: z.ZodType; body: Body; edit: Edit };
  /** WeCom's APIs, for the reference: add, edit and delete. */
  wecom: { add: string; edit: string; del: string };
  invalid: string;
  list(): Promise<unknown[]>;
  get(id: string): Promise<unknown>;
  create(body: z.output<Body>): Promise<unknown>;
  update(id: string, body: z.output<Edit>): Promise<unknown>;
  remove(id: string): Promise<void>;
}

function registerKept<Body extends z.ZodType, Edit extends z.ZodType>(
  app: Hono,
  kept: KeptAtWeCom<Body, Edit>,
) {
  const path = `/api/groups/${kept.path}`;
  const { item, list, body, edit } = kept.schemas;
  const read = { tags: ['groups'], access: 'viewer' as const };
  const write = { tags: ['groups'], access: 'operator' as const };
  const id = (c: Context) => c.req.param('id') ?? '';

  app.get(
    path,
    doc({
      ...read,
      summary: `Every ${kept.noun}`,
      responses: { 200: { description: 'Listed.', schema: list } },
    }),
    async (c) => c.json({ [kept.listKey]: await kept.list() }),
  );
  app.post(
    path,
    doc({
      ...write,
      summary: `Create a ${kept.noun} at WeCom (${kept.wecom.add}) and keep it`,
      body,
      responses: { 201: { description: 'Created.', schema: item }, ...errors },
    }),
    async (c) => {
      const parsed = await checkBody(c, body, kept.invalid);
      if (!parsed.ok) return parsed.response;
      return answerWith(c, () => kept.create(parsed.data), failure, 201);
    },
  );
  app.get(
    `${path}/:id`,
    doc({
      ...read,
      summary: `One ${kept.noun}`,
      responses: { 200: { description: 'Found.', schema: item }, 404: errors[404] },
    }),
    (c) => answerWith(c, () => kept.get(id(c)), failure),
  );
  app.put(
    `${path}/:id`,
    doc({
      ...write,
      summary: `Edit a ${kept.noun} at WeCom (${kept.wecom.edit})`,
      body: edit,
      responses: { 200: { description: 'Edited.', schema: item }, ...errors },
    }),
    async (c) => {
      const parsed = await checkBody(c, edit, kept.invalid);
      if (!parsed.ok) return parsed.response;
      return answerWith(c, () => kept.update(id(c), parsed.data), failure);
    },
  );
  app.delete(
    `${path}/:id`,
    doc({
      ...write,
      summary: `Delete a ${kept.noun} at WeCom (${kept.wecom.del}) and here`,
      responses: { 200: { description: 'Deleted.', schema: GroupEntryRemoved }, ...errors },
    }),
    (c) =>
      answerWith(
        c,
        async () => {
          await kept.remove(id(c));
          return { id: id(c), removed: true };
        },
        failure,
      ),
  );
}

/** Group entry (拉群, 入群欢迎): join ways and group welcome templates, kept at WeCom and here. */
export function registerGroupRoutes(app: Hono, ctx: ApiContext): void {
  const entry = new GroupEntry(
    ctx.options.store.groupEntry,
    ctx.options.channelRoutes,
    // WeChat first: it is the channel WeCom's customer-contact connector delivers.
    [...ctx.options.channels].sort((a, b) => Number(b === 'wechat') - Number(a === 'wechat')),
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
      const image = await fetchProviderImage(way.qrCode, { maxBytes: MAX_IMAGE_BYTES });
      if (!image.ok) return apiError(c, 502, 'qr_code_unavailable', 'WeCom did not give the QR code image.');
      return c.body(image.bytes, 200, {
        'content-type': image.type,
        'cache-control': 'private, max-age=300',
      });
    },
  );

  registerKept(app, {
    path: 'join-ways',
    noun: 'group join way (加入群聊: a QR code into up to 5 customer groups)',
    listKey: 'joinWays',
    schemas: { item: JoinWay, list: JoinWayList, body: JoinWayBody, edit: JoinWayBody },
    wecom: { add: 'add_join_way', edit: 'update_join_way', del: 'del_join_way' },
    invalid: 'The join way is not valid. / 加群方式无效。',
    list: () => entry.listJoinWays(),
    get: (id) => entry.joinWay(id),
    create: (body) => entry.createJoinWay(body),
    update: (id, body) => entry.updateJoinWay(id, body),
    remove: (id) => entry.deleteJoinWay(id),
  });

  registerKept(app, {
    path: 'welcome-templates',
    noun: 'group welcome template (入群欢迎语素材)',
    listKey: 'welcomeTemplates',
    schemas: {
      item: WelcomeTemplate,
      list: WelcomeTemplateList,
      body: WelcomeTemplateBody,
      edit: WelcomeTemplateEdit,
    },
    wecom: {
      add: 'group_welcome_template/add',
      edit: 'group_welcome_template/edit',
      del: 'group_welcome_template/del',
    },
    invalid: 'The group welcome template is not valid. / 入群欢迎语无效。',
    list: () => entry.listWelcomeTemplates(),
    get: (id) => entry.welcomeTemplate(id),
    create: (body) => entry.createWelcomeTemplate(body),
    update: (id, body) => entry.editWelcomeTemplate(id, body),
    remove: (id) => entry.deleteWelcomeTemplate(id),
  });
}
