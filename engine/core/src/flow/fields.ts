import { z } from 'zod';
import { parseDuration } from './duration';
import { isTimeZone } from './local-time';

/**
 * The field schemas several node types (and the flow document) share: ids, names, durations,
 * times, channels, messages. Each node type's own schema is in `nodes/<type>/definition.ts`.
 */

const idPattern = /^[A-Za-z0-9_-]{1,64}$/;

export const NodeId = z.string().regex(idPattern, {
  error: 'A node id is 1 to 64 letters, digits, "-" or "_". / 步骤ID为 1 到 64 个字母、数字、“-”或“_”。',
});
export type NodeId = z.infer<typeof NodeId>;

/** A channel a message goes out on: a built-in one or the name of a registered connector. */
export const ChannelName = z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, {
  error: 'A channel name is lower-case letters, digits or "_". / 渠道名由小写字母、数字或“_”组成。',
});

/** Where a node sits on the canvas. Ignored by the compiler. */
export const Position = z.object({ x: z.number().finite(), y: z.number().finite() });

/** An ISO-8601 duration such as PT10M, PT2H, P1D or P1W. */
export const Duration = z.string().superRefine((value, ctx) => {
  const parsed = parseDuration(value);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
});

/** Exit names the node types use themselves. */
const RESERVED_EXITS: ReadonlySet<string> = new Set([
  'next',
  'else',
  'failed',
  'event',
  'timeout',
  'done',
  'expired',
]);

/** The fields every node has. */
export const nodeBase = {
  id: NodeId,
  /** A name the operator gives the step; shown on the canvas. */
  label: z.string().max(200).optional(),
  position: Position.default({ x: 0, y: 0 }),
};

/** A field that an event's payload carries; declaring fields lets templates be checked. */
export const PayloadField = z.object({
  name: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, {
      error:
        'A payload field name is a plain identifier. / 事件数据字段名须为普通标识符（字母、数字、下划线）。',
    })
    .meta({ label: { en: 'Field', zh: '字段' } }),
  type: z
    .enum(['string', 'number', 'boolean', 'object', 'array'])
    .meta({ label: { en: 'Type', zh: '类型' } }),
  required: z
    .boolean()
    .default(false)
    .meta({ label: { en: 'Required', zh: '必填' } }),
});
export type PayloadField = z.infer<typeof PayloadField>;

export const EventName = z.string().regex(/^[A-Za-z0-9_.:-]{1,100}$/, {
  error:
    'An event name is letters, digits, ".", ":", "-" or "_", e.g. order.paid. / 事件名由字母、数字、“.”、“:”、“-”或“_”组成，例如 order.paid。',
});

/** A local time of day, 24-hour `HH:mm`. */
export const LocalTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, {
  error: 'A time of day is written HH:mm, e.g. 08:00 or 20:30. / 时间写作 HH:mm，例如 08:00 或 20:30。',
});

export const TimeZone = z.string().refine(isTimeZone, {
  error:
    'Not a time zone; use a name such as Asia/Shanghai. / 不是有效的时区，请使用 Asia/Shanghai 这样的名称。',
});

export const MessageContent = z.object({
  /** The message body; `{{contact.*}}`, `{{event.*}}` and `{{flow.*}}` are filled in per contact. */
  text: z.string().min(1, { error: 'The message is empty. / 消息内容为空。' }).max(20_000),
  /** The subject line, for channels that have one (email). */
  subject: z.string().max(500).optional(),
  /** How `text` is written; `html` bodies are rendered with every value escaped. @default text */
  format: z.enum(['text', 'markdown', 'html']).optional(),
  /** Who to @mention in a group (templates, e.g. `{{ contact.wecomUserId }}`), or `@all`. */
  mentions: z.array(z.string().min(1).max(200)).max(50).optional(),
  /** A provider-approved template (SMS, Official Account) and its parameters (templates). */
  template: z
    .object({
      id: z.string().min(1).max(200),
      params: z.record(z.string().regex(/^[A-Za-z0-9_]{1,64}$/), z.string().max(1000)).default({}),
    })
    .optional(),
  /** Link cards (WeCom news): title, description, url and picture, each a template. */
  articles: z
    .array(
      z.object({
        title: z.string().min(1).max(200),
        description: z.string().max(500).optional(),
        url: z.string().min(1).max(2000),
        picUrl: z.string().max(2000).optional(),
      }),
    )
    .max(8)
    .optional(),
  /** For group channels: which group, e.g. `{{ event.chatId }}`. */
  group: z.string().max(200).optional(),
  /**
   * A group join way (`/api/groups/join-ways`) the message invites the contact through: its QR
   * code goes with the message as a link card. Wait for `member.joined` with
   * `payload.joinWays contains "<id>"` to know they joined.
   */
  joinWay: z.string().min(1).max(200).optional(),
});
export type MessageContent = z.infer<typeof MessageContent>;

/**
 * What a template puts where the operator must pick a group join way of their own (one they may
 * not have made yet): the invitation's `message.joinWay` and the wait's `payload.joinWays`
 * condition. The compiler refuses it (`join_way_not_picked`), saying what to pick; WeCom's
 * `config_id`s are hex, so no real join way has this id.
 */
export const JOIN_WAY_TO_PICK = 'pick-a-join-way';

/** The name of an exit the operator gives (a branch condition, a split arm). */
export const HandleId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, {
    error:
      'An exit name is 1 to 64 letters, digits, "-" or "_". / 出口名称为 1 到 64 个字母、数字、“-”或“_”。',
  })
  .refine((h) => !RESERVED_EXITS.has(h), {
    error: 'That exit name is reserved; choose another. / 该出口名称为保留名称，请换一个。',
  });
