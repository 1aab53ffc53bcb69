import { createHash, randomBytes } from 'node:crypto';
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
  WechatCallbackError,
} from '../shared/wechat-callback-crypto';

/**
 * The Official Account's server callback (服务器配置, 消息与事件推送): the URL check, and messages
 * and events in plain, compatible or safe mode, read as what a follower did.
 *
 * - URL check (GET `signature`, `timestamp`, `nonce`, `echostr`): the plain signature,
 *   sha1(sort(token, timestamp, nonce)); the answer is `echostr` as it came, in every mode.
 * - Plain mode (POST): the same `signature`; the body is the message's XML.
 * - Compatible and safe mode (POST with `encrypt_type=aes`): `msg_signature` =
 *   sha1(sort(token, timestamp, nonce, Encrypt)); `<Encrypt>` decrypts (AES, with the
 *   EncodingAESKey) to the message's XML, which ends with the account's AppID.
 *
 * WeChat retries a delivery three times when it is not answered within 5 s; each event is read
 * with an id that is the same for every retry (the MsgId of a message; for an event the follower
 * and the CreateTime, as WeChat advises, with the event and a digest of its fields), so it counts
 * once.
 *
 * Docs: developers.weixin.qq.com/doc/subscription/guide/dev/push/encryption,
 * .../api/... 接收普通消息, 接收事件推送 (subscribe, unsubscribe, SCAN, CLICK, VIEW).
 */

export interface OfficialAccountCallbackConfig {
  /** The Token set in the account's server configuration. */
  token: string;
  /** The EncodingAESKey: needed in compatible and safe mode. */
  encodingAESKey?: string;
  /** The account's AppID: the encrypted messages end with it. Needed with the EncodingAESKey. */
  appId?: string;
}

/** The query WeChat puts on its calls. */
export interface OfficialAccountCallbackQuery {
  signature?: string;
  timestamp?: string;
  nonce?: string;
  echostr?: string;
  /** `aes` in compatible and safe mode; absent (or `raw`) in plain mode. */
  encrypt_type?: string;
  msg_signature?: string;
  openid?: string;
}

/** What a follower did, as sopflow names it. */
export type FollowerAction =
  /** Followed the account (`subscribe`), or scanned a parameter QR code while following (`SCAN`). */
  | { name: 'oa.subscribed'; via: 'subscribe' | 'scan'; scene?: string; ticket?: string }
  | { name: 'oa.unsubscribed' }
  /** Sent the account a message: its text (empty for pictures, voice and the like) and type. */
  | { name: 'message.received'; text: string; messageType: string; msgId?: string }
  /** Clicked a menu: a `click` menu's key, or a `view` menu's URL. */
  | { name: 'menu.clicked'; kind: 'click' | 'view'; key: string };

export interface FollowerCallbackEvent {
  /** Stable across WeChat's retries of the same delivery. */
  id: string;
  openId: string;
  /** CreateTime, in ms. */
  at: number;
  action: FollowerAction;
  /**
   * Whether it opens the 48-hour customer-service window: messages, follows, scans and menu
   * clicks do; view menus, leaving, and other events do not.
   */
  interaction: boolean;
}

/**
 * What became of a template message (`TEMPLATESENDJOBFINISH`): `success`, `failed:user block` (the
 * follower refused the account's templates) or `failed: system failed`, by the send's `msgid`.
 */
export interface TemplateSendResult {
  msgId: string;
  openId: string;
  /** CreateTime, in ms. */
  at: number;
  delivered: boolean;
  /** WeChat's `Status`, as it came. */
  status: string;
}

export type OfficialAccountCallbackOutcome =
  | { kind: 'verified'; reply: string }
  /**
   * Answer `success`; `event` is undefined for an event sopflow does not read; `templateResult`
   * is set for a template send job's result.
   */
  | {
      kind: 'delivery';
      reply: 'success';
      fields: EventFields;
      event?: FollowerCallbackEvent;
      templateResult?: TemplateSendResult;
    };

