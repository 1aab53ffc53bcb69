import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import type { GroupMemberEvent, JoinMethod } from '../inbound';
import type { CallbackConfig } from './config';

/**
 * WeCom's inbound callbacks (接收事件服务器): the URL check, encrypted event deliveries, and the
 * customer-group change event read as sopflow `member.joined` / `member.left` events.
 *
 * Crypto (developer.work.weixin.qq.com/document/path/91144):
 * - key = Base64_Decode(EncodingAESKey + "="), 32 bytes; AES-256-CBC, IV = the key's first 16 bytes;
 * - PKCS#7 padding to a multiple of 32 bytes (pad byte 1..32);
 * - plaintext = random(16) ‖ msg_len (4 bytes, big-endian) ‖ msg ‖ receiveid;
 * - msg_signature = hex(sha1(sort([token, timestamp, nonce, encrypted]).join(''))).
 */

export type CallbackErrorCode =
  | 'bad-signature'
  | 'stale'
  | 'receive-id-mismatch'
  | 'malformed'
  | 'bad-config';

/** A callback that must be refused: answer 400 (malformed) or 401/403 (signature, receive id). */
export class WeComCallbackError extends Error {
  override readonly name = 'WeComCallbackError';
  constructor(
    readonly code: CallbackErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const BLOCK = 32;
const MAX_BODY_BYTES = 1024 * 1024;

export function aesKeyOf(encodingAESKey: string): Buffer {
  if (!/^[A-Za-z0-9]{43}$/.test(encodingAESKey)) {
    throw new WeComCallbackError('bad-config', 'The EncodingAESKey must be 43 letters and digits.');
  }
  return Buffer.from(`${encodingAESKey}=`, 'base64');
}

export function callbackSignature(
  token: string,
  timestamp: string,
  nonce: string,
  encrypted: string,
): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypted].sort().join('')).digest('hex');
}

function checkSignature(token: string, query: CallbackQuery, encrypted: string): void {
  const { msg_signature: given, timestamp, nonce } = query;
  if (!given || timestamp === undefined || nonce === undefined) {
    throw new WeComCallbackError('malformed', 'msg_signature, timestamp and nonce are required.');
  }
  const expected = Buffer.from(callbackSignature(token, timestamp, nonce, encrypted), 'utf8');
  const actual = Buffer.from(given.toLowerCase(), 'utf8');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new WeComCallbackError('bad-signature', 'The callback signature does not match.');
  }
}

/** Decrypts `msg_encrypt` and checks that it was meant for `receiveId` (the corp id). */
export function decryptMessage(encodingAESKey: string, encrypted: string, receiveId: string): string {
  const key = aesKeyOf(encodingAESKey);
  const data = Buffer.from(encrypted, 'base64');
  if (data.length === 0 || data.length % 16 !== 0) {
    throw new WeComCallbackError('malformed', 'The encrypted message is not whole AES blocks.');
  }
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false); // PKCS#7 to 32-byte blocks, not AES's 16
    plain = Buffer.concat([decipher.update(data), decipher.final()]);
  } catch {
    throw new WeComCallbackError('malformed', 'The message could not be decrypted.');
  }
  const pad = plain[plain.length - 1]!;
  if (
    pad < 1 ||
    pad > BLOCK ||
    pad > plain.length ||
    !plain.subarray(plain.length - pad).every((b) => b === pad)
  ) {
    throw new WeComCallbackError(
      'malformed',
      'The decrypted message has bad padding (wrong EncodingAESKey?).',
    );
  }
  const content = plain.subarray(16, plain.length - pad);
  if (content.length < 4) throw new WeComCallbackError('malformed', 'The decrypted message is too short.');
  const length = content.readUInt32BE(0);
  if (4 + length > content.length) {
    throw new WeComCallbackError('malformed', 'The decrypted message length is out of range.');
  }
  const got = content.subarray(4 + length).toString('utf8');
  if (got !== receiveId) {
    throw new WeComCallbackError(
      'receive-id-mismatch',
      `The callback was encrypted for "${got}", not for this corp (${receiveId}).`,
    );
  }
  return content.subarray(4, 4 + length).toString('utf8');
}

