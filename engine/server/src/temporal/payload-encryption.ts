import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { failureConverterPath } from '@sopflow/workflows';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import protos from '@temporalio/proto';

/**
 * Temporal payloads encrypted with AES-256-GCM before they leave the process (workflow and
 * activity inputs and results, signals, queries, updates, memos, summaries, failure messages), so
 * Temporal's database and UI hold no personal data in plain text. One key set for the server
 * (`SOPFLOW_PAYLOAD_KEYS`): the first key encrypts, every key decrypts, and each payload names the
 * key it was sealed with in its metadata, so a new key can be put first while the old ones still
 * open older histories. A payload without this encoding (recorded before encryption) passes as it is.
 */

/** The metadata `encoding` of a payload this codec sealed. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** The metadata entry naming the key a payload was sealed with. */
export const KEY_ID_METADATA = 'encryption-key-id';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;

// A CommonJS module: Node's ESM loader (tsx in `sopflow dev`) gives it as a default export only.
const { Payload: PayloadMessage } = protos.temporal.api.common.v1;

const utf8 = new TextEncoder();
const text = new TextDecoder();

/** A key as configured: its id (recorded in each payload it seals) and its 32 bytes. */
export interface PayloadKey {
  id: string;
  key: Uint8Array;
}

/** A configured key list that cannot be used, with a message naming what is wrong. */
export class PayloadKeyError extends Error {
  override readonly name = 'PayloadKeyError';
}

/** A payload sealed with a key that is not configured (removed too early, or another server's). */
export class UnknownPayloadKeyError extends Error {
  override readonly name = 'UnknownPayloadKeyError';
  constructor(readonly keyId: string) {
    super(
      `This payload was encrypted with key "${keyId}", which is not in SOPFLOW_PAYLOAD_KEYS: ` +
        'add that key back (after the key that encrypts) to read it.',
    );
  }
}

/**
 * Reads `id1:base64key,id2:base64key` (standard or URL-safe base64 of 32 random bytes each; the
 * first encrypts). Throws a PayloadKeyError naming the bad entry.
 */
export function parsePayloadKeys(list: string): PayloadKey[] {
  const entries = list
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new PayloadKeyError('No key: write id:base64key[,id:base64key...].');
  const keys = entries.map((entry, index) => {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon);
    if (!KEY_ID.test(id))
      throw new PayloadKeyError(
        `Key ${index + 1}: write id:base64key, the id of 1 to 64 letters, digits, ".", "_" or "-".`,
      );
    const key = Buffer.from(entry.slice(colon + 1), 'base64');
    if (key.length !== KEY_BYTES)
      throw new PayloadKeyError(
        `Key "${id}": the key is ${key.length} bytes once base64-decoded; it must be 32 (openssl rand -base64 32).`,
      );
    return { id, key: new Uint8Array(key) };
  });
  const ids = new Set<string>();
  for (const { id } of keys) {
    if (ids.has(id)) throw new PayloadKeyError(`Key "${id}" is listed twice.`);
    ids.add(id);
  }
  return keys;
}

/** A new key list entry, `id:base64key`, of 32 random bytes. */
export function newPayloadKey(id: string): string {
  return `${id}:${randomBytes(KEY_BYTES).toString('base64')}`;
}

/** Whether this codec sealed the payload. */
export function isEncrypted(payload: Payload): boolean {
  const encoding = payload.metadata?.encoding;
  return encoding !== undefined && encoding !== null && text.decode(encoding) === ENCRYPTED_ENCODING;
}

export class PayloadEncryptionCodec implements PayloadCodec {
  private readonly encrypting: PayloadKey;
  private readonly byId: Map<string, Uint8Array>;

  /** `keys[0]` encrypts; every key decrypts. */
  constructor(keys: readonly PayloadKey[]) {
    if (keys.length === 0) throw new PayloadKeyError('Payload encryption needs at least one key.');
    this.encrypting = keys[0]!;
    this.byId = new Map(keys.map(({ id, key }) => [id, key]));
  }

  /** The id of the key new payloads are sealed with. */
  get keyId(): string {
    return this.encrypting.id;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.seal(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (isEncrypted(payload) ? this.open(payload) : payload));
  }

  private seal(payload: Payload): Payload {
    const { id, key } = this.encrypting;
    const plain = PayloadMessage.encode(payload).finish();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    // The key id is authenticated too: a payload relabelled with another key's id does not open.
    cipher.setAAD(utf8.encode(id));
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { encoding: utf8.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8.encode(id) },
      data: new Uint8Array(sealed),
    };
  }

  private open(payload: Payload): Payload {
    const idBytes = payload.metadata?.[KEY_ID_METADATA];
    if (!idBytes) throw new Error(`An encrypted payload without its ${KEY_ID_METADATA} metadata.`);
    const id = text.decode(idBytes);
    const key = this.byId.get(id);
    if (!key) throw new UnknownPayloadKeyError(id);
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES)
      throw new Error(`An encrypted payload too short to open (key "${id}").`);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
    decipher.setAAD(idBytes);
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      throw new Error(
        `An encrypted payload does not open with key "${id}": altered, or another key of that id.`,
      );
    }
    return PayloadMessage.decode(plain) as Payload;
  }
}

/**
 * The data converter of every client and worker of sopflow: payloads encrypted with `codec`, and
 * failures' messages and stack traces carried as payloads so they are encrypted too.
 */
export function encryptingDataConverter(codec: PayloadCodec): DataConverter {
  return { payloadCodecs: [codec], failureConverterPath };
}