/** Reads a `TEMPLATESENDJOBFINISH` event; undefined for anything else. */
export function readTemplateSendResult(fields: EventFields): TemplateSendResult | undefined {
  if (fieldText(fields, 'MsgType') !== 'event' || fieldText(fields, 'Event') !== 'TEMPLATESENDJOBFINISH')
    return undefined;
  // WeChat spells it MsgID in this event (MsgId in messages); either is taken.
  const msgId = fieldText(fields, 'MsgID') || fieldText(fields, 'MsgId');
  const createTime = Number(fieldText(fields, 'CreateTime'));
  const status = (fieldText(fields, 'Status') ?? '').trim();
  if (!msgId || !status || !Number.isFinite(createTime)) return undefined;
  return {
    msgId,
    openId: fieldText(fields, 'FromUserName') ?? '',
    at: createTime * 1000,
    delivered: status === 'success',
    status,
  };
}

/** Events of the menus that, like messages, open the customer-service window. */
const INTERACTIVE_MENU_EVENTS = new Set(['CLICK', 'scancode_push', 'scancode_waitmsg']);

function plainSignature(config: OfficialAccountCallbackConfig, query: OfficialAccountCallbackQuery): void {
  checkCallbackSignature(config.token, {
    given: query.signature,
    timestamp: query.timestamp,
    nonce: query.nonce,
    name: 'signature',
  });
}

/** The message's XML, checked and, in compatible and safe mode, decrypted. */
function openDelivery(
  config: OfficialAccountCallbackConfig,
  query: OfficialAccountCallbackQuery,
  body: string,
): EventFields {
  if (Buffer.byteLength(body, 'utf8') > MAX_CALLBACK_BODY_BYTES)
    throw new WechatCallbackError('malformed', 'The callback body is too large.');
  const outer = parseEventXml(body);
  if (query.encrypt_type !== 'aes') {
    plainSignature(config, query);
    return outer;
  }
  if (!config.encodingAESKey || !config.appId)
    throw new WechatCallbackError(
      'bad-config',
      'The Official Account sends encrypted messages (compatible or safe mode): set its EncodingAESKey and AppID.',
    );
  const encrypted = fieldText(outer, 'Encrypt');
  if (!encrypted) throw new WechatCallbackError('malformed', 'The callback body has no <Encrypt>.');
  checkCallbackSignature(
    config.token,
    { given: query.msg_signature, timestamp: query.timestamp, nonce: query.nonce, name: 'msg_signature' },
    encrypted,
  );
  return parseEventXml(decryptMessage(config.encodingAESKey, unplus(encrypted), config.appId));
}

/**
 * A digest of every field: WeChat's retries repeat them all, while two events of one follower in
 * the same second (leaving and following again by a poster's code) differ in some.
 */
