import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { publishFlow, startTestApp, type TestApp, uniqueId } from '../support/stack';
import {
  type Answer,
  EDGE_VALUES,
  edgeInUrl,
  edgeValuesFor,
  Findings,
  inBatches,
  invalidUtf8Bodies,
  type Json,
  NASTY_STRINGS,
  nestedJson,
  type Operation,
  operationsOf,
  POLLUTION_KEYS,
  pollute,
  randomBodies,
  send,
  sendLarge,
  type Target,
  WRONG_TYPES,
  withValueAt,
} from './hostile';

/**
 * Hostile bodies against the real server (the API in this process, on loopback, with Temporal and
 * Postgres behind it): wrong types, bodies over the limit, JSON nested ten thousand deep, bytes
 * that are not UTF-8, strings Postgres refuses, prototype-pollution keys, random fields. Every
 * answer must be a clear refusal (a 4xx with a JSON error code) or a plain acceptance, never a
 * 500; no prototype of this process may change; the server must stay up between batches.
 */

const MiB = 1024 * 1024;

/** Every free string of a valid body with `nasty` appended (ids, names and dates left as they are). */
function withNasty(target: Target, nasty: string): string {
  const fixed = new Set(['id', 'flowId', 'template', 'locale', 'at', 'startAt', 'contactId', 'name']);
  return JSON.stringify(target.valid(), (key, value) =>
    typeof value === 'string' && !fixed.has(key) ? value + nasty : value,
  );
}
let app: TestApp;
let targets: Target[];
/** The flow started by a signed webhook, and its secret. */
let hook: { flowId: string; secret: string };
let asked = 0;

/** A fresh admin token per batch: the rate limit counts per token, and this test is not about it. */
async function freshToken(): Promise<string> {
  return (await app.accounts.createToken({ name: uniqueId('hostile'), role: 'admin' })).token;
}

async function ask(target: Target, body: Parameters<typeof send>[2], token: string): Promise<Answer> {
  asked++;
  try {
    return await send(app, target, body, { token });
  } catch (error) {
    // No answer at all (the connection closed under the request): say so, as an answer.
    const cause = (error as { cause?: { message?: string } }).cause?.message ?? '';
    const size = typeof body === 'string' ? body.length : body instanceof Uint8Array ? body.length : -1;
    return {
      status: 599,
      contentType: '',
      text: `${target.name}: no answer for a ${size}-character body (${(error as Error).message}: ${cause})`,
      json: undefined,
    };
  }
}

async function expectHealthy(): Promise<void> {
  const health = await fetch(`${app.url}/api/health`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ ok: true });
  // The server is this process: nothing it parsed may have reached a prototype.
  expect(({} as Json).polluted).toBeUndefined();
  expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  expect(Object.hasOwn(Array.prototype, 'polluted')).toBe(false);
  expect(Object.hasOwn(Function.prototype, 'polluted')).toBe(false);
  expect(Object.getPrototypeOf({})).toBe(Object.prototype);
}

function manualFlow(id: string): Json {
  return {
    schemaVersion: 1,
    id,
    name: 'Hostile input',
    nodes: [
      { id: 'in', type: 'trigger', trigger: { kind: 'manual' } },
      {
        id: 'hello',
        type: 'send',
        channel: 'sms',
        message: { text: 'hello {{ contact.name }} {{ event.x }}' },
      },
      { id: 'pause', type: 'wait', duration: 'PT1H' },
      { id: 'out', type: 'exit' },
    ],
    edges: [
      { id: 'a', source: 'in', target: 'hello' },
      { id: 'b', source: 'hello', target: 'pause' },
      { id: 'c', source: 'pause', target: 'out' },
    ],
  };
}

