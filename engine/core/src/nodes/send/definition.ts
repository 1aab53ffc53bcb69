import { z } from 'zod';
import { MessageContent } from '../../flow/fields';
import { type CheckContext, defineNode, form, nodeSchema } from '../define';
import { channelField, messageField } from '../form-fields';

export const SendNode = nodeSchema('send', {
  channel: channelField(),
  message: messageField(),
  /** Tried when the first channel fails for good or the contact has no address or opted out there. */
  fallback: z
    .object({
      channel: channelField(),
      message: MessageContent.optional().meta(
        form('Fallback message (empty: the same)', '备用消息（留空则相同）', { widget: 'message' }),
      ),
    })
    .optional()
    .meta(form('If it cannot be delivered, try', '无法送达时改用')),
  /**
   * Sent as the new-friend welcome (好友欢迎语) with the welcome code of the add that started the
   * flow, which WeCom takes once, within 20 s. `otherwise` is what happens when there is no code
   * (the admin console has its own welcome), it expired, or another app used it (41051): an
   * ordinary message on the channel, or the step's `failed` exit. Absent: an ordinary message.
   */
  welcome: z
    .object({
      otherwise: z
        .enum(['message', 'failed'])
        .default('message')
        .meta(
          form('When the welcome code cannot be used', '欢迎语凭证不可用时', {
            help: {
              en: 'message: send it as an ordinary message; failed: take the "failed" exit.',
              zh: 'message：改为普通消息发送；failed：走"失败"出口。',
            },
          }),
        ),
    })
    .optional()
    .meta(
      form('Send as the new-friend welcome', '作为好友欢迎语发送', {
        help: {
          en: 'Only as the first send of a flow started by "a customer adds a staff member".',
          zh: '仅用于由"客户添加员工为好友"触发的流程的第一条消息。',
        },
      }),
    ),
});
export type SendNode = z.infer<typeof SendNode>;

const GREETING = {
  en: 'Hi {{ contact.name | default: "there" }}, welcome!',
  zh: '{{ contact.name | default: "你好" }}，欢迎加入！',
};

/**
 * A welcome send needs the welcome code of the add that started the flow (an error without it),
 * and WeCom takes the code only within 20 s, as the customer's first message (a warning when a
 * send or a waiting step may come first).
 */
function welcomeProblems(context: CheckContext) {
  if (context.trigger?.kind !== 'customer_added') {
    return [
      context.error(
        'welcome_needs_add_trigger',
        'A new-friend welcome needs the welcome code of a customer adding a staff member: start the flow with the trigger "A customer adds a staff member", or turn the welcome off.',
        '好友欢迎语需要客户添加员工时的欢迎语凭证：请用"客户添加员工为好友"作为触发器，或关闭欢迎语。',
        'welcome',
      ),
    ];
  }
  const before = context.stepsBefore();
  if (before.some((step) => step.sends || step.waits)) {
    context.warn(
      'welcome_not_first_send',
      'This welcome may come after another send or a waiting step: WeCom takes a welcome code only within 20 s of the add and as the first message, so it will often fall back. Make it the first step after the trigger.',
      '这条欢迎语之前可能有其他消息或等待步骤：企业微信只在添加后 20 秒内、且作为第一条消息接受欢迎语凭证，所以常会改走备用处理。请把它放在触发器之后的第一步。',
    );
  }
  return [];
}

export const send = defineNode({
  schema: SendNode,
  words: {
    label: { en: 'Send message', zh: '发送消息' },
    hint: { en: 'WeChat, group, email or SMS', zh: '微信、微信群、邮件或短信' },
  },
  optionalExits: ['failed'],
  check: (node, context) => [
    ...(node.welcome ? welcomeProblems(context) : []),
    ...context.channel(node.channel, 'channel'),
    ...context.message(node.message, 'message'),
    ...(node.fallback
      ? [
          ...context.channel(node.fallback.channel, 'fallback.channel'),
          ...(node.fallback.message ? context.message(node.fallback.message, 'fallback.message') : []),
        ]
      : []),
  ],
  // Held through quiet hours; otherwise taken to go out at once.
  timing: { longest: (_node, quietMs) => quietMs, awake: () => 0 },
  sendsOn: (node) => node.channel,
  defaults: (locale) => ({ channel: 'wechat', message: { text: GREETING[locale] } }),
});