function digestOf(fields: EventFields): string {
  const canonical = JSON.stringify(
    Object.keys(fields)
      .sort()
      .map((name) => [name, fields[name]]),
  );
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** Reads a message or event as what the follower did; undefined for anything else. */
export function readFollowerEvent(fields: EventFields): FollowerCallbackEvent | undefined {
  const openId = fieldText(fields, 'FromUserName');
  const createTime = Number(fieldText(fields, 'CreateTime'));
  const msgType = fieldText(fields, 'MsgType');
  if (!openId || !Number.isFinite(createTime) || !msgType) return undefined;
  const at = createTime * 1000;
  if (msgType !== 'event') {
    const msgId = fieldText(fields, 'MsgId') || undefined;
    return {
      id: msgId ? `oa:msg:${msgId}` : `oa:msg:${openId}:${createTime}`,
      openId,
      at,
      action: {
        name: 'message.received',
        text: msgType === 'text' ? (fieldText(fields, 'Content') ?? '') : '',
        messageType: msgType,
        ...(msgId ? { msgId } : {}),
      },
      interaction: true,
    };
  }
  const event = fieldText(fields, 'Event') ?? '';
  const key = fieldText(fields, 'EventKey') ?? '';
  const ticket = fieldText(fields, 'Ticket') || undefined;
  const base = { id: `oa:evt:${openId}:${createTime}:${event}:${digestOf(fields)}`, openId, at };
  switch (event) {
    case 'subscribe': {
      // A follow through a parameter QR code carries its scene as `qrscene_<scene>`.
      const scene = key.startsWith('qrscene_') ? key.slice('qrscene_'.length) : undefined;
      return {
        ...base,
        action: {
          name: 'oa.subscribed',
          via: 'subscribe',
          ...(scene ? { scene } : {}),
          ...(ticket ? { ticket } : {}),
        },
        interaction: true,
      };
    }
    case 'SCAN':
      return {
        ...base,
        action: { name: 'oa.subscribed', via: 'scan', scene: key, ...(ticket ? { ticket } : {}) },
        interaction: true,
      };
    case 'unsubscribe':
      return { ...base, action: { name: 'oa.unsubscribed' }, interaction: false };
    case 'CLICK':
    case 'VIEW':
      return {
        ...base,
        action: { name: 'menu.clicked', kind: event === 'CLICK' ? 'click' : 'view', key },
        interaction: INTERACTIVE_MENU_EVENTS.has(event),
      };
    default:
      return undefined;
  }
}

/**
 * One callback request, given its method, query and raw body. Throws WechatCallbackError for a
 * request to refuse.
 */
export function handleOfficialAccountCallback(
  config: OfficialAccountCallbackConfig,
  request: { method: string; query: OfficialAccountCallbackQuery; body?: string },
): OfficialAccountCallbackOutcome {
  const method = request.method.toUpperCase();
  if (method === 'GET') {
    if (!request.query.echostr) throw new WechatCallbackError('malformed', 'echostr is required.');
    plainSignature(config, request.query);
    return { kind: 'verified', reply: request.query.echostr };
  }
  if (method !== 'POST') throw new WechatCallbackError('malformed', 'Only GET and POST.');
  const fields = openDelivery(config, request.query, request.body ?? '');
  const event = readFollowerEvent(fields);
  const templateResult = readTemplateSendResult(fields);
  return {
    kind: 'delivery',
    reply: 'success',
    fields,
    ...(event ? { event } : {}),
    ...(templateResult ? { templateResult } : {}),
  };
}

/** How WeChat delivers: plain XML, both plain and encrypted (compatible), or encrypted only (safe). */
export type CallbackMode = 'plain' | 'compatible' | 'safe';

/**
 * A delivery as WeChat makes it (the fake's side, and tests): the query and the body for the
 * message's XML.
 */
export function signCallback(
  config: OfficialAccountCallbackConfig,
  xml: string,
  mode: CallbackMode,
  options: { timestamp?: string; nonce?: string; openId?: string } = {},
): { query: Record<string, string>; body: string } {
  const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = options.nonce ?? String(randomBytes(4).readUInt32BE(0));
  const query: Record<string, string> = {
    signature: callbackSignature(config.token, timestamp, nonce),
    timestamp,
    nonce,
    ...(options.openId ? { openid: options.openId } : {}),
  };
  if (mode === 'plain') return { query, body: xml };
  if (!config.encodingAESKey || !config.appId)
    throw new Error('Compatible and safe mode need the EncodingAESKey and the AppID.');
  const encrypted = encryptMessage(config.encodingAESKey, xml, config.appId);
  const toUser = fieldText(parseEventXml(xml), 'ToUserName') ?? '';
  const body =
    mode === 'safe'
      ? `<xml><ToUserName><![CDATA[${toUser}]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`
      : xml.replace(/<\/xml>\s*$/, `<Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`);
  return {
    query: {
      ...query,
      encrypt_type: 'aes',
      msg_signature: callbackSignature(config.token, timestamp, nonce, encrypted),
    },
    body,
  };
}
