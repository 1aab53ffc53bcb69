import { z } from 'zod';

/**
 * Channel codes (渠道活码): "contact me" QR codes, one per acquisition channel. A customer who
 * scans one adds one of its staff; the provider hands the code's `state` back with that add
 * (`wecom.customer_added`), so flows can branch on it and stats count adds, enrollments and
 * conversions per code. Each field carries its zh/en label, from which the builder draws its form.
 */

/** Where a code is put up: the acquisition channel it counts for. */
export const AcquisitionChannel = z.enum([
  'poster',
  'live_stream',
  'store',
  'staff',
  'event',
  'online',
  'other',
]);
export type AcquisitionChannel = z.infer<typeof AcquisitionChannel>;

/** The words of each acquisition channel, as the builder shows them. */
export const ACQUISITION_CHANNEL_WORDS: Readonly<Record<AcquisitionChannel, { en: string; zh: string }>> = {
  poster: { en: 'Poster', zh: '海报' },
  live_stream: { en: 'Live stream', zh: '直播' },
  store: { en: 'Store', zh: '门店' },
  staff: { en: 'Staff referral', zh: '员工推广' },
  event: { en: 'Event', zh: '线下活动' },
  online: { en: 'Online ad', zh: '线上广告' },
  other: { en: 'Other', zh: '其他' },
};

/** At most this many staff on one code (WeCom's limit). */
export const CHANNEL_CODE_STAFF_MAX = 100;
/** A state is at most this long (WeCom keeps 30 characters). */
export const CHANNEL_CODE_STATE_MAX = 30;

const label = (en: string, zh: string, help?: { en: string; zh: string }) => ({
  label: { en, zh },
  ...(help ? { help } : {}),
});

/** A staff member's user id as the provider knows it (WeCom's UserID). */
const StaffId = z
  .string()
  .trim()
  .min(1, { error: 'A staff user id cannot be empty. / 员工账号不能为空。' })
  .max(64, { error: 'A staff user id is at most 64 characters. / 员工账号最多 64 个字符。' });

/** `POST /api/channel-codes` and `PUT /api/channel-codes/{id}`: what the operator gives. */
export const ChannelCodeBody = z
  .object({
    name: z
      .string({ error: 'Give the code a name. / 请填写活码名称。' })
      .trim()
      .min(1, { error: 'Give the code a name. / 请填写活码名称。' })
      .max(64, { error: 'A name is at most 64 characters. / 名称最多 64 个字符。' })
      .meta(label('Name', '名称')),
    channel: AcquisitionChannel.meta(
      label('Acquisition channel', '获客渠道', {
        en: 'Where the code is put up; stats are counted per code.',
        zh: '活码投放在哪里；统计按活码计数。',
      }),
    ),
    staff: z
      .array(StaffId, { error: 'List the staff user ids the code adds. / 请列出扫码添加的员工账号。' })
      .min(1, { error: 'Name at least one staff member. / 至少填写一名员工。' })
      .max(CHANNEL_CODE_STAFF_MAX, {
        error: `At most ${CHANNEL_CODE_STAFF_MAX} staff on one code. / 一个活码最多 ${CHANNEL_CODE_STAFF_MAX} 名员工。`,
      })
      .refine((ids) => new Set(ids).size === ids.length, {
        error: 'A staff member is listed twice. / 员工账号重复。',
      })
      .meta(
        label('Staff', '接待员工', {
          en: 'WeCom user ids of the staff a customer adds by scanning (several take turns).',
          zh: '客户扫码后添加的员工企业微信账号（多名员工轮流接待）。',
        }),
      ),
    skipVerify: z
      .boolean({ error: 'skipVerify is true or false. / skipVerify 只能是 true 或 false。' })
      .default(true)
      .meta(
        label('Add without confirmation', '无需员工确认即添加', {
          en: 'Off: each add waits for the staff member to accept it.',
          zh: '关闭时，每次添加需要员工通过验证。',
        }),
      ),
  })
  .strict();
export type ChannelCodeBody = z.input<typeof ChannelCodeBody>;

/** What came through a code: add events, runs they started, and those runs that reached their goal. */
export const ChannelCodeCounts = z.object({
  adds: z.number().int(),
  enrollments: z.number().int(),
  conversions: z.number().int(),
});
export type ChannelCodeCounts = z.infer<typeof ChannelCodeCounts>;

/** A channel code as the API answers it. */
export const ChannelCode = z.object({
  id: z.string(),
  name: z.string(),
  channel: AcquisitionChannel,
  /** What the provider hands back with each add through it (`payload.state`, contact attribute `channelCode`). */
  state: z.string(),
  staff: z.array(z.string()),
  skipVerify: z.boolean(),
  /** The connector whose provider holds the code. */
  connector: z.string(),
  /** The provider's URL of the QR code image. */
  qrCode: z.string(),
  /** The same image through this API (same origin, for the builder and downloads). */
  qrImageUrl: z.string(),
  counts: ChannelCodeCounts,
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ChannelCode = z.infer<typeof ChannelCode>;

/** `GET /api/channel-codes`: every code, newest first, with its counts. */
export const ChannelCodeList = z.object({ channelCodes: z.array(ChannelCode) });
export type ChannelCodeList = z.infer<typeof ChannelCodeList>;

/** `DELETE /api/channel-codes/{id}`. */
export const ChannelCodeRemoved = z.object({ id: z.string(), removed: z.literal(true) });
export type ChannelCodeRemoved = z.infer<typeof ChannelCodeRemoved>;

/**
 * The body's JSON Schema as written (input: `skipVerify` may be left out), with each field's
 * zh/en label and help: what the builder draws the channel-code form from.
 */
export function channelCodeBodyJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ChannelCodeBody, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}
