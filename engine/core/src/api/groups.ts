import { z } from 'zod';

/**
 * Group entry (拉群, 入群欢迎): join ways that let a customer into customer groups by QR code or
 * mini-program button (WeCom's 「加入群聊」), and group welcome templates (入群欢迎语素材). Each
 * message says what is wrong in English and Chinese; the limits are WeCom's.
 */

const bytes = (text: string) => new TextEncoder().encode(text).length;
const chars = (text: string) => [...text].length;

const GroupId = z
  .string()
  .min(1, { error: 'A group id is empty. / 群 ID 为空。' })
  .max(200, { error: 'A group id is at most 200 characters. / 群 ID 最长 200 个字符。' });

/** `POST /api/groups/join-ways` and `PUT /api/groups/join-ways/{id}`: a join way as the operator writes it. */
export const JoinWayBody = z
  .object({
    /** `qr-code` (WeCom scene 2) or `mini-program` (scene 1: a button in a mini-program, no QR code). */
    scene: z
      .enum(['qr-code', 'mini-program'], {
        error:
          'The scene is "qr-code" or "mini-program". / 场景为 "qr-code"（二维码）或 "mini-program"（小程序）。',
      })
      .default('qr-code'),
    /** What it is for, as operators see it; WeCom keeps 30 characters. */
    remark: z
      .string()
      .refine((r) => chars(r) <= 30, { error: 'The remark is at most 30 characters. / 备注最多 30 个字符。' })
      .optional(),
    /** The customer groups (WeCom chat ids) it lets customers into: 1 to 5. */
    chatIds: z
      .array(GroupId)
      .min(1, { error: 'Name at least one group. / 至少选择一个群。' })
      .max(5, { error: 'A join way lets into at most 5 groups. / 一个加群方式最多 5 个群。' })
      .refine((ids) => new Set(ids).size === ids.length, {
        error: 'A group is named twice. / 有群重复。',
      }),
    /** Open a new group when they are full (WeCom's default). */
    autoCreateRoom: z.boolean().default(true),
    /** The name of a group opened when full, before its number; at most 40 characters. */
    roomBaseName: z
      .string()
      .min(1, { error: 'The group name prefix is empty. / 群名前缀为空。' })
      .refine((n) => chars(n) <= 40, {
        error: 'The group name prefix is at most 40 characters. / 群名前缀最多 40 个字符。',
      })
      .optional(),
    /** The number of the first group opened when full. */
    roomBaseId: z
      .number()
      .int({ error: 'The first group number is a whole number. / 起始序号须为整数。' })
      .min(0, { error: 'The first group number is at least 0. / 起始序号至少为 0。' })
      .max(2_147_483_647, { error: 'The first group number is too large. / 起始序号过大。' })
      .optional(),
    /**
     * Told back with each member who joined through it (a read of the group). Unique among join
     * ways; sopflow makes one when left out. At most 30 characters.
     */
    state: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]+$/, {
        error: 'The state is letters, digits and _ . : - only. / state 只能包含字母、数字和 _ . : -。',
      })
      .max(30, { error: 'The state is at most 30 characters. / state 最多 30 个字符。' })
      .optional(),
  })
  .strict();
export type JoinWayBody = z.input<typeof JoinWayBody>;

