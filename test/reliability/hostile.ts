import { request as httpRequest } from 'node:http';
import { signWebhook } from '@sopflow/server';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { TestApp } from '../support/stack';

/**
 * Helpers for throwing hostile request bodies at the real server: raw bytes on the wire (so a
 * body may be invalid UTF-8, or not JSON at all), and the one check every answer must pass.
 */

// biome-ignore lint/suspicious/noExplicitAny: answers are untyped JSON, read field by field.
export type Json = any;

export interface Answer {
  status: number;
  contentType: string;
  text: string;
  json: Json;
}

export interface Target {
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** The webhook: signed with the flow's secret over the body as the server decodes it. */
  secret?: string;
  /** No credentials (public routes). */
  public?: boolean;
  /** A body the route accepts, to mutate. */
  valid: () => Json;
}

/**
 * Sends a body as it is (text or bytes) and reads the answer, on a connection of its own: a route
 * may answer before it has read the body, and a shared keep-alive connection would then carry the
 * rest of that body into the next request.
 */
export function send(
  app: TestApp,
  target: Target,
  body: string | Uint8Array | undefined,
  options: { token?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const bytes =
    body === undefined
      ? Buffer.alloc(0)
      : typeof body === 'string'
        ? Buffer.from(body, 'utf8')
        : Buffer.from(body);
  const headers: Record<string, string> = {
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    'content-length': String(bytes.length),
    ...options.headers,
  };
  if (!target.public) headers.authorization = `Bearer ${options.token ?? app.token}`;
  // The server checks the signature over the body as text, so sign what it will read.
  if (target.secret !== undefined)
    headers['x-sopflow-signature'] = signWebhook(target.secret, new TextDecoder().decode(bytes));
  const url = new URL(`${app.url}${target.path}`);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: target.method,
        agent: false,
        headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            text,
            json,
          });
        });
      },
    );
    // An error before any answer is a failure; after one (the server closing early), it is not.
    req.on('error', (error) => setTimeout(() => reject(error), 50));
    req.end(bytes);
  });
}

/**
 * Sends a `{"x":"xxx…"}` body of about `total` bytes, chunked (no content-length) or with its
 * length, and reads the answer as soon as it comes. A server that refuses early may close the
 * connection before the upload ends, which fetch reports as a failure although the answer was sent.
 */