/** Encrypts as WeCom does (passive replies, and tests). */
export function encryptMessage(
  encodingAESKey: string,
  message: string,
  receiveId: string,
  random: Buffer = randomBytes(16),
): string {
  const key = aesKeyOf(encodingAESKey);
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length, 0);
  const plain = Buffer.concat([random.subarray(0, 16), length, body, Buffer.from(receiveId, 'utf8')]);
  const pad = BLOCK - (plain.length % BLOCK); // 1..32: a whole block when already aligned
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([
    cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])),
    cipher.final(),
  ]).toString('base64');
}

/** How old a signed callback may be by default: WeCom's own retries come within seconds. */
export const DEFAULT_CALLBACK_MAX_AGE_SECONDS = 300;

/**
 * Refuses a callback whose signed timestamp is further than `maxAgeSeconds` from now, either
 * way (clocks drift both ways), so a captured delivery cannot be replayed later. Call it after
 * the signature is verified: the timestamp is signed, so only then does it say anything.
 */
export function checkFreshness(query: CallbackQuery, maxAgeSeconds: number, nowMs: number): void {
  const sent = Number(query.timestamp);
  if (!Number.isInteger(sent))
    throw new WeComCallbackError('malformed', 'The callback timestamp is not a whole number of seconds.');
  const age = Math.abs(nowMs / 1000 - sent);
  if (age > maxAgeSeconds)
    throw new WeComCallbackError(
      'stale',
      `The callback was signed ${Math.round(age)} s from now; at most ${maxAgeSeconds} s are accepted.`,
    );
}

/** The query of a callback request, as the web framework decoded it. */
export interface CallbackQuery {
  msg_signature?: string;
  timestamp?: string;
  nonce?: string;
  echostr?: string;
}

// Base64 has no spaces: a space is a `+` that a form decoder turned into one.
const unplus = (value: string) => value.replace(/ /g, '+');

/** The URL check (GET): verifies the signature and returns the plaintext to answer, as is. */
export function verifyCallbackUrl(config: CallbackConfig, query: CallbackQuery): string {
  if (!query.echostr) throw new WeComCallbackError('malformed', 'echostr is required.');
  const echostr = unplus(query.echostr);
  checkSignature(config.token, query, echostr);
  return decryptMessage(config.encodingAESKey, echostr, config.receiveId);
}

export type EventFields = Record<string, string | string[]>;

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  isArray: (name) => name === 'Item',
});

/**
 * Reads WeCom's flat event XML into fields: text elements as strings, `<Item>` lists as arrays,
 * nested elements as `Parent.Child`. Refuses DOCTYPE and entity declarations.
 */
export function parseEventXml(xml: string): EventFields {
  if (/<!(DOCTYPE|ENTITY)/i.test(xml)) {
    throw new WeComCallbackError('malformed', 'XML with DOCTYPE or ENTITY declarations is refused.');
  }
  let parsed: unknown;
  try {
    parsed = parser.parse(xml, true);
  } catch {
    throw new WeComCallbackError('malformed', 'The XML could not be read.');
  }
  const root = (parsed as { xml?: unknown } | undefined)?.xml;
  if (!root || typeof root !== 'object')
    throw new WeComCallbackError('malformed', 'The XML has no <xml> root.');
  const fields: EventFields = {};
  const walk = (node: Record<string, unknown>, prefix: string) => {
    for (const [name, value] of Object.entries(node)) {
      const path = prefix + name;
      if (value === null || value === undefined) fields[path] = '';
      else if (typeof value !== 'object') fields[path] = String(value);
      else if (Array.isArray(value))
        fields[path] = value.map((v) => (typeof v === 'object' ? '' : String(v)));
      else {
        const inner = value as Record<string, unknown>;
        const keys = Object.keys(inner);
        if (keys.length === 1 && keys[0] === 'Item' && Array.isArray(inner.Item)) {
          fields[path] = inner.Item.map((v) => (typeof v === 'object' ? '' : String(v)));
        } else walk(inner, `${path}.`);
      }
    }
  };
  walk(root as Record<string, unknown>, '');
  return fields;
}

/** A text field of an event, or undefined when absent or a list. */
export const textOf = (fields: EventFields, name: string): string | undefined => {
  const value = fields[name];
  return typeof value === 'string' ? value : undefined;
};

/** An event delivery (POST): verifies the signature, decrypts, and reads the event's fields. */
export function openCallbackEvent(
  config: CallbackConfig,
  query: CallbackQuery,
  rawBody: string | Buffer,
): { xml: string; fields: EventFields } {
  const body = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8');
  if (Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES) {
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