/** A join way as sopflow keeps it. */
export const JoinWay = z.object({
  /** sopflow's id of the join way (WeCom's `config_id`). */
  id: z.string(),
  scene: z.enum(['qr-code', 'mini-program']),
  remark: z.string().optional(),
  chatIds: z.array(z.string()),
  autoCreateRoom: z.boolean(),
  roomBaseName: z.string().optional(),
  roomBaseId: z.number().int().optional(),
  state: z.string(),
  /** The QR code's image URL (scene `qr-code`): a send step with this join way carries it. */
  qrCode: z.string().optional(),
  /** The channel whose connector created it. */
  channel: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type JoinWay = z.infer<typeof JoinWay>;

/** `GET /api/groups/join-ways`. */
export const JoinWayList = z.object({ joinWays: z.array(JoinWay) });
export type JoinWayList = z.infer<typeof JoinWayList>;

/** `DELETE /api/groups/join-ways/{id}` and `DELETE /api/groups/welcome-templates/{id}`. */
export const GroupEntryRemoved = z.object({ id: z.string(), removed: z.literal(true) });
export type GroupEntryRemoved = z.infer<typeof GroupEntryRemoved>;

const MediaId = z
  .string()
  .min(1, { error: 'The media id is empty. / media_id 为空。' })
  .max(500, { error: 'The media id is at most 500 characters. / media_id 最长 500 个字符。' });
const Url = z.url({ error: 'Not a URL. / 不是有效的链接。' });

/** The one attachment a group welcome template carries besides its text. */
export const WelcomeAttachment = z.discriminatedUnion(
  'type',
  [
    z
      .object({ type: z.literal('image'), mediaId: MediaId.optional(), picUrl: Url.optional() })
      .strict()
      .refine((a) => a.mediaId !== undefined || a.picUrl !== undefined, {
        error: 'An image needs a media id or a picture URL. / 图片需要 media_id 或图片链接。',
        path: ['mediaId'],
      }),
    z
      .object({
        type: z.literal('link'),
        title: z
          .string()
          .min(1, { error: 'The link title is empty. / 链接标题为空。' })
          .refine((t) => bytes(t) <= 128, {
            error: 'The link title is at most 128 bytes. / 链接标题最多 128 字节。',
          }),
        url: Url,
        picUrl: Url.optional(),
        desc: z
          .string()
          .refine((d) => bytes(d) <= 512, {
            error: 'The link description is at most 512 bytes. / 链接描述最多 512 字节。',
          })
          .optional(),
      })
      .strict(),
    z
      .object({
        type: z.literal('miniprogram'),
        title: z
          .string()
          .min(1, { error: 'The mini-program title is empty. / 小程序标题为空。' })
          .refine((t) => bytes(t) <= 64, {
            error: 'The mini-program title is at most 64 bytes. / 小程序标题最多 64 字节。',
          }),
        picMediaId: MediaId,
        appId: z
          .string()
          .min(1, { error: 'The mini-program appid is empty. / 小程序 appid 为空。' })
          .max(100),
        page: z.string().min(1, { error: 'The mini-program page is empty. / 小程序页面路径为空。' }).max(500),
      })
      .strict(),
    z.object({ type: z.literal('file'), mediaId: MediaId }).strict(),
    z.object({ type: z.literal('video'), mediaId: MediaId }).strict(),
  ],
  {
    error:
      'The attachment type is image, link, miniprogram, file or video. / 附件类型为 image、link、miniprogram、file 或 video。',
  },
);
export type WelcomeAttachment = z.infer<typeof WelcomeAttachment>;

const WelcomeContent = {
  /** What sopflow lists it as. */
  name: z
    .string()
    .min(1, { error: 'The name is empty. / 名称为空。' })
    .max(100, { error: 'The name is at most 100 characters. / 名称最多 100 个字符。' }),
  /** `%NICKNAME%` becomes the customer's nickname. At most 3000 bytes. */
  text: z
    .string()
    .min(1, { error: 'The text is empty. / 文本为空。' })
    .refine((t) => bytes(t) <= 3000, { error: 'The text is at most 3000 bytes. / 文本最多 3000 字节。' })
    .optional(),
  attachment: WelcomeAttachment.optional(),
};
const needsContent = {
  error: 'Give a text or an attachment. / 请填写文本或添加附件。',
  path: ['text'],
};

/** `POST /api/groups/welcome-templates`. */
export const WelcomeTemplateBody = z
  .object({
    ...WelcomeContent,
    /** WeCom asks the staff to apply it to their groups (WeCom's default: yes). */
    notify: z.boolean().default(true),
  })
  .strict()
  .refine((t) => t.text !== undefined || t.attachment !== undefined, needsContent);
export type WelcomeTemplateBody = z.input<typeof WelcomeTemplateBody>;

/** `PUT /api/groups/welcome-templates/{id}`: WeCom tells staff only when a template is added. */
export const WelcomeTemplateEdit = z
  .object(WelcomeContent)
  .strict()
  .refine((t) => t.text !== undefined || t.attachment !== undefined, needsContent);
export type WelcomeTemplateEdit = z.input<typeof WelcomeTemplateEdit>;

export const WelcomeTemplate = z.object({
  /** WeCom's `template_id`. */
  id: z.string(),
  name: z.string(),
  text: z.string().optional(),
  attachment: WelcomeAttachment.optional(),
  channel: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type WelcomeTemplate = z.infer<typeof WelcomeTemplate>;

/** `GET /api/groups/welcome-templates`. */
export const WelcomeTemplateList = z.object({ welcomeTemplates: z.array(WelcomeTemplate) });
export type WelcomeTemplateList = z.infer<typeof WelcomeTemplateList>;
