import { Condition } from '../flow/conditions';
import { ChannelName, MessageContent } from '../flow/fields';
import { form } from './define';

/** Fields, and form hints of fields, that several node types have. */

/** The channel a message goes out on, picked from the installation's channels. */
export const channelField = () => ChannelName.meta(form('Channel', '渠道', { widget: 'channel' }));

/** A message written in the message editor. */
export const messageField = () => MessageContent.meta(form('Message', '消息内容', { widget: 'message' }));

/** An optional condition, drawn by the condition builder. */
export const conditionField = (en: string, zh: string) =>
  Condition.optional().meta(form(en, zh, { widget: 'condition' }));

/** The name of the event a step starts on or waits for. */
export const EVENT_NAME_FORM = form('Event name', '事件名', {
  help: { en: 'e.g. member.joined, order.paid', zh: '例如 member.joined、order.paid' },
});

/** How long a step waits before it gives up (on an answer, on an event). */
export const GIVE_UP_AFTER_FORM = form('Give up after', '最多等待', { widget: 'duration' });