/** Where a deep value goes in each route's body: the places that take free-form JSON. */
const DEEP_SLOT: Record<string, (inner: string, contactId: string) => string> = {
  webhook: (inner, id) =>
    `{"contact":{"id":"${id}","attributes":{"deep":${inner}}},"event":{"group":"g","deep":${inner}}}`,
  events: (inner, id) => `{"contactId":"${id}","name":"reply","payload":{"deep":${inner}}}`,
  enroll: (inner, id) =>
    `{"contact":{"id":"${id}","attributes":{"deep":${inner}}},"event":{"deep":${inner}}}`,
  simulate: (inner, id) => `{"contact":{"id":"${id}","attributes":{"deep":${inner}}},"event":{"x":${inner}}}`,
  contact: (inner) => `{"name":"Deep","attributes":{"deep":${inner}}}`,
};

beforeAll(async () => {
  app = await startTestApp({ worker: false });
  const hookFlow = uniqueId('hostile-hook');
  const runFlow = uniqueId('hostile-run');
  const draftFlow = uniqueId('hostile-draft');
  const importFlow = uniqueId('hostile-import');
  await publishFlow(app, {
    ...manualFlow(hookFlow),
    nodes: [
      {
        id: 'in',
        type: 'trigger',
        trigger: {
          kind: 'webhook',
          event: 'member.joined',
          payload: [
            { name: 'group', type: 'string', required: true },
            { name: 'x', type: 'number' },
          ],
        },
      },
      ...manualFlow(hookFlow).nodes.slice(1),
    ],
  });
  await publishFlow(app, manualFlow(runFlow));
  await publishFlow(app, { ...manualFlow(runFlow), name: 'Hostile input, v2' }); // to migrate to
  await publishFlow(app, manualFlow(draftFlow));
  const secret = (await app.request('GET', `/api/flows/${hookFlow}/webhook`)).body.secret as string;
  hook = { flowId: hookFlow, secret };
  const contactId = () => uniqueId('hostile-contact');
  targets = [
    {
      name: 'webhook',
      method: 'POST',
      path: `/api/hooks/${hookFlow}`,
      public: true,
      secret,
      valid: () => ({
        contact: { id: contactId(), name: 'Vera', attributes: { tier: 'vip' } },
        event: { group: '读书会' },
      }),
    },
    {
      name: 'events',
      method: 'POST',
      path: '/api/events',
      valid: () => ({ contactId: contactId(), name: 'reply', payload: { text: 'hi' } }),
    },
    { name: 'save flow', method: 'PUT', path: `/api/flows/${draftFlow}`, valid: () => manualFlow(draftFlow) },
    { name: 'validate', method: 'POST', path: `/api/flows/${draftFlow}/validate`, valid: () => ({}) },
    {
      name: 'publish',
      method: 'POST',
      path: `/api/flows/${draftFlow}/publish`,
      valid: () => ({ note: 'hostile' }),
    },
    {
      name: 'enroll',
      method: 'POST',
      path: `/api/flows/${runFlow}/enroll`,
      valid: () => ({ contact: { id: contactId(), name: 'Otto' }, event: { x: 1 } }),
    },
    {
      name: 'simulate',
      method: 'POST',
      path: `/api/flows/${runFlow}/simulate`,
      valid: () => ({
        contact: { id: 'c1', name: 'Vera', phone: '+8613800000000' },
        events: [{ at: '+1h', name: 'reply', payload: { text: 'hi' } }],
        startAt: '2026-03-02T10:00:00+08:00',
      }),
    },
    {
      name: 'migrate',
      method: 'POST',
      path: `/api/flows/${runFlow}/migrate`,
      valid: () => ({ from: 1, to: 2, mapping: { pause: 'pause' }, preview: true }),
    },
    {
      name: 'from template',
      method: 'POST',
      path: '/api/flows/from-template',
      valid: () => ({ template: 'welcome', locale: 'zh', id: uniqueId('hostile-tpl') }),
    },
    {
      name: 'import flow',
      method: 'POST',
      path: `/api/flows/import?id=${importFlow}&overwrite=true`,
      valid: () => manualFlow(importFlow),
    },
    {
      name: 'campaign',
      method: 'POST',
      path: '/api/campaigns',
      valid: () => ({ flowId: runFlow, audience: { contactIds: [contactId()] }, at: '2099-01-01T00:00:00Z' }),
    },
    {
      name: 'audience count',
      method: 'POST',
      path: '/api/campaigns/audience',
      valid: () => ({
        audience: {
          where: {
            all: [
              { field: 'contact.attributes.city', op: 'eq', value: '北京' },
              { field: 'contact.tags', op: 'contains', value: 'vip' },
            ],
          },
        },
      }),
    },
    {
      name: 'contact',
      method: 'PUT',
      path: `/api/contacts/${contactId()}`,
      valid: () => ({ name: 'Vera', email: 'vera@example.com', attributes: { city: '北京' }, tags: ['vip'] }),
    },
    {
      name: 'login',
      method: 'POST',
      path: '/api/auth/login',
      public: true,
      valid: () => ({ email: 'nobody@hostile.test', password: 'not-a-password' }),
    },
  ];
  // The valid bodies are valid: every route answers them without an error.
  const token = await freshToken();
  for (const target of targets) {
    const answer = await ask(target, JSON.stringify(target.valid()), token);
    if (target.name === 'login') expect(answer.status, target.name).toBe(401);
    else expect(answer.status, `${target.name}: ${answer.text}`).toBeLessThan(400);
  }
});

