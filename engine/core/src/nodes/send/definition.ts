import { z } from 'zod';
import { MessageContent } from '../../flow/fields';
import { defineNode, form, nodeSchema } from '../define';
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
});
export type SendNode = z.infer<typeof SendNode>;

const GREETING = {
  en: 'Hi {{ contact.name | default: "there" }}, welcome!',
  zh: '{{ contact.name | default: "你好" }}，欢迎加入！',
};

export const send = defineNode({
  schema: SendNode,
  words: {
    label: { en: 'Send message', zh: '发送消息' },
    hint: { en: 'WeChat, group, email or SMS', zh: '微信、微信群、邮件或短信' },
  },
  optionalExits: ['failed'],
  check: (node, context) => [
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