export function sendLarge(
  app: TestApp,
  target: Target,
  total: number,
  token: string,
  chunked: boolean,
): Promise<{ status: number; json: Json }> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${app.url}${target.path}`);
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: target.method,
        agent: false,
        headers: {
          'content-type': 'application/json',
          ...(chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': String(total + 8) }),
          ...(target.public ? {} : { authorization: `Bearer ${token}` }),
          ...(target.secret === undefined ? {} : { 'x-sopflow-signature': signWebhook(target.secret, '') }),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => {
          let json: Json;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
        res.on('error', reject);
      },
    );
    // Writing after the server has answered and closed is expected: ignore those errors.
    req.on('error', () => {});
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        const part = chunk.subarray(0, Math.min(chunk.length, total - sent));
        sent += part.length;
        if (!req.write(part)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end('"}');
    };
    req.write('{"x":"');
    pump();
  });
}

/** What is wrong with an answer to a hostile body, or undefined when nothing is. */
export function problemWith(answer: Answer): string | undefined {
  if (answer.status >= 500) return `server error ${answer.status}`;
  if (answer.status < 400) return undefined;
  if (!/application\/json/.test(answer.contentType)) return `a ${answer.status} that is not JSON`;
  if (!/^[a-z][a-z0-9_]+$/.test(String(answer.json?.error?.code ?? '')))
    return `a ${answer.status} without an error code`;
  if (typeof answer.json?.error?.message !== 'string') return `a ${answer.status} without a message`;
  return undefined;
}

/**
 * What every answer to a hostile body must be: never a server error; a refusal is a 4xx with a
 * JSON body `{ error: { code, message } }`. (A body that happens to be valid may be accepted.)
 */
export function expectClearAnswer(answer: Answer, what: string): void {
  const problem = problemWith(answer);
  expect(problem, `${what} → ${answer.status} ${answer.text.slice(0, 300)}`).toBeUndefined();
}

/** Collects what went wrong across a batch, to report every case at once. */
export class Findings {
  readonly list: string[] = [];
  check(answer: Answer, what: string): void {
    const problem = problemWith(answer);
    if (problem) this.list.push(`${what}: ${problem}: ${answer.text.slice(0, 200)}`);
  }
  expectNone(): void {
    expect(this.list, `${this.list.length} bad answers:\n${this.list.join('\n')}`).toEqual([]);
  }
}

/** `[[[…]]]` or `{"a":{"a":…}}` nested `depth` deep, as text (built without recursion). */
export function nestedJson(depth: number, shape: 'array' | 'object', inner = '1'): string {
  const open = shape === 'array' ? '[' : '{"a":';
  const close = shape === 'array' ? ']' : '}';
  return open.repeat(depth) + inner + close.repeat(depth);
}

/** Bodies of the wrong JSON type, or not JSON at all. */
export const WRONG_TYPES: string[] = [
  'null',
  'true',
  '0',
  '-1e999',
  '"text"',
  '[]',
  '[{}]',
  '{}',
  '{"contact":5}',
  '{"contact":{"id":123}}',
  '{"contact":{"id":""}}',
  '{"contact":[]}',
  '{"contact":{"id":"x","attributes":[]}}',
  '{"contact":{"id":"x","tags":"vip"}}',
  '{"contact":{"id":"x","points":"lots"}}',
  '{"contact":{"id":"x","points":1e400}}',
  '{"event":"x"}',
  '{"events":"x"}',
  '{"events":[null]}',
  '{"events":[]}',
  '{"name":5,"contactId":[]}',
  '{"nodes":{},"edges":"x"}',
  '{"schemaVersion":"1"}',
  '{"email":[],"password":{}}',
  '{"template":null,"locale":"fr","id":"-"}',
  '{"mapping":"x","from":"one"}',
  '{"startAt":"yesterday","contact":{"id":"x"}}',
  '',
  ' ',
  '{',
  '{"a":',
  '{"a":1,}',
  "{'a':1}",
  '[1,2',
  'undefined',
  'NaN',
  '{"a":NaN}',
  '{"a":Infinity}',
  '\u0000',
  '{"a":"\\x00"}',
  '{"a":"\\ud800"}',
  '{"a":1}garbage',
  '<xml/>',
  'a=1&b=2',
];

/** Bytes that are not UTF-8, alone and inside otherwise valid JSON. */
export function invalidUtf8Bodies(valid: string): Uint8Array[] {
  const encoder = new TextEncoder();
  const bad = [
    [0xff],
    [0xfe, 0xff],
    [0xc0, 0x80], // overlong NUL
    [0xed, 0xa0, 0x80], // a UTF-16 surrogate encoded as UTF-8
    [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
    [0xe4, 0xbd], // a truncated 3-byte sequence
    [0x80, 0x80, 0x80],
  ];
  const bodies: Uint8Array[] = [];
  for (const bytes of bad) {
    bodies.push(Uint8Array.from(bytes));
    // Inside a string value: after the first quote of the body's first string.
    const at = valid.indexOf('"', valid.indexOf(':')) + 1;
    const before = encoder.encode(valid.slice(0, at));
    const after = encoder.encode(valid.slice(at));
    bodies.push(Uint8Array.from([...before, ...bytes, ...after]));
  }
  // A BOM in front of valid JSON, and UTF-16 instead of UTF-8.
  bodies.push(Uint8Array.from([0xef, 0xbb, 0xbf, ...encoder.encode(valid)]));
  bodies.push(Uint8Array.from([...valid].flatMap((ch) => [ch.charCodeAt(0) & 0xff, ch.charCodeAt(0) >> 8])));
  return bodies;
}

/** Strings Postgres and JSON tools choke on: NUL, lone surrogates, and the like (JSON-escaped). */
export const NASTY_STRINGS = [
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\ufeff',
  '\u202e',
  '🎉'.repeat(50),
  '\\',
  '"',
];

/** Prototype-pollution keys, as JSON text (so `__proto__` is a key, as an attacker sends it). */
export const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype'];

/** A valid body with a pollution payload added at every object in it, as JSON text. */
export function pollute(valid: Json, key: string): string {
  const payload = key === 'constructor' ? '{"prototype":{"polluted":1}}' : '{"polluted":1}';
  const text = JSON.stringify(valid);
  // Each `{` that opens an object gets the key first; arrays and strings are left alone.
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    out += ch;
    if (inString) {
      if (ch === '\\') out += text[++i]!;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') out += `"${key}":${payload}${text[i + 1] === '}' ? '' : ','}`;
  }
  return out;
}

/** A valid body with random changes: fields dropped, retyped, replaced, added; seeded. */
export function randomBodies(valid: Json, count: number, seed: number): string[] {
  const value = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom(...NASTY_STRINGS),
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.constant('x'.repeat(5_000)),
  );
  const change = fc.record({
    kind: fc.constantFrom('drop', 'set', 'add', 'retype'),
    at: fc.nat(),
    key: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom(...POLLUTION_KEYS, 'id', 'name', 'payload')),
    value,
  });
  return fc
    .sample(fc.array(change, { minLength: 1, maxLength: 4 }), { seed, numRuns: count })
    .map((changes) => {
      const body = structuredClone(valid);
      for (const c of changes) {
        const objects = objectsIn(body);
        if (objects.length === 0) break;
        const target = objects[c.at % objects.length]!;
        const keys = Object.keys(target);
        const key = keys.length > 0 ? keys[c.at % keys.length]! : c.key;
        if (c.kind === 'drop') delete target[key];
        else if (c.kind === 'set') target[key] = c.value;
        else if (c.kind === 'add')
          Object.defineProperty(target, c.key, {
            value: c.value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        else target[key] = typeof target[key] === 'string' ? 42 : String(target[key]);
      }
      return JSON.stringify(body);
    });
}

function objectsIn(value: Json): Record<string, Json>[] {
  const out: Record<string, Json>[] = [];
  const pending = [value];
  while (pending.length > 0) {
    const v = pending.pop();
    if (v === null || typeof v !== 'object') continue;
    if (!Array.isArray(v)) out.push(v);
    pending.push(...Object.values(v));
  }
  return out;
}

/** Runs `work` over `items`, `concurrency` at a time. */
export async function inBatches<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>) {
  for (let i = 0; i < items.length; i += concurrency)
    await Promise.all(items.slice(i, i + concurrency).map(work));
}

/**
 * A value at the edge of what a parameter may hold: `json` where a body field takes it, `text`
 * where a path or query parameter does (percent-encoded when sent), `encoded` when it must go on
 * the wire as it is (bytes that are not UTF-8). A value without `text` or `encoded` is for bodies only.
 */
export interface EdgeValue {
  name: string;
  /** The JSON type of `json`, to match it to the fields that take that type. */
  kind?: JsonKind;
  json?: Json;
  text?: string;
  encoded?: string;
}

/** Numbers past every integer type, text that breaks storage or paths, and values of the wrong type. */
export const EDGE_VALUES: EdgeValue[] = [
  { name: '-1', kind: 'number', json: -1, text: '-1' },
  { name: '0', kind: 'number', json: 0, text: '0' },
  { name: '1.5', kind: 'number', json: 1.5, text: '1.5' },
  { name: '2^31', kind: 'number', json: 2 ** 31, text: '2147483648' },
  { name: '2^63', kind: 'number', json: 2 ** 63, text: '9223372036854775808' },
  { name: '1e308', kind: 'number', json: 1e308, text: '1e308' },
  { name: '-1e308', kind: 'number', json: -1e308, text: '-1e308' },
  { name: 'NaN', kind: 'string', json: 'NaN', text: 'NaN' },
  { name: 'empty', kind: 'string', json: '', text: '' },
  { name: 'long', kind: 'string', json: 'x'.repeat(10_000), text: 'x'.repeat(10_000) },
  { name: 'unicode', kind: 'string', json: '北京🎉\u202e\ufeff', text: '北京🎉\u202e\ufeff' },
  { name: 'NUL', kind: 'string', json: 'a\u0000b', text: 'a\u0000b' },
  { name: 'lone surrogate', kind: 'string', json: '\ud800', encoded: '%ED%A0%80' },
  { name: 'not UTF-8', encoded: '%FF%FE' },
  { name: 'dot segments', kind: 'string', json: '../../etc/passwd', text: '../../etc/passwd' },
  { name: 'object', kind: 'object', json: { a: 1 } },
  { name: 'array', kind: 'array', json: ['x'] },
  { name: 'null', kind: 'null', json: null },
  { name: 'true', kind: 'boolean', json: true, text: 'true' },
];

/** An edge value as it goes in a URL, or undefined for one that only a body can hold. */
export function edgeInUrl(value: EdgeValue): string | undefined {
  return value.encoded ?? (value.text === undefined ? undefined : encodeURIComponent(value.text));
}

export type JsonKind = 'number' | 'string' | 'object' | 'array' | 'null' | 'boolean';

/**
 * The edge values to put in a body field that takes `kinds` (unknown: any): every value of a kind
 * it takes, and one of each kind it does not, which its type check refuses the same way each time.
 */
export function edgeValuesFor(kinds: ReadonlySet<JsonKind> | undefined): EdgeValue[] {
  const inBody = EDGE_VALUES.filter((value) => value.kind !== undefined);
  if (!kinds) return inBody;
  const probed = new Set<JsonKind>();
  return inBody.filter((value) => {
    const kind = value.kind!;
    if (kinds.has(kind)) return true;
    if (probed.has(kind)) return false;
    probed.add(kind);
    return true;
  });
}

/** One operation of the server's OpenAPI document, with the parameters a sweep varies. */
export interface Operation {
  method: Target['method'];
  /** The path template, `{name}` for each path parameter. */
  path: string;
  pathParams: string[];
  queryParams: string[];
  /**
   * Every field of the JSON body, as a path into it (`*` stands for each item of an array), and
   * the JSON types it takes (undefined when the schema does not say).
   */
  bodyFields: { path: string[]; kinds?: Set<JsonKind> }[];
  public: boolean;
}

type JsonSchema = Record<string, Json>;

/** Every operation the OpenAPI document lists, with its path, query and JSON body parameters (body fields to `maxDepth`). */
export function operationsOf(spec: Json, maxDepth: number): Operation[] {
  const components: Record<string, JsonSchema> = spec.components?.schemas ?? {};
  // An object schema several operations take (the flow document, a contact) has its fields swept
  // in the first of them; the others still vary the field that holds it.
  const swept = new Set<string>();
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries<Record<string, Json>>(spec.paths)) {
    for (const [method, operation] of Object.entries<Json>(item)) {
      const parameters: { in: string; name: string }[] = operation.parameters ?? [];
      const body: JsonSchema | undefined = operation.requestBody?.content?.['application/json']?.schema;
      operations.push({
        method: method.toUpperCase() as Operation['method'],
        path,
        pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!),
        queryParams: parameters.filter((p) => p.in === 'query').map((p) => p.name),
        bodyFields: body ? fieldsOf(body, components, maxDepth, swept) : [],
        public: operation['x-sopflow-role'] === 'public',
      });
    }
  }
  return operations;
}

/** The field paths a JSON Schema describes, to `maxDepth` segments; unions give the fields of every branch. */
function fieldsOf(
  root: JsonSchema,
  components: Record<string, JsonSchema>,
  maxDepth: number,
  swept: Set<string>,
): Operation['bodyFields'] {
  const fields = new Map<string, Operation['bodyFields'][number]>();
  const pending: [JsonSchema, string[], number][] = [[root, [], 0]];
  const field = (path: string[], schema: JsonSchema) => {
    const key = path.join('.');
    const found = fields.get(key) ?? { path, kinds: new Set<JsonKind>() };
    const kinds = kindsOf(schema, components);
    if (kinds && found.kinds) for (const kind of kinds) found.kinds.add(kind);
    else delete found.kinds;
    fields.set(key, found);
  };
  while (pending.length > 0) {
    const [schema, at, refs] = pending.pop()!;
    // A schema met again (the flow document in an export's draft and its published version, or in
    // another operation) has its fields swept once; a body that is one still varies its own fields.
    const text = schema.properties ? JSON.stringify(schema) : undefined;
    const seen = text !== undefined && swept.has(text);
    if (seen && at.length > 0) continue;
    if (text !== undefined) swept.add(text);
    const ref = typeof schema.$ref === 'string' ? schema.$ref.split('/').pop() : undefined;
    // A recursive schema (a condition) is followed a few times, not forever.
    if (ref !== undefined) {
      if (components[ref] && refs < 3) pending.push([components[ref]!, at, refs + 1]);
      continue;
    }
    for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])])
      pending.push([branch, at, refs]);
    // Array items add no depth: `nodes.*.message.text` is as deep as `contact.attributes.city`.
    if (at.filter((segment) => segment !== '*').length >= maxDepth) continue;
    for (const [name, property] of Object.entries<JsonSchema>(schema.properties ?? {})) {
      const path = [...at, name];
      field(path, property);
      if (!seen) pending.push([property, path, refs]);
    }
    if (schema.items) {
      const items = [...at, '*'];
      field(items, schema.items);
      pending.push([schema.items, items, refs]);
    }
  }
  return [...fields.values()];
}

/** The JSON types a schema takes, through unions and references; undefined for any. */
function kindsOf(
  schema: JsonSchema,
  components: Record<string, JsonSchema>,
  depth = 0,
): Set<JsonKind> | undefined {
  if (depth > 8) return undefined;
  if (typeof schema.$ref === 'string') {
    const target = components[schema.$ref.split('/').pop()!];
    return target ? kindsOf(target, components, depth + 1) : undefined;
  }
  const branches = [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])];
  if (branches.length > 0) {
    const kinds = new Set<JsonKind>();
    for (const branch of branches) {
      const of = kindsOf(branch, components, depth + 1);
      if (!of) return undefined;
      for (const kind of of) kinds.add(kind);
    }
    return kinds;
  }
  const types: unknown[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if ('const' in schema) types.push(schema.const === null ? 'null' : typeof schema.const);
  if (types.length === 0) return undefined;
  return new Set(types.map((type) => (type === 'integer' ? 'number' : type) as JsonKind));
}

/** `base` with `value` at `path`: objects on the way are made, and `*` sets every item of an array. */
export function withValueAt(base: Json, path: string[], value: Json): Json {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (head === '*') {
    const items: Json[] = Array.isArray(base) && base.length > 0 ? base : [{}];
    return items.map((item) => withValueAt(item, rest, value));
  }
  const object = base !== null && typeof base === 'object' && !Array.isArray(base) ? base : {};
  return { ...object, [head]: withValueAt(object[head], rest, value) };
}
