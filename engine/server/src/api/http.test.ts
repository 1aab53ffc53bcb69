import { Hono } from 'hono';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { findFreePort } from '../processes/ports';
import {
  answerWith,
  checkBody,
  checkPath,
  checkQuery,
  codedError,
  databaseFailure,
  isUnavailable,
  jsonValueProblem,
  MAX_JSON_DEPTH,
  storableText,
  temporalUnavailable,
} from './http';

const nested = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}1${']'.repeat(depth)}`);

describe('jsonValueProblem', () => {
  it('takes plain bodies, emoji and nesting up to the bound', () => {
    expect(jsonValueProblem({ contact: { id: 'c1', name: '小明 👋' }, tags: ['a'] })).toBeUndefined();
    expect(jsonValueProblem(nested(MAX_JSON_DEPTH))).toBeUndefined();
  });

  it('refuses nesting past the bound, without recursing itself', () => {
    expect(jsonValueProblem(nested(MAX_JSON_DEPTH + 1))?.code).toBe('json_too_deep');
    expect(jsonValueProblem(nested(200_000))?.status).toBe(400);
  });

  it('refuses text Postgres cannot store, in values and in keys', () => {
    for (const value of [{ a: 'x\u0000y' }, ['\ud800'], { b: 'x\udfffy' }, { 'k\u0000': 1 }, { '\udc00': 1 }])
      expect(jsonValueProblem(value), JSON.stringify(value)).toMatchObject({
        code: 'invalid_text',
        status: 422,
      });
  });

  it('names the field that holds the text, or the key', () => {
    expect(jsonValueProblem({ contact: { tags: ['ok', 'x\u0000'] } })?.path).toBe('contact.tags.1');
    expect(jsonValueProblem({ attributes: { 'k\u0000': 1 } })?.path).toBe('attributes.k\u0000');
  });
});

describe('storableText', () => {
  it('replaces what Postgres refuses and keeps the rest', () => {
    expect(storableText('/api/flows/a\u0000b/\ud800x/北京🎉')).toBe('/api/flows/a\ufffdb/\ufffdx/北京🎉');
  });
});

describe('databaseFailure', () => {
  it('answers 503 while Postgres is away, 422 for text it refuses, nothing for other errors', () => {
    expect(databaseFailure(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))?.status).toBe(503);
    expect(databaseFailure(Object.assign(new Error('shutdown'), { code: '57P01' }))?.status).toBe(503);
    const wrapped = new Error('outer', {
      cause: Object.assign(new Error('closed'), { code: 'CONNECTION_CLOSED' }),
    });
    expect(databaseFailure(wrapped)?.code).toBe('database_unavailable');
    expect(databaseFailure(Object.assign(new Error('nul'), { code: '22P05' }))?.status).toBe(422);
    expect(databaseFailure(Object.assign(new Error('unique'), { code: '23505' }))).toBeUndefined();
    expect(databaseFailure(new Error('plain'))).toBeUndefined();
  });
});

describe('isUnavailable', () => {
  it('takes a refused Postgres connection for the database, not for Temporal', async () => {
    // Nothing listens on a free port: the real error postgres.js raises when the database is down.
    const sql = postgres({ host: '127.0.0.1', port: await findFreePort(), max: 1, connect_timeout: 5 });
    const error = await sql`select 1`.then(
      () => undefined,
      (e: unknown) => e,
    );
    await sql.end({ timeout: 1 });
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    expect(databaseFailure(error)).toMatchObject({ status: 503, code: 'database_unavailable' });
    expect(isUnavailable(error)).toBe(false);
  });

  it('still takes gRPC UNAVAILABLE for Temporal', () => {
    const error = Object.assign(new Error('14 UNAVAILABLE: connect ECONNREFUSED 127.0.0.1:7233'), {
      code: 14,
    });
    expect(databaseFailure(error)).toBeUndefined();
    expect(isUnavailable(error)).toBe(true);
  });
});

describe('checkBody, checkQuery and checkPath', () => {
  const Body = z.object({ name: z.string().min(1) });
  const app = new Hono();
  app.post('/things', async (c) => {
    const body = await checkBody(c, Body, 'Name the thing.', 'invalid_thing');
    return body.ok ? c.json({ got: body.data }) : body.response;
  });
  app.get('/things', (c) => {
    const query = checkQuery(c, z.object({ limit: z.string().regex(/^\d+$/).optional() }));
    return query.ok ? c.json({ got: query.data }) : query.response;
  });
  app.get('/things/:id/:n', (c) => {
    const path = checkPath(c, z.object({ id: z.string(), n: z.coerce.number().int().max(9) }));
    return path.ok ? c.json({ got: path.data }) : path.response;
  });
  const post = (body: string) => app.request('/things', { method: 'POST', body });

  it('answers the checked data', async () => {
    expect(await (await post('{"name":"x"}')).json()).toEqual({ got: { name: 'x' } });
    expect(await (await app.request('/things?limit=5')).json()).toEqual({ got: { limit: '5' } });
  });

  it('answers 422 with the code, the message and the fields at fault', async () => {
    const answer = await post('{"name":""}');
    expect(answer.status).toBe(422);
    expect(await answer.json()).toEqual({
      error: {
        code: 'invalid_thing',
        message: 'Name the thing.',
        details: [{ path: 'name', message: expect.any(String) }],
      },
    });
    const query = await app.request('/things?limit=many');
    expect(query.status).toBe(422);
    expect(await query.json()).toMatchObject({
      error: { code: 'invalid_query', message: 'The query is not valid.', details: [{ path: 'limit' }] },
    });
  });

  it('names a query or path parameter that holds text Postgres refuses, whatever its schema', async () => {
    const query = await app.request('/things?limit=1&other=a%00b');
    expect(query.status).toBe(422);
    expect(await query.json()).toMatchObject({
      error: { code: 'invalid_query', details: [{ path: 'other', message: expect.stringMatching(/NUL/) }] },
    });
    const path = await app.request('/things/a%00b/1');
    expect(path.status).toBe(422);
    expect(await path.json()).toMatchObject({ error: { code: 'invalid_path', details: [{ path: 'id' }] } });
  });

  it('answers the checked path, or 422 naming the parameter out of range', async () => {
    expect(await (await app.request('/things/x/7')).json()).toEqual({ got: { id: 'x', n: 7 } });
    const answer = await app.request('/things/x/99999999999');
    expect(answer.status).toBe(422);
    expect(await answer.json()).toMatchObject({
      error: { code: 'invalid_path', message: 'The path is not valid.', details: [{ path: 'n' }] },
    });
  });

  it('answers a body that is not JSON before checking it', async () => {
    const answer = await post('{');
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ error: { code: 'invalid_json' } });
  });
});

describe('answerWith', () => {
  class ThingError extends Error {
    constructor(
      readonly code: 'gone' | 'busy',
      message: string,
      readonly details?: unknown,
    ) {
      super(message);
    }
  }
  const failure = codedError(ThingError, { gone: 404, busy: 409 });
  const answer = (work: () => Promise<unknown>) => {
    const app = new Hono();
    app.get('/', (c) => answerWith(c, work, failure, 201));
    app.onError((error, c) => c.json({ thrown: error.message }, 500));
    return app.request('/');
  };

  it('answers what the work gives, with the status asked for', async () => {
    const ok = await answer(async () => ({ done: true }));
    expect(ok.status).toBe(201);
    expect(await ok.json()).toEqual({ done: true });
  });

  it("answers a known error with its code's status, its message and details", async () => {
    const gone = await answer(async () => {
      throw new ThingError('gone', 'It is gone.', { id: 't1' });
    });
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({
      error: { code: 'gone', message: 'It is gone.', details: { id: 't1' } },
    });
  });

  it('throws any other error on to the error handler', async () => {
    const other = await answer(async () => {
      throw new Error('boom');
    });
    expect(other.status).toBe(500);
    expect(await other.json()).toEqual({ thrown: 'boom' });
  });

  it('answers an unreachable Temporal with 503 and what to do', async () => {
    const app = new Hono();
    app.get('/', (c) =>
      answerWith(
        c,
        async () => {
          throw Object.assign(new Error('14 UNAVAILABLE'), { code: 14 });
        },
        temporalUnavailable('Retry.'),
      ),
    );
    const down = await app.request('/');
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ error: { code: 'temporal_unavailable', message: 'Retry.' } });
  });
});