afterAll(async () => {
  console.log(`hostile-input: ${asked} requests`);
  await app?.stop();
});

describe('hostile request bodies', () => {
  it('answers bodies of the wrong type, or not JSON at all, with a 4xx and a code', async () => {
    const token = await freshToken();
    const findings = new Findings();
    const cases = targets.flatMap((target, t) =>
      // Each route gets a quarter of the list, a different quarter for neighbouring routes.
      WRONG_TYPES.filter((_, i) => (i + t) % 4 === 0).map((body) => ({ target, body })),
    );
    await inBatches(cases, 8, async ({ target, body }) => {
      const answer = await ask(target, body, token);
      findings.check(answer, `${target.name} ${JSON.stringify(body)}`);
      // Text that is not JSON is refused as such by every route that reads a body.
      const notJson =
        /^(\{|\{"a":|\[1,2|'.*|<xml\/>|a=1&b=2|undefined|NaN|\{"a":1,\}|\{"a":NaN\}|\{"a":1\}garbage)$/;
      if (notJson.test(body) && target.name !== 'validate' && answer.status !== 401 && answer.status !== 400)
        findings.list.push(`${target.name} ${JSON.stringify(body)}: ${answer.status}, not 400 invalid_json`);
    });
    findings.expectNone();
    await expectHealthy();
  });

  it('refuses bodies over 1 MiB with 413, with or without a length', async () => {
    const token = await freshToken();
    const findings = new Findings();
    for (const target of targets) {
      // With a content-length the server can refuse at once; chunked, it counts what arrives.
      for (const [chunked, size] of [
        [false, MiB + 1],
        [false, 8 * MiB],
        [true, 2 * MiB],
      ] as const) {
        asked++;
        const answer = await sendLarge(app, target, size, token, chunked);
        if (answer.status !== 413 || answer.json?.error?.code !== 'body_too_large')
          findings.list.push(
            `${target.name} (${size} bytes${chunked ? ', chunked' : ''}): ${answer.status} ${JSON.stringify(answer.json)}`,
          );
      }

      // Just under the limit, valid JSON: refused for what it says, not for its size.
      const under = JSON.stringify({ ...target.valid(), padding: 'p'.repeat(MiB - 2_000) });
      findings.check(await ask(target, under, token), `${target.name} (just under 1 MiB)`);
    }
    findings.expectNone();
    await expectHealthy();
  });

  it('survives JSON nested ten thousand deep and more', async () => {
    const token = await freshToken();
    const findings = new Findings();
    const deepCondition = (depth: number) =>
      `${'{"not":'.repeat(depth)}{"field":"contact.id","op":"exists"}${'}'.repeat(depth)}`;
    for (const target of targets) {
      const bodies: [string, string][] = [
        ['10,000 nested arrays', nestedJson(10_000, 'array')],
        ['100,000 nested arrays', nestedJson(100_000, 'array')],
        ['10,000 nested objects', nestedJson(10_000, 'object')],
        [
          'a valid body with 10,000 nested arrays in an extra field',
          JSON.stringify({ ...target.valid(), deep: 0 }).replace(
            '"deep":0',
            `"deep":${nestedJson(10_000, 'array')}`,
          ),
        ],
      ];
      const slot = DEEP_SLOT[target.name];
      if (slot) {
        for (const depth of [100, 1_000, 10_000, 100_000])
          bodies.push([`free-form JSON ${depth} deep`, slot(nestedJson(depth, 'array'), uniqueId('deep'))]);
      }
      if (target.name === 'save flow' || target.name === 'import flow') {
        const flow = target.valid();
        flow.settings = { goal: { event: 'x', filter: '@' } };
        for (const depth of [40, 10_000, 100_000])
          bodies.push([
            `a condition ${depth} deep`,
            JSON.stringify(flow).replace('"@"', deepCondition(depth)),
          ]);
      }
      if (target.name === 'campaign')
        bodies.push([
          'an audience condition 100,000 deep',
          JSON.stringify(target.valid()).replace(
            '"audience":{',
            `"audience":{"where":${deepCondition(100_000)},`,
          ),
        ]);
      for (const [what, body] of bodies)
        findings.check(await ask(target, body, token), `${target.name}: ${what}`);
      await expectHealthy();
    }
    findings.expectNone();
  });

  it('survives bytes that are not UTF-8', async () => {
    const token = await freshToken();
    const findings = new Findings();
    for (const [t, target] of targets.entries()) {
      // A third of the kinds of bad bytes per route, a different third for neighbouring routes.
      const bodies = invalidUtf8Bodies(JSON.stringify(target.valid())).filter((_, i) => (i + t) % 3 === 0);
      await inBatches(bodies, 4, async (body) => {
        findings.check(
          await ask(target, body, token),
          `${target.name}: bytes ${[...body.slice(0, 12)].join(',')}…`,
        );
      });
    }
    findings.expectNone();
    await expectHealthy();
  });

  it('survives strings that Postgres cannot store: NUL, lone surrogates', async () => {
    const token = await freshToken();
    const findings = new Findings();
    for (const target of targets) {
      for (const nasty of NASTY_STRINGS) {
        const answer = await ask(target, withNasty(target, nasty), token);
        findings.check(answer, `${target.name}: ${JSON.stringify(nasty)} in its strings`);
      }
    }
    findings.expectNone();
    await expectHealthy();
  });

  it('pollutes no prototype, whatever keys the JSON has', async () => {
    const token = await freshToken();
    const findings = new Findings();
    for (const target of targets) {
      for (const key of POLLUTION_KEYS)
        findings.check(
          await ask(target, pollute(target.valid(), key), token),
          `${target.name}: ${key} in every object`,
        );
      findings.check(
        await ask(target, '{"__proto__":{"polluted":1}}', token),
        `${target.name}: __proto__ alone`,
      );
    }
    findings.expectNone();
    await expectHealthy();
    // What was stored is plain data: a contact saved with a `__proto__` attribute reads back without it.
    const id = uniqueId('proto-contact');
    const saved = await app.request(
      'PUT',
      `/api/contacts/${id}`,
      '{"name":"P","attributes":{"__proto__":{"polluted":1},"city":"x"}}',
    );
    expect(saved.status).toBe(201);
    const read = await app.request('GET', `/api/contacts/${id}`);
    expect(read.status).toBe(200);
    expect(JSON.stringify(read.body)).not.toContain('polluted');
  });

  it('answers random changes to valid bodies with a clear answer', async () => {
    const token = await freshToken();
    const findings = new Findings();
    for (const [t, target] of targets.entries()) {
      await inBatches(randomBodies(target.valid(), 8, 2026 + t), 6, async (body) => {
        findings.check(await ask(target, body, token), `${target.name}: ${body.slice(0, 200)}`);
      });
    }
    findings.expectNone();
    await expectHealthy();
    // Bounded: a few hundred requests in all.
    expect(asked).toBeLessThan(700);
  });
});

describe('a sweep of edge values over every route', () => {
  /**
   * Each path parameter, query parameter and JSON body field of every operation in the server's
   * OpenAPI document (so a new route is swept without a word here) gets each edge value in turn,
   * the rest of the request left valid: no answer may be a 5xx, and a 422 to a query parameter
   * names it.
   */
  it('answers every parameter of every route, at its edges, without a server error', async () => {
    const flow = uniqueId('sweep');
    await publishFlow(app, manualFlow(flow));
    await publishFlow(app, { ...manualFlow(flow), name: 'Hostile input, v2' }); // to migrate to
    const contact = uniqueId('sweep-contact');
    const importFlow = uniqueId('sweep-import');
    // Valid requests to vary, where a route needs more than nothing to get past its first check.
    const bodies: Record<string, () => Json> = {
      'POST /api/auth/login': () => ({ email: 'nobody@sweep.test', password: 'not-a-password' }),
      'POST /api/tokens': () => ({ name: 'sweep', role: 'viewer', expiresInDays: 1 }),
      'POST /api/flows/from-template': () => ({
        template: 'welcome',
        locale: 'zh',
        id: uniqueId('sweep-tpl'),
      }),
      'PUT /api/flows/{id}': () => manualFlow(flow),
      'POST /api/flows/import': () => manualFlow(importFlow),
      'POST /api/flows/{id}/publish': () => ({ note: 'sweep' }),
      'POST /api/flows/{id}/rollback': () => ({ version: 1, note: 'sweep' }),
      'POST /api/flows/{id}/stop': () => ({ reason: 'sweep' }),
      'POST /api/flows/{id}/enroll': () => ({
        contact: { id: contact, name: 'Otto', points: 1 },
        event: { x: 1 },
      }),
      'POST /api/flows/{id}/migrate': () => ({ from: 1, to: 2, mapping: { pause: 'pause' }, preview: true }),
      'POST /api/flows/{id}/simulate': () => ({
        contact: { id: 'c1', phone: '+8613800000000', points: 1 },
        events: [{ at: '+1h', name: 'reply', payload: { text: 'hi' } }],
        startAt: '2026-03-02T10:00:00+08:00',
        version: 1,
      }),
      'PUT /api/contacts/{id}': () => ({
        name: 'Vera',
        email: 'vera@example.com',
        timezone: 'Asia/Shanghai',
        attributes: { city: '北京' },
        tags: ['vip'],
        points: 5,
        unsubscribed: { sms: false },
      }),
      'POST /api/contacts/import': () => [{ id: contact, name: 'Vera', points: 5 }],
      'POST /api/hooks/{flowId}': () => ({
        contact: { id: uniqueId('sweep-hook'), name: 'V' },
        event: { group: 'g' },
      }),
      'POST /api/events': () => ({
        id: uniqueId('ev'),
        contactId: contact,
        name: 'reply',
        payload: { text: 'hi' },
      }),
      'POST /api/campaigns': () => ({
        flowId: flow,
        audience: { contactIds: [contact] },
        at: '2099-01-01T00:00:00Z',
        pageSize: 10,
      }),
    };
    const queries: Record<string, Record<string, string>> = {
      'POST /api/flows/import': { id: importFlow, overwrite: 'true' },
    };
    const pathBase = (template: string, name: string): string => {
      if (name === 'flowId') return hook.flowId;
      if (name === 'version') return '1';
      if (name === 'nodeId') return 'pause';
      if (name === 'channel') return 'sms';
      if (template.startsWith('/api/flows/')) return flow;
      if (template.startsWith('/api/contacts/')) return contact;
      return 'none';
    };

    const spec = (await app.request('GET', '/api/openapi.json')).body;
    // What changes a flow's state goes last, so the routes before it see the flow as it was set up.
    const changesState = (op: Operation) =>
      op.method === 'DELETE' || /\/(stop|pause|logout|cancel)$/.test(op.path);
    const operations = operationsOf(spec, 3).sort(
      (a, b) => Number(changesState(a)) - Number(changesState(b)),
    );
    expect(operations.length).toBeGreaterThan(50);

    interface Case {
      target: Target;
      body: string | undefined;
      what: string;
      query?: string;
    }
    const cases: Case[] = [];
    for (const op of operations) {
      const key = `${op.method} ${op.path}`;
      const base = bodies[key]?.() ?? (op.bodyFields.length > 0 ? {} : undefined);
      const url = (path: Record<string, string>, query: Record<string, string>) => {
        const filled = op.path.replace(
          /\{([^}]+)\}/g,
          (_, name: string) => path[name] ?? encodeURIComponent(pathBase(op.path, name)),
        );
        const search = Object.entries(query).map(([k, v]) => `${encodeURIComponent(k)}=${v}`);
        return search.length > 0 ? `${filled}?${search.join('&')}` : filled;
      };
      const baseQuery = Object.fromEntries(
        Object.entries(queries[key] ?? {}).map(([k, v]) => [k, encodeURIComponent(v)]),
      );
      const target = (path: string): Target => ({
        name: key,
        method: op.method,
        path,
        public: op.public,
        ...(path.startsWith(`/api/hooks/${hook.flowId}`) ? { secret: hook.secret } : {}),
        valid: () => base,
      });
      const text = (body: Json) => (body === undefined ? undefined : JSON.stringify(body));
      for (const value of EDGE_VALUES) {
        const inUrl = edgeInUrl(value);
        if (inUrl === undefined) continue;
        for (const name of op.pathParams)
          cases.push({
            target: target(url({ [name]: inUrl }, baseQuery)),
            body: text(bodies[key]?.() ?? base),
            what: `${key}: path ${name} = ${value.name}`,
          });
        for (const name of op.queryParams)
          cases.push({
            target: target(url({}, { ...baseQuery, [name]: inUrl })),
            body: text(bodies[key]?.() ?? base),
            what: `${key}: query ${name} = ${value.name}`,
            query: name,
          });
      }
      for (const field of op.bodyFields)
        for (const value of edgeValuesFor(field.kinds))
          cases.push({
            target: target(url({}, baseQuery)),
            body: text(withValueAt(bodies[key]?.() ?? base, field.path, value.json)),
            what: `${key}: body ${field.path.join('.')} = ${value.name}`,
          });
    }

    // A token per few hundred requests: the rate limit counts per token, and this test is not about it.
    const tokens: string[] = [];
    for (let i = 0; i < cases.length; i += 250) tokens.push(await freshToken());
    const findings = new Findings();
    // The server runs in this process: what it logs as an error (an audit entry it could not
    // write) is a finding too, though the answer was fine.
    const logged: string[] = [];
    const log = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(' ').slice(0, 300));
    });
    const started = Date.now();
    await inBatches(
      cases.map((c, i) => ({ ...c, token: tokens[Math.floor(i / 250)]! })),
      8,
      async ({ target, body, what, query, token }) => {
        const answer = await ask(target, body, token);
        findings.check(answer, what);
        const named = (answer.json?.error?.details ?? []) as { path?: string }[];
        if (
          query &&
          answer.status === 422 &&
          !(answer.json?.error?.code === 'invalid_query' && named.some((d) => d.path === query))
        )
          findings.list.push(
            `${what}: a 422 that does not name the query parameter: ${answer.text.slice(0, 200)}`,
          );
      },
    );
    log.mockRestore();
    console.log(
      `sweep: ${cases.length} requests over ${operations.length} operations in ${Date.now() - started} ms`,
    );
    findings.expectNone();
    expect(logged).toEqual([]);
    await expectHealthy();
    // About 2,900 requests, many of them starting runs or asking them (events are Workflow Updates):
    // half a minute alone, minutes beside the other end-to-end files on two cores.
  }, 600_000);

  it('imports a CSV with an edge value in each column of a row: every bad row reported, every other saved', async () => {
    const columns = [
      'name',
      'timezone',
      'email',
      'phone',
      'tags',
      'unsubscribed',
      'points',
      'attributes',
      'city',
      'age:number',
      'vip:boolean',
      'prefs:json',
    ];
    const prefix = uniqueId('csv-sweep');
    const quoted = (cell: string) => `"${cell.replaceAll('"', '""')}"`;
    const values = EDGE_VALUES.flatMap((value) => (value.text === undefined ? [] : [value.text]));
    const rows = columns.flatMap((column, c) =>
      values.map((value, v) => {
        const cells = columns.map((other) => (other === column ? quoted(value) : ''));
        return [quoted(`${prefix}-${c}-${v}`), ...cells].join(',');
      }),
    );
    const csv = [['id', ...columns].join(','), ...rows].join('\n');
    const answer = await app.requestWith({ token: await freshToken() }, 'POST', '/api/contacts/import', csv, {
      'content-type': 'text/csv',
    });
    expect(answer.status, JSON.stringify(answer.body).slice(0, 500)).toBe(200);
    expect(answer.body.received).toBe(rows.length);
    expect(answer.body.imported + answer.body.failed).toBe(rows.length);
    expect(answer.body.imported).toBeGreaterThan(0);
    // Each refused row says which field of it is wrong.
    for (const error of answer.body.errors)
      expect(error.issues?.length ?? 0, JSON.stringify(error)).toBeGreaterThan(0);
  });
});

