import type { InboundFact } from '../inbound';
import { weComUserIdAddress } from './addresses';
import { deliveryKeyOf, type EventFields, textOf } from './callback';

/**
 * What a member sends the self-built app (接收消息, developer.work.weixin.qq.com document 90239):
 * `MsgType` text, image, voice, video, location or link, from `FromUserName` (the member's
 * user id), with a `MsgId`. Read as a reply on `wechat` from the contact with that `wecomUserId`,
 * which becomes `message.received` (`{ channel, text, msgType, agentId, ... }`).
 *
 * Only members reach an app. What customers write to staff members, in private or group chats,
 * WeCom gives an app only through the chat-archive SDK (会话内容存档), which sopflow does not include.
 */

const MESSAGE_TYPES = new Set(['text', 'image', 'voice', 'video', 'location', 'link']);

/** Fields worth keeping per message type, WeCom's name → the payload's. */
const DETAILS: Record<string, string> = {
  MediaId: 'mediaId',
  PicUrl: 'picUrl',
  Format: 'format',
  Title: 'title',
  Description: 'description',
  Url: 'url',
  Label: 'label',
  Location_X: 'latitude',
  Location_Y: 'longitude',
};

/** The channel app messages are sent and answered on. */
const APP_CHANNEL = 'wechat';

type ReplyFact = Extract<InboundFact, { kind: 'reply' }>;

/** Reads a member's message to the app as a reply, or undefined for anything else (events). */
export function readAppMessage(fields: EventFields): ReplyFact | undefined {
  const msgType = textOf(fields, 'MsgType');
  const from = textOf(fields, 'FromUserName');
  if (!msgType || !MESSAGE_TYPES.has(msgType) || !from) return undefined;
  const details: Record<string, unknown> = { msgType };
  const agentId = textOf(fields, 'AgentID');
  if (agentId) details.agentId = agentId;
  for (const [field, key] of Object.entries(DETAILS)) {
    const value = textOf(fields, field);
    if (value) details[key] = value;
  }
  return {
    kind: 'reply',
    id: deliveryKeyOf(fields),
    channel: APP_CHANNEL,
    from: [from],
    addressKind: weComUserIdAddress.name,
    text: textOf(fields, 'Content') ?? '',
    // WeCom keeps no opt-in words of its own: what opted a member out is sopflow's record alone.
    honoursOptIn: false,
    payload: details,
  };
}
