import { createHash, randomBytes } from 'node:crypto';
import type { GroupMemberEvent, JoinMethod } from '../inbound';
import {
  callbackSignature,
  checkCallbackSignature,
  decryptMessage,
  type EventFields,
  encryptMessage,
  fieldText,
  MAX_CALLBACK_BODY_BYTES,
  parseEventXml,
  unplus,
  WechatCallbackError as WeComCallbackError,
} from '../shared/wechat-callback-crypto';
import type { CallbackConfig } from './config';

/**
 * WeCom's inbound callbacks (接收事件服务器): the URL check, encrypted event deliveries, and the
 * customer-group change event read as sopflow `member.joined` / `member.left` events. The crypto,
 * shared with the Official Account, is `shared/wechat-callback-crypto.ts` (receiveid = the corp id).
 */

export type { CallbackErrorCode, EventFields } from '../shared/wechat-callback-crypto';
export {
  aesKeyOf,
  callbackSignature,
  checkFreshness,
  DEFAULT_CALLBACK_MAX_AGE_SECONDS,
  decryptMessage,
  encryptMessage,
  parseEventXml,
  WechatCallbackError as WeComCallbackError,
} from '../shared/wechat-callback-crypto';

function checkSignature(token: string, query: CallbackQuery, encrypted: string): void {
  checkCallbackSignature(
    token,
    { given: query.msg_signature, timestamp: query.timestamp, nonce: query.nonce, name: 'msg_signature' },
    encrypted,
  );
}

/** The query of a callback request, as the web framework decoded it. */
export interface CallbackQuery {
  msg_signature?: string;
  timestamp?: string;
  nonce?: string;
  echostr?: string;
}

/** The URL check (GET): verifies the signature and returns the plaintext to answer, as is. */
export function verifyCallbackUrl(config: CallbackConfig, query: CallbackQuery): string {
  if (!query.echostr) throw new WeComCallbackError('malformed', 'echostr is required.');
  const echostr = unplus(query.echostr);
  checkSignature(config.token, query, echostr);
  return decryptMessage(config.encodingAESKey, echostr, config.receiveId);
}

/** A text field of an event, or undefined when absent or a list. */
export const textOf = fieldText;

/** An event delivery (POST): verifies the signature, decrypts, and reads the event's fields. */
export function openCallbackEvent(
  config: CallbackConfig,
  query: CallbackQuery,
  rawBody: string | Buffer,
): { xml: string; fields: EventFields } {
  const body = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8');
  if (Buffer.byteLength(body, 'utf8') > MAX_CALLBACK_BODY_BYTES) {
    throw new WeComCallbackError('malformed', 'The callback body is too large.');
  }
  const encrypted = textOf(parseEventXml(body), 'Encrypt');
  if (!encrypted) throw new WeComCallbackError('malformed', 'The callback body has no <Encrypt>.');
  checkSignature(config.token, query, encrypted);
  const xml = decryptMessage(config.encodingAESKey, encrypted, config.receiveId);
  return { xml, fields: parseEventXml(xml) };
}

const hash = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 40);

/**
 * A key that is the same for every retry of one delivery (WeCom tries up to 3 times): the MsgId of
 * messages, else a hash of all the event's fields (`FromUserName` + `CreateTime` alone, the documented
 * advice, would merge two group events of the same second).
 */
export function deliveryKeyOf(fields: EventFields): string {
  const msgId = textOf(fields, 'MsgId');
  if (msgId) return `wecom:msg:${msgId}`;
  const canonical = JSON.stringify(
    Object.keys(fields)
      .sort()
      .map((name) => [name, fields[name]]),
  );
  return `wecom:evt:${hash(canonical)}`;
}

export interface GroupMemberChange {
  deliveryKey: string;
  chatId: string;
  change: 'add_member' | 'del_member';
  /** Member ids from `MemChangeList`; empty when WeCom did not send the list. */
  memberIds: string[];
  memChangeCnt?: number;
  lastMemberVersion?: string;
  memberVersion?: string;
  /** One per member id. */
  events: GroupMemberEvent[];
  /** Who changed is unknown (no `MemChangeList`): call `reconcileGroup` for this chat. */
  needsReconcile: boolean;
}

export const eventIdFor = (base: string, memberId: string) => {
  const id = `${base}:${memberId}`;
  return id.length <= 200 ? id : `${base}:${hash(memberId)}`;
};

/** A number field's value; undefined when absent or not a number. */
export const numberOf = (value: string | undefined) =>
  value !== undefined && value !== '' && Number.isFinite(Number(value)) ? Number(value) : undefined;

export function joinMethodOfEvent(scene: number | undefined): JoinMethod {
  return scene === 0 ? 'invite' : scene === 3 ? 'qr-code' : 'unknown';
}

/**
 * Reads `change_external_chat` / `update` / `add_member` or `del_member` as member events; any other
 * event gives undefined.
 */
