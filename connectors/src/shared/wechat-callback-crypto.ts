import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';

/**
 * The callback scheme WeCom and the WeChat Official Account share (WXBizMsgCrypt): SHA-1
 * signatures over the sorted token, timestamp, nonce (and ciphertext), AES-encrypted bodies, and
 * flat XML.
 *
 * Crypto (developer.work.weixin.qq.com/document/path/91144; developers.weixin.qq.com
 * .../guide/dev/push/encryption for the Official Account):
 * - key = Base64_Decode(EncodingAESKey + "="), 32 bytes; AES-256-CBC, IV = the key's first 16 bytes;
 * - PKCS#7 padding to a multiple of 32 bytes (pad byte 1..32);
 * - plaintext = random(16) ‖ msg_len (4 bytes, big-endian) ‖ msg ‖ receiveid (corp id or AppID);
 * - signature = hex(sha1(sort([token, timestamp, nonce, encrypted?]).join(''))).
 */

export type CallbackErrorCode =
  | 'bad-signature'
  | 'stale'
  | 'receive-id-mismatch'
  | 'malformed'
  | 'bad-config';

/** A callback that must be refused: answer 400 (malformed) or 401/403 (signature, receive id). */
export class WechatCallbackError extends Error {
  override readonly name = 'WechatCallbackError';
  constructor(
    readonly code: CallbackErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The HTTP status each refusal is answered with. */
export const callbackRefusalStatus = {
  'bad-signature': 401,
  stale: 401,
  'receive-id-mismatch': 403,
  malformed: 400,
  'bad-config': 500,
} as const;

const BLOCK = 32;
export const MAX_CALLBACK_BODY_BYTES = 1024 * 1024;

export function aesKeyOf(encodingAESKey: string): Buffer {
  if (!/^[A-Za-z0-9]{43}$/.test(encodingAESKey)) {
    throw new WechatCallbackError('bad-config', 'The EncodingAESKey must be 43 letters and digits.');
  }
  return Buffer.from(`${encodingAESKey}=`, 'base64');
}

/** sha1 of the sorted parts: `(token, timestamp, nonce)` for a plain signature, plus the ciphertext for `msg_signature`. */
export function callbackSignature(
  token: string,
  timestamp: string,
  nonce: string,
  encrypted?: string,
): string {
  const parts = encrypted === undefined ? [token, timestamp, nonce] : [token, timestamp, nonce, encrypted];
  return createHash('sha1').update(parts.sort().join('')).digest('hex');
}

/** Checks a signature the callback carries (`given`) against the one `token` makes. */
export function checkCallbackSignature(
  token: string,
  signed: { given?: string; timestamp?: string; nonce?: string; name: string },
  encrypted?: string,
): void {
  const { given, timestamp, nonce } = signed;
  if (!given || timestamp === undefined || nonce === undefined) {
    throw new WechatCallbackError('malformed', `${signed.name}, timestamp and nonce are required.`);
  }
  const expected = Buffer.from(callbackSignature(token, timestamp, nonce, encrypted), 'utf8');
  const actual = Buffer.from(given.toLowerCase(), 'utf8');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
    throw new WechatCallbackError('bad-signature', 'The callback signature does not match.');
  }
}

/** Decrypts a ciphertext and checks that it was meant for `receiveId` (the corp id or the AppID). */
export function decryptMessage(encodingAESKey: string, encrypted: string, receiveId: string): string {
  const key = aesKeyOf(encodingAESKey);
  const data = Buffer.from(encrypted, 'base64');
  if (data.length === 0 || data.length % 16 !== 0) {
    throw new WechatCallbackError('malformed', 'The encrypted message is not whole AES blocks.');
  }
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false); // PKCS#7 to 32-byte blocks, not AES's 16
    plain = Buffer.concat([decipher.update(data), decipher.final()]);
  } catch {
    throw new WechatCallbackError('malformed', 'The message could not be decrypted.');
  }
  const pad = plain[plain.length - 1]!;
  if (
    pad < 1 ||
    pad > BLOCK ||
    pad > plain.length ||
    !plain.subarray(plain.length - pad).every((b) => b === pad)
  ) {
    throw new WechatCallbackError(
      'malformed',
      'The decrypted message has bad padding (wrong EncodingAESKey?).',
    );
  }
  const content = plain.subarray(16, plain.length - pad);
  if (content.length < 4) throw new WechatCallbackError('malformed', 'The decrypted message is too short.');
  const length = content.readUInt32BE(0);
  if (4 + length > content.length) {
    throw new WechatCallbackError('malformed', 'The decrypted message length is out of range.');
  }
  const got = content.subarray(4 + length).toString('utf8');
  if (got !== receiveId) {
    throw new WechatCallbackError(
      'receive-id-mismatch',
      `The callback was encrypted for "${got}", not for this account (${receiveId}).`,
    );
  }
  return content.subarray(4, 4 + length).toString('utf8');
}

/** Encrypts as WeChat does (passive replies, fakes and tests). */
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

/** How old a signed callback may be by default: WeChat's own retries come within seconds. */
export const DEFAULT_CALLBACK_MAX_AGE_SECONDS = 300;

/**
 * Refuses a callback whose signed timestamp is further than `maxAgeSeconds` from now, either
 * way (clocks drift both ways), so a captured delivery cannot be replayed later. Call it after
 * the signature is verified: the timestamp is signed, so only then does it say anything.
 */
export function checkFreshness(query: { timestamp?: string }, maxAgeSeconds: number, nowMs: number): void {
  const sent = Number(query.timestamp);
  if (!Number.isInteger(sent))
    throw new WechatCallbackError('malformed', 'The callback timestamp is not a whole number of seconds.');
  const age = Math.abs(nowMs / 1000 - sent);
  if (age > maxAgeSeconds)
    throw new WechatCallbackError(
      'stale',
      `The callback was signed ${Math.round(age)} s from now; at most ${maxAgeSeconds} s are accepted.`,
    );
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
 * Reads WeChat's flat event XML into fields: text elements as strings, `<Item>` lists as arrays,
 * nested elements as `Parent.Child`. Refuses DOCTYPE and entity declarations.
 */
export function parseEventXml(xml: string): EventFields {
  if (/<!(DOCTYPE|ENTITY)/i.test(xml)) {
    throw new WechatCallbackError('malformed', 'XML with DOCTYPE or ENTITY declarations is refused.');
  }
  let parsed: unknown;
  try {
    parsed = parser.parse(xml, true);
  } catch {
    throw new WechatCallbackError('malformed', 'The XML could not be read.');
  }
  const root = (parsed as { xml?: unknown } | undefined)?.xml;
  if (!root || typeof root !== 'object')
    throw new WechatCallbackError('malformed', 'The XML has no <xml> root.');
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

/** A text field of the event, or undefined when it is absent or a list. */
export const fieldText = (fields: EventFields, name: string): string | undefined => {
  const value = fields[name];
  return typeof value === 'string' ? value : undefined;
};

// Base64 has no spaces: a space is a `+` that a form decoder turned into one.
export const unplus = (value: string) => value.replace(/ /g, '+');
