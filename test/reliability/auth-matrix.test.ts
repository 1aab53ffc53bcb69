import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, uniqueId } from '../support/stack';

/**
 * Every route the OpenAPI document lists, asked with no credentials, a wrong token, an expired
 * session, a session cookie without its CSRF header, and each role's token: a route is open only
 * to what its documented role allows, and only public routes answer strangers. Path parameters
 * name nothing that exists and bodies are empty, so no request changes anything.
 */

type Role = 'viewer' | 'operator' | 'admin';
const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };
const WRITES = new Set(['post', 'put', 'patch', 'delete']);

interface Operation {
  method: string;
  path: string;
  role: Role | 'public';
  /** Changes nothing, so a session may call it without the CSRF header. */
  sideEffectFree: boolean;
}

let app: TestApp;
let operations: Operation[];
const tokens = {} as Record<Role, string>;

beforeAll(async () => {
  const builderDir = mkdtempSync(path.join(tmpdir(), 'sopflow-builder-'));
  writeFileSync(
    path.join(builderDir, 'index.html'),
    '<!doctype html><title>builder</title><div id="root"></div>',
  );
  app = await startTestApp({ worker: false, builderDir });
  const spec = (await app.request('GET', '/api/openapi.json')).body as {
    paths: Record<
      string,
      Record<string, { 'x-sopflow-role': Role | 'public'; 'x-sopflow-side-effect-free'?: boolean }>
    >;
  };
  operations = Object.entries(spec.paths).flatMap(([route, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method,
      // Ids that exist nowhere, so an allowed request finds nothing to act on.
      path: route.replace(/\{[^}]+\}/g, () => uniqueId('nothing')),
      role: operation['x-sopflow-role'],
      sideEffectFree: operation['x-sopflow-side-effect-free'] === true,
    })),
  );
  for (const role of ['viewer', 'operator', 'admin'] as const)
    tokens[role] = (await app.accounts.createToken({ name: uniqueId(`matrix-${role}`), role })).token;
});

afterAll(async () => {
  await app?.stop();
});

const ask = (op: Operation, auth: Parameters<TestApp['requestWith']>[0], headers?: Record<string, string>) =>
  app.requestWith(auth, op.method.toUpperCase(), op.path, WRITES.has(op.method) ? {} : undefined, headers);

describe('every route, every kind of caller', () => {
  it('lists every route with the role it needs', () => {
    expect(operations.length).toBeGreaterThan(50);
    for (const op of operations)
      expect(['public', 'viewer', 'operator', 'admin'], `${op.method} ${op.path}`).toContain(op.role);
  });

  it('answers strangers, wrong tokens and expired sessions with 401 on every route that is not public', async () => {
    const { cookie } = await app.login();
    // Sessions are stored by the SHA-256 of the cookie's value.
    const value = decodeURIComponent(cookie.split(';')[0]!.split('=').slice(1).join('='));
    const stored = createHash('sha256').update(value).digest('hex');
    const ended =
      await app.sql`update sessions set expires_at = now() - interval '1 second' where id = ${stored} returning id`;
    expect(ended).toHaveLength(1);
    const expired = await app.requestWith({ cookie }, 'GET', '/api/flows');
    const wrong: string[] = [];
    for (const op of operations.filter((o) => o.role !== 'public')) {
      for (const [who, auth] of [
        ['nobody', {}],
        ['a wrong token', { token: 'sft_not-a-real-token-000000000000' }],
        ['an expired session', { cookie }],
      ] as const) {
        const answer = await ask(op, auth);
        if (answer.status !== 401) wrong.push(`${op.method} ${op.path} with ${who}: ${answer.status}`);
      }
    }
    expect(expired.status).toBe(401);
    expect(wrong).toEqual([]);
  });

  it('lets each role through exactly the routes its role allows', async () => {
    const wrong: string[] = [];
    let allowed = 0;
    let refused = 0;
    for (const op of operations.filter((o) => o.role !== 'public')) {
      for (const role of ['viewer', 'operator', 'admin'] as const) {
        const answer = await ask(op, { token: tokens[role] });
        const mayCall = RANK[role] >= RANK[op.role as Role];
        if (mayCall) {
          allowed++;
          if ([401, 403].includes(answer.status) || answer.status >= 500)
            wrong.push(`${op.method} ${op.path} as ${role}: ${answer.status} ${JSON.stringify(answer.body)}`);
        } else {
          refused++;
          if (answer.status !== 403 || answer.body?.error?.code !== 'forbidden')
            wrong.push(`${op.method} ${op.path} as ${role} (needs ${op.role}): ${answer.status}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(allowed).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });

  it('refuses writes made with the session cookie but without its CSRF header', async () => {
    const session = await app.login();
    const wrong: string[] = [];
    for (const op of operations.filter((o) => o.role !== 'public' && WRITES.has(o.method))) {
      if (op.path === '/api/auth/logout') continue; // ends the session the other requests use
      // A POST that changes nothing (the Temporal UI's codec) is let through: the UI cannot send the header.
      const refusedWithout = (status: number) => (op.sideEffectFree ? status !== 403 : status === 403);
      const answer = await ask(op, { cookie: session.cookie });
      if (!refusedWithout(answer.status)) wrong.push(`${op.method} ${op.path}: ${answer.status}`);
      const forged = await ask(op, { cookie: session.cookie, csrfToken: 'not-the-token' });
      if (!refusedWithout(forged.status))
        wrong.push(`${op.method} ${op.path} with a forged CSRF header: ${forged.status}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('security headers', () => {
  it('come with the builder page, API answers and errors alike', async () => {
    for (const url of ['/', '/flows/anything', '/api/health', '/api/flows', '/u/not-a-token']) {
      const response = await fetch(`${app.url}${url}`);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp, url).toContain("default-src 'self'");
      expect(csp, url).toContain("script-src 'self'");
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(csp, url).not.toContain('unsafe-eval');
      expect(response.headers.get('x-content-type-options'), url).toBe('nosniff');
      expect(response.headers.get('x-frame-options'), url).toBe('DENY');
      expect(response.headers.get('referrer-policy'), url).toBe('no-referrer');
    }
  });
});
