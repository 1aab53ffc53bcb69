import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishFlow, startTestApp, type TestApp, uniqueId } from '../support/stack';
import {
  type Answer,
  Findings,
  inBatches,
  invalidUtf8Bodies,
  type Json,
  NASTY_STRINGS,
  nestedJson,
  POLLUTION_KEYS,
  pollute,
  randomBodies,
  send,
  sendLarge,
  type Target,
  WRONG_TYPES,
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
  await publishFlow(app, manualFlow(runFlow)); // version 2, to migrate to
  await publishFlow(app, manualFlow(draftFlow));
  const secret = (await app.request('GET', `/api/flows/${hookFlow}/webhook`)).body.secret as string;
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
