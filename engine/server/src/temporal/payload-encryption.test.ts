import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import {
  ENCRYPTED_ENCODING,
  isEncrypted,
  KEY_ID_METADATA,
  newPayloadKey,
  PayloadEncryptionCodec,
  PayloadKeyError,
  parsePayloadKeys,
  UnknownPayloadKeyError,
} from './payload-encryption';

const text = (bytes: Uint8Array | null | undefined) => new TextDecoder().decode(bytes ?? new Uint8Array());
const json = (value: unknown) => defaultPayloadConverter.toPayload(value) as Payload;
const codecOf = (list: string) => new PayloadEncryptionCodec(parsePayloadKeys(list));

const contact = { id: 'c1', name: '王小明', phone: '+8613800138000' };
const [k1, k2] = [newPayloadKey('k1'), newPayloadKey('k2')];

describe('the payload encryption codec', () => {
  it('seals a payload so nothing of it reads in plain text, and opens it back whole', async () => {
    const codec = codecOf(k1);
    const plain = json(contact);
    const [sealed] = await codec.encode([plain]);
    expect(text(sealed!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(sealed!.metadata![KEY_ID_METADATA])).toBe('k1');
    const raw = Buffer.from(sealed!.data!).toString('latin1');
    for (const secret of ['13800138000', 'json/plain', 'c1']) expect(raw).not.toContain(secret);
    expect(Buffer.from(sealed!.data!).toString('utf8')).not.toContain('王小明');
    const [opened] = await codec.decode([sealed!]);
    expect(text(opened!.metadata!.encoding)).toBe('json/plain');
    expect(Buffer.from(opened!.data!).equals(Buffer.from(plain.data!))).toBe(true);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual(contact);
  });

  it('seals the same value differently each time (a fresh IV)', async () => {
    const codec = codecOf(k1);
    const [a, b] = await codec.encode([json(contact), json(contact)]);
    expect(Buffer.from(a!.data!).equals(Buffer.from(b!.data!))).toBe(false);
  });

  it('passes payloads it did not seal (histories from before encryption) as they are', async () => {
    const plain = json(contact);
    expect(isEncrypted(plain)).toBe(false);
    expect(await codecOf(k1).decode([plain])).toEqual([plain]);
  });

  it('after a rotation, seals with the first key and still opens what the old key sealed', async () => {
    const [old] = await codecOf(k1).encode([json(contact)]);
    const rotated = codecOf(`${k2},${k1}`);
    expect(rotated.keyId).toBe('k2');
    const [fresh] = await rotated.encode([json(contact)]);
    expect(text(fresh!.metadata![KEY_ID_METADATA])).toBe('k2');
    const opened = await rotated.decode([old!, fresh!]);
    expect(opened.map((p) => defaultPayloadConverter.fromPayload(p))).toEqual([contact, contact]);
  });

  it('refuses, naming the key, a payload sealed with a key no longer configured', async () => {
    const [old] = await codecOf(k1).encode([json(contact)]);
    const error = await codecOf(k2)
      .decode([old!])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownPayloadKeyError);
    expect((error as Error).message).toMatch(/key "k1", which is not in SOPFLOW_PAYLOAD_KEYS/);
  });

  it('refuses an altered payload, and one relabelled with another key id', async () => {
    const codec = codecOf(`${k1},${k2}`);
    const [sealed] = await codec.encode([json(contact)]);
    const altered = { ...sealed!, data: Uint8Array.from(sealed!.data!, (b, i) => (i === 20 ? b ^ 1 : b)) };
    await expect(codec.decode([altered])).rejects.toThrow(/does not open with key "k1"/);
    const relabelled = {
      ...sealed!,
      metadata: { ...sealed!.metadata, [KEY_ID_METADATA]: new TextEncoder().encode('k2') },
    };
    await expect(codec.decode([relabelled])).rejects.toThrow(/does not open with key "k2"/);
  });
});

describe('parsePayloadKeys', () => {
  const key = Buffer.alloc(32, 1).toString('base64');
  it('reads id:base64key entries in order, URL-safe base64 too', () => {
    const urlSafe = Buffer.alloc(32, 255).toString('base64url');
    expect(parsePayloadKeys(` a:${key} , b.2:${urlSafe}`).map((k) => k.id)).toEqual(['a', 'b.2']);
  });
  it.each([
    ['', /No key/],
    [key, /Key 1: write id:base64key/],
    [`a:${Buffer.alloc(16).toString('base64')}`, /Key "a": the key is 16 bytes/],
    [`a:${key},a:${key}`, /Key "a" is listed twice/],
    [`bad id:${key}`, /Key 1/],
  ])('refuses %j', (list, message) => {
    expect(() => parsePayloadKeys(list)).toThrow(PayloadKeyError);
    expect(() => parsePayloadKeys(list)).toThrow(message);
  });
});