describe('hostile flows', () => {
  it('cannot tie up the server with a dry-run: a loop of one-second waits, messages that take a render limit', async () => {
    for (const text of [
      'again {{ contact.name }}',
      '{% for i in (1..5000) %}{% for j in (1..5000) %}{% endfor %}{% endfor %}',
    ]) {
      const id = uniqueId('hostile-loop');
      const flow = {
        schemaVersion: 1,
        id,
        name: 'Loop',
        nodes: [
          { id: 'in', type: 'trigger', trigger: { kind: 'manual' } },
          { id: 'again', type: 'send', channel: 'sms', message: { text } },
          { id: 'tick', type: 'wait', duration: 'PT1S' },
        ],
        edges: [
          { id: 'a', source: 'in', target: 'again' },
          { id: 'b', source: 'again', target: 'tick' },
          { id: 'c', source: 'tick', target: 'again' },
        ],
      };
      expect((await app.request('PUT', `/api/flows/${id}`, flow)).body.errors).toEqual([]);
      // 400 days of one-second rounds would be 35 million rounds (or hours of renders).
      const answer = await app.request('POST', `/api/flows/${id}/simulate`, {
        contact: { id: 'c1', phone: '+8613800000000' },
      });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ outcome: null, truncated: true });
      await expectHealthy();
    }
  });
});

