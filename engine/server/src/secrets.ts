import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Connector secrets at rest: AES-256-GCM under a key derived from SOPFLOW_SECRET_KEY. An
 * encrypted value is stored as `{ "$enc": "v1:<iv>:<tag>:<ciphertext>" }` in place of the plain one.
 */

export const MASK = '••••••••';

/** An encrypted value; `json` when the plain value was not a string (a map of robot keys, say). */
export interface Sealed {
  $enc: string;
  json?: true;
}

export class SecretBox {
  private readonly key: Buffer;

  constructor(secretKey: string) {
    if (secretKey.length < 16) throw new Error('SOPFLOW_SECRET_KEY must be at least 16 characters.');
    this.key = createHash('sha256').update(`sopflow-secrets:${secretKey}`).digest();
  }

  encrypt(plain: string): Sealed {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url'));
    return { $enc: `v1:${parts.join(':')}` };
  }

  decrypt(sealed: Sealed): string {
    const [version, iv, tag, data] = sealed.$enc.split(':');
    if (version !== 'v1' || !iv || !tag || data === undefined)
      throw new Error('Not an encrypted sopflow secret.');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }
}

const isSealed = (value: unknown): value is Sealed =>
  typeof value === 'object' && value !== null && typeof (value as { $enc?: unknown }).$enc === 'string';

/** Applies `change` to the value at each dotted path that exists in a copy of `config`. */
function mapPaths(config: unknown, paths: readonly string[], change: (value: unknown) => unknown): unknown {
  const copy = structuredClone(config) as Record<string, unknown>;
  for (const path of paths) {
    const keys = path.split('.');
    let node: Record<string, unknown> | undefined = copy;
    for (const key of keys.slice(0, -1)) {
      const next: unknown = node?.[key];
      node = typeof next === 'object' && next !== null ? (next as Record<string, unknown>) : undefined;
    }
    const last = keys[keys.length - 1]!;
    if (node && Object.hasOwn(node, last) && node[last] !== undefined) node[last] = change(node[last]);
  }
  return copy;
}

export const sealSecrets = (box: SecretBox, config: unknown, paths: readonly string[]) =>
  mapPaths(config, paths, (v) => {
    if (isSealed(v)) return v;
    return typeof v === 'string'
      ? box.encrypt(v)
      : { ...box.encrypt(JSON.stringify(v)), json: true as const };
  });

export const openSecrets = (box: SecretBox, config: unknown, paths: readonly string[]) =>
  mapPaths(config, paths, (v) => {
    if (!isSealed(v)) return v;
    const plain = box.decrypt(v);
    return v.json ? JSON.parse(plain) : plain;
  });

export const maskSecrets = (config: unknown, paths: readonly string[]) => mapPaths(config, paths, () => MASK);

/**
 * A config as an operator re-submits it: secrets left out or sent back masked keep the stored
 * (still encrypted) value, so editing one field never needs the secrets again.
 */
export function keepUnchangedSecrets(next: unknown, stored: unknown, paths: readonly string[]): unknown {
  const copy = structuredClone(next) as Record<string, unknown>;
  for (const path of paths) {
    const keys = path.split('.');
    const read = (root: unknown) =>
      keys.reduce<unknown>(
        (n, k) => (typeof n === 'object' && n !== null ? (n as Record<string, unknown>)[k] : undefined),
        root,
      );
    const given = read(copy);
    if (given !== undefined && given !== MASK) continue;
    const kept = read(stored);
    if (kept === undefined) continue;
    let node = copy;
    for (const key of keys.slice(0, -1)) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    node[keys[keys.length - 1]!] = kept;
  }
  return copy;
}
