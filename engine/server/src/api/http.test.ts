import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { findFreePort } from '../processes/ports';
import { databaseFailure, isUnavailable, jsonValueProblem, MAX_JSON_DEPTH } from './http';

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
    for (const value of [
      { a: 'x\u0000y' },
      ['\ud800'],
      { b: 'x\udfffy' },
      { 'k\u0000': 1 },
      { ['\udc00']: 1 },
    ])
      expect(jsonValueProblem(value), JSON.stringify(value)).toMatchObject({
        code: 'invalid_text',
        status: 422,
      });
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