describe('bugs this suite found, fixed', () => {
  /** The answer is a 422 with `code` whose details name `field`. */
  const refusedNaming = (
    answer: { status: number; body: Json },
    code: string,
    field: string,
    what: string,
  ) => {
    expect(answer.status, `${what}: ${JSON.stringify(answer.body)}`).toBe(422);
    expect(answer.body.error.code, what).toBe(code);
    expect(
      answer.body.error.details.map((d: { path: string }) => d.path),
      what,
    ).toContain(field);
  };

  it("a number past Postgres's int range is refused naming its field (versions, points, audit ids), not a 500", async () => {
    const flow = uniqueId('int-range');
    await publishFlow(app, manualFlow(flow));
    const big = 99_999_999_999;
    refusedNaming(
      await app.request('GET', `/api/flows/${flow}/versions/${big}`),
      'invalid_path',
      'version',
      'version path',
    );
    refusedNaming(
      await app.request('GET', `/api/flows/${flow}/stats?version=${big}`),
      'invalid_query',
      'version',
      'stats',
    );
    refusedNaming(
      await app.request('GET', `/api/flows/${flow}/nodes/pause/contacts?version=${big}`),
      'invalid_query',
      'version',
      'contacts at a step',
    );
    refusedNaming(
      await app.request('POST', `/api/flows/${flow}/rollback`, { version: big }),
      'invalid_body',
      'version',
      'rollback',
    );
    refusedNaming(
      await app.request('POST', `/api/flows/${flow}/simulate`, { contact: { id: 'c1' }, version: big }),
      'invalid_body',
      'version',
      'simulate',
    );
    for (const field of ['from', 'to'])
      refusedNaming(
        await app.request('POST', `/api/flows/${flow}/migrate`, {
          from: 1,
          to: 1,
          [field]: big,
          mapping: { pause: 'pause' },
          preview: true,
        }),
        'invalid_body',
        field,
        `migrate ${field}`,
      );
    refusedNaming(
      await app.request('PUT', `/api/contacts/${uniqueId('big-points')}`, { points: big }),
      'invalid_contact',
      'points',
      'contact points',
    );
    refusedNaming(
      await app.request('POST', `/api/flows/${flow}/enroll`, { contact: { id: uniqueId('c'), points: big } }),
      'invalid_body',
      'contact.points',
      'enroll points',
    );
    refusedNaming(
      await app.request('GET', '/api/audit?before=99999999999999999999'),
      'invalid_query',
      'before',
      'audit before',
    );
    // The range's own ends are taken.
    expect((await app.request('GET', `/api/flows/${flow}/versions/2147483647`)).body.error.code).toBe(
      'version_not_found',
    );
    expect((await app.request('GET', `/api/flows/${flow}/versions/1`)).status).toBe(200);
  });

  it("every route checks its query: the outbox's limit, and text Postgres refuses, are named", async () => {
    for (const limit of ['-1', '1.5', '0', '1e308', 'lots'])
      refusedNaming(await app.request('GET', `/api/outbox?limit=${limit}`), 'invalid_query', 'limit', limit);
    expect((await app.request('GET', '/api/outbox?limit=2')).status).toBe(200);
    refusedNaming(await app.request('GET', '/api/contacts?q=a%00b'), 'invalid_query', 'q', 'NUL in q');
    refusedNaming(
      await app.request('GET', '/api/outbox?contactId=a%00b'),
      'invalid_query',
      'contactId',
      'NUL in contactId',
    );
  });

  it('a write whose path holds a NUL is audited all the same', async () => {
    const id = uniqueId('nul-path');
    expect((await app.request('POST', `/api/flows/a%00${id}/pause`)).status).toBeGreaterThanOrEqual(400);
    const audit = await app.request('GET', `/api/audit?target=${id}`);
    expect(audit.body.entries).toEqual([
      expect.objectContaining({
        action: 'POST /api/flows/:id/pause',
        target: `/api/flows/a\ufffd${id}/pause`,
      }),
    ]);
  });

  it('a path that names no route answers JSON, under /u/ too', async () => {
    const answer = await app.request('GET', '/u/');
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('not_found');
  });

  it('a migration mapping to or from a "step" that is an Object method is refused', async () => {
    const migrate = targets.find((t) => t.name === 'migrate')!;
    const token = await freshToken();
    for (const mapping of [{ pause: 'toString' }, { constructor: 'pause' }, { hasOwnProperty: 'valueOf' }]) {
      const answer = await ask(migrate, JSON.stringify({ from: 1, to: 2, mapping, preview: true }), token);
      expect(answer.status, `${JSON.stringify(mapping)}: ${answer.text}`).toBe(422);
      expect(answer.json?.error?.code).toBe('invalid_mapping');
    }
  });
});