export function readGroupMemberChange(
  fields: EventFields,
  contactIdOf?: (memberId: string) => string | undefined,
): GroupMemberChange | undefined {
  if (textOf(fields, 'Event') !== 'change_external_chat' || textOf(fields, 'ChangeType') !== 'update')
    return undefined;
  const change = textOf(fields, 'UpdateDetail');
  const chatId = textOf(fields, 'ChatId');
  if ((change !== 'add_member' && change !== 'del_member') || !chatId) return undefined;
  const list = fields.MemChangeList;
  // Seen as <Item> elements (current) and as one comma-separated value.
  const memberIds = (Array.isArray(list) ? list : (list ?? '').split(','))
    .map((id) => id.trim())
    .filter(Boolean);
  const deliveryKey = deliveryKeyOf(fields);
  const joinScene = numberOf(textOf(fields, 'JoinScene'));
  const quitScene = numberOf(textOf(fields, 'QuitScene'));
  const createTime = numberOf(textOf(fields, 'CreateTime'));
  const memberVersion = textOf(fields, 'CurMemVer') || undefined;
  const events = memberIds.map((memberId): GroupMemberEvent => {
    const contactId = contactIdOf?.(memberId);
    return {
      id: eventIdFor(deliveryKey, memberId),
      name: change === 'add_member' ? 'member.joined' : 'member.left',
      ...(contactId ? { contactId } : {}),
      memberId,
      payload: {
        chatId,
        memberId,
        source: 'callback',
        ...(change === 'add_member'
          ? { joinScene, joinMethod: joinMethodOfEvent(joinScene) }
          : { quitScene, quitMethod: quitScene === 0 ? 'left' : quitScene === 1 ? 'removed' : 'unknown' }),
        ...(memberVersion ? { memberVersion } : {}),
        ...(createTime ? { at: createTime * 1000 } : {}),
      },
    };
  });
  return {
    deliveryKey,
    chatId,
    change,
    memberIds,
    memChangeCnt: numberOf(textOf(fields, 'MemChangeCnt')),
    lastMemberVersion: textOf(fields, 'LastMemVer') || undefined,
    memberVersion,
    events,
    needsReconcile: memberIds.length === 0,
  };
}

export type CallbackOutcome =
  /** GET: answer 200 with `reply` as the whole body (no quotes, BOM or newline). */
  | { kind: 'verified'; reply: string }
  /** POST: answer 200 with an empty body, then process (dedup by `deliveryKey`). */
  | { kind: 'event'; reply: ''; deliveryKey: string; fields: EventFields; memberChange?: GroupMemberChange };

/**
 * One callback request, given the raw query and the raw body. Throws WeComCallbackError for a
 * request to refuse.
 */
export function handleWeComCallback(
  config: CallbackConfig,
  request: { method: string; query: CallbackQuery; body?: string | Buffer },
  contactIdOf?: (memberId: string) => string | undefined,
): CallbackOutcome {
  if (request.method.toUpperCase() === 'GET')
    return { kind: 'verified', reply: verifyCallbackUrl(config, request.query) };
  if (request.method.toUpperCase() !== 'POST')
    throw new WeComCallbackError('malformed', 'Only GET and POST.');
  const { fields } = openCallbackEvent(config, request.query, request.body ?? '');
  const memberChange = readGroupMemberChange(fields, contactIdOf);
  return {
    kind: 'event',
    reply: '',
    deliveryKey: memberChange?.deliveryKey ?? deliveryKeyOf(fields),
    fields,
    ...(memberChange ? { memberChange } : {}),
  };
}

/** Makes a delivery as WeCom would send it: the query and the XML body (tests, the fake side). */
export function encryptForTest(
  config: CallbackConfig,
  message: string,
  options: {
    timestamp?: string;
    nonce?: string;
    random?: Buffer;
    receiveId?: string;
    toUserName?: string;
  } = {},
): { query: Required<Omit<CallbackQuery, 'echostr'>>; body: string; encrypted: string } {
  const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = options.nonce ?? String(randomBytes(4).readUInt32BE(0));
  const encrypted = encryptMessage(
    config.encodingAESKey,
    message,
    options.receiveId ?? config.receiveId,
    options.random,
  );
  const toUser = options.toUserName ?? config.receiveId;
  return {
    query: { msg_signature: callbackSignature(config.token, timestamp, nonce, encrypted), timestamp, nonce },
    body: `<xml><ToUserName><![CDATA[${toUser}]]></ToUserName><AgentID><![CDATA[1000002]]></AgentID><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`,
    encrypted,
  };
}

/** Makes the URL-check query WeCom sends when the callback URL is saved (tests). */
export function echoForTest(
  config: CallbackConfig,
  plaintext: string,
  options: { timestamp?: string; nonce?: string; random?: Buffer } = {},
): Required<CallbackQuery> {
  const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = options.nonce ?? String(randomBytes(4).readUInt32BE(0));
  const echostr = encryptMessage(config.encodingAESKey, plaintext, config.receiveId, options.random);
  return {
    msg_signature: callbackSignature(config.token, timestamp, nonce, echostr),
    timestamp,
    nonce,
    echostr,
  };
}
