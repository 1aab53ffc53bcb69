import SwaggerParser from '@apidevtools/swagger-parser';
import { contactFlowWorkflowId } from '@sopflow/workflows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishFlow, startTestApp, TEST_ADMIN, type TestApp, uniqueId } from './support/stack';

/**
 * The management API: who may do what (tokens, logins, roles, CSRF, rate limits, the audit log),
 * a flow's life after publishing (pause, resume, stop, rollback, archive, export and import),
 * contacts (upsert, search, bulk import, journey history), statistics, Temporal UI links, and
 * the OpenAPI document that describes every route.
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.stop();
});

type Doc = { id: string; [key: string]: unknown };

/** A manual flow where each contact waits for `go` (a day at most), then leaves. */
const waitingFlow = (id: string, name = 'Waits for go'): Doc => ({
  schemaVersion: 1,
  id,
  name,
  nodes: [
    { id: 'in', type: 'trigger', trigger: { kind: 'manual' } },
    { id: 'hold', type: 'wait_for_event', event: 'go', timeout: 'P1D' },
    { id: 'out', type: 'exit' },
  ],
  edges: [
    { id: 'a', source: 'in', target: 'hold' },
    { id: 'b', source: 'hold', sourceHandle: 'event', target: 'out' },
    { id: 'c', source: 'hold', sourceHandle: 'timeout', target: 'out' },
  ],
});

const enroll = (flowId: string, contactId: string, extra: Record<string, unknown> = {}) =>
  app.request('POST', `/api/flows/${flowId}/enroll`, { contact: { id: contactId, ...extra } });

const result = (flowId: string, contactId: string) =>
  app.client.workflow.getHandle(contactFlowWorkflowId(flowId, contactId)).result();

async function tokenFor(role: 'viewer' | 'operator' | 'admin') {
  const created = await app.request('POST', '/api/tokens', { name: uniqueId(role), role });
  expect(created.status).toBe(201);
  return created.body.token as string;
}

describe('who may call the API', () => {
  it('refuses requests without credentials, or with a wrong token, with 401', async () => {
    const none = await app.requestWith({}, 'GET', '/api/flows');
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('unauthenticated');
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);

    const wrong = await app.requestWith({ token: 'sft_not-a-real-token' }, 'GET', '/api/flows');
    expect(wrong).toMatchObject({ status: 401, body: { error: { code: 'invalid_token' } } });
    const malformed = await app.requestWith({}, 'GET', '/api/flows', undefined, {
      authorization: 'Basic abc',
    });
    expect(malformed).toMatchObject({ status: 401, body: { error: { code: 'invalid_token' } } });

    // Writes too, and unknown paths do not tell what exists.
    expect((await app.requestWith({}, 'PUT', '/api/flows/x', waitingFlow('x'))).status).toBe(401);
    expect((await app.requestWith({}, 'GET', '/api/no-such-thing')).status).toBe(401);
    expect((await app.requestWith({ token: app.token }, 'GET', '/api/no-such-thing')).status).toBe(404);
  });

  it('leaves the public routes open: health, signed webhooks, provider callbacks, unsubscribe, login', async () => {
    expect(await app.requestWith({}, 'GET', '/api/health')).toMatchObject({
      status: 200,
      body: { ok: true },
    });
    // Unknown flow: the webhook's own 404, not a 401.
    const hook = await app.requestWith({}, 'POST', '/api/hooks/no-such-flow', { contact: { id: 'c' } });
    expect(hook).toMatchObject({ status: 404, body: { error: { code: 'flow_not_found' } } });
    const inbound = await app.requestWith({}, 'POST', '/api/inbound/twilio', 'From=x', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(inbound).toMatchObject({ status: 404, body: { error: { code: 'not_configured' } } });
    expect((await app.requestWith({}, 'GET', '/u/not-a-token')).status).toBe(404);
    const login = await app.requestWith({}, 'POST', '/api/auth/login', {
      email: 'nobody@x.test',
      password: 'x',
    });
    expect(login).toMatchObject({ status: 401, body: { error: { code: 'invalid_credentials' } } });
  });

  it('refuses revoked and expired tokens', async () => {
    const token = await tokenFor('viewer');
    expect((await app.requestWith({ token }, 'GET', '/api/flows')).status).toBe(200);
    const listed = await app.request('GET', '/api/tokens');
    const record = listed.body.tokens.find((t: { prefix: string }) => token.startsWith(t.prefix));
    expect(record).toBeDefined();
    expect(JSON.stringify(listed.body)).not.toContain(token);
    expect((await app.request('DELETE', `/api/tokens/${record.id}`)).status).toBe(200);
    expect(await app.requestWith({ token }, 'GET', '/api/flows')).toMatchObject({
      status: 401,
      body: { error: { code: 'invalid_token' } },
    });
    expect((await app.request('DELETE', '/api/tokens/not-a-uuid')).status).toBe(404);

    const expired = await app.accounts.createToken({
      name: 'expired',
      role: 'admin',
      expiresAt: new Date(Date.now() - 1000),
    });
    expect((await app.requestWith({ token: expired.token }, 'GET', '/api/flows')).status).toBe(401);
    expect((await app.request('POST', '/api/tokens', { name: '', role: 'root' })).body.error.code).toBe(
      'invalid_token_request',
    );
  });

  it('gives each role what it may do: viewers read, operators run flows, admins the rest', async () => {
    const viewer = await tokenFor('viewer');
    const operator = await tokenFor('operator');
    const id = uniqueId('roles');
    await app.request('PUT', `/api/flows/${id}`, waitingFlow(id));

    expect((await app.requestWith({ token: viewer }, 'GET', `/api/flows/${id}`)).status).toBe(200);
    expect((await app.requestWith({ token: viewer }, 'POST', `/api/flows/${id}/validate`)).status).toBe(200);
    const denied = await app.requestWith({ token: viewer }, 'POST', `/api/flows/${id}/publish`, {});
    expect(denied).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(
      (await app.requestWith({ token: viewer }, 'PUT', `/api/flows/${id}`, waitingFlow(id))).status,
    ).toBe(403);
    // The webhook secret is for those who run flows.
    expect((await app.requestWith({ token: viewer }, 'GET', `/api/flows/${id}/webhook`)).status).toBe(403);

    expect((await app.requestWith({ token: operator }, 'POST', `/api/flows/${id}/publish`, {})).status).toBe(
      201,
    );
    expect((await app.requestWith({ token: operator }, 'GET', `/api/flows/${id}/webhook`)).status).toBe(200);
    // Connectors, users, tokens and the audit log are the admins'.
    const channel = await app.requestWith({ token: operator }, 'PUT', '/api/channels/sms', {
      connector: 'x',
    });
    expect(channel).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect((await app.requestWith({ token: operator }, 'GET', '/api/users')).status).toBe(403);
    expect(
      (await app.requestWith({ token: operator }, 'POST', '/api/tokens', { name: 'x', role: 'admin' }))
        .status,
    ).toBe(403);
    expect((await app.requestWith({ token: operator }, 'GET', '/api/audit')).status).toBe(403);
    expect((await app.requestWith({ token: operator }, 'GET', '/api/channels')).status).toBe(200);
  });

  it('logs operators in with an httpOnly SameSite=Strict cookie and needs the CSRF token for writes', async () => {
    const login = await app.requestWith({}, 'POST', '/api/auth/login', TEST_ADMIN);
    expect(login.status).toBe(200);
    const setCookie = login.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^sopflow_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const cookie = setCookie.split(';')[0]!;
    const { csrfToken } = login.body;
    expect(login.body.user).toMatchObject({ email: TEST_ADMIN.email, role: 'admin' });

    const me = await app.requestWith({ cookie }, 'GET', '/api/auth/me');
    expect(me.body).toMatchObject({ kind: 'user', role: 'admin', csrfToken });

    const id = uniqueId('cookie');
    const noCsrf = await app.requestWith({ cookie }, 'PUT', `/api/flows/${id}`, waitingFlow(id));
    expect(noCsrf).toMatchObject({ status: 403, body: { error: { code: 'csrf_failed' } } });
    const wrongCsrf = await app.requestWith(
      { cookie, csrfToken: 'nope' },
      'PUT',
      `/api/flows/${id}`,
      waitingFlow(id),
    );
    expect(wrongCsrf.status).toBe(403);
    expect(
      (await app.requestWith({ cookie, csrfToken }, 'PUT', `/api/flows/${id}`, waitingFlow(id))).status,
    ).toBe(200);

    expect((await app.requestWith({ cookie, csrfToken }, 'POST', '/api/auth/logout')).status).toBe(200);
    expect(await app.requestWith({ cookie }, 'GET', '/api/flows')).toMatchObject({
      status: 401,
      body: { error: { code: 'invalid_session' } },
    });
  });

  it('refuses an expired session', async () => {
    const { cookie } = await app.login();
    expect((await app.requestWith({ cookie }, 'GET', '/api/flows')).status).toBe(200);
    await app.sql`update sessions set expires_at = now() - interval '1 minute'
                  where user_id = (select id from users where email = ${TEST_ADMIN.email})`;
    const expired = await app.requestWith({ cookie }, 'GET', '/api/flows');
    expect(expired).toMatchObject({ status: 401, body: { error: { code: 'session_expired' } } });
  });

  it('manages operator accounts: roles, duplicates, bad input, disabling, the last admin', async () => {
    const email = `${uniqueId('op')}@e2e.test`;
    const created = await app.request('POST', '/api/users', {
      email,
      password: 'operator-password',
      role: 'operator',
    });
    expect(created).toMatchObject({ status: 201, body: { email, role: 'operator', disabled: false } });
    expect(JSON.stringify(created.body)).not.toMatch(/hash|password/i);

    const again = await app.request('POST', '/api/users', {
      email,
      password: 'operator-password',
      role: 'viewer',
    });
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'email_taken' } } });
    const bad = await app.request('POST', '/api/users', {
      email: 'not-an-email',
      password: 'short',
      role: 'boss',
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('invalid_user');
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'email',
      'password',
      'role',
    ]);

    const session = await app.login(email, 'operator-password');
    const id = uniqueId('op-flow');
    expect((await app.requestWith(session, 'PUT', `/api/flows/${id}`, waitingFlow(id))).status).toBe(200);
    expect(
      (
        await app.requestWith(session, 'POST', '/api/users', {
          email: 'x@y.z',
          password: 'abcdefghijk',
          role: 'admin',
        })
      ).status,
    ).toBe(403);

    // A wrong current password, then a change.
    const wrong = await app.requestWith(session, 'POST', '/api/auth/password', {
      current: 'nope',
      password: 'another-password',
    });
    expect(wrong).toMatchObject({ status: 401, body: { error: { code: 'invalid_credentials' } } });

    const disabled = await app.request('PATCH', `/api/users/${created.body.id}`, { disabled: true });
    expect(disabled).toMatchObject({ status: 200, body: { disabled: true } });
    expect((await app.requestWith(session, 'GET', '/api/flows')).status).toBe(401);
    const relogin = await app.requestWith({}, 'POST', '/api/auth/login', {
      email,
      password: 'operator-password',
    });
    expect(relogin.status).toBe(401);

    // The run's database is shared: other files' admins step down for the check, then come back.
    type Listed = { id: string; email: string; role: string; disabled: boolean };
    const users = (await app.request('GET', '/api/users')).body.users as Listed[];
    const admin = users.find((u) => u.email === TEST_ADMIN.email)!;
    const others = users.filter((u) => u.role === 'admin' && !u.disabled && u.id !== admin.id);
    try {
      for (const other of others)
        expect((await app.request('PATCH', `/api/users/${other.id}`, { role: 'operator' })).status).toBe(200);
      const demote = await app.request('PATCH', `/api/users/${admin.id}`, { role: 'viewer' });
      expect(demote).toMatchObject({ status: 409, body: { error: { code: 'last_admin' } } });
    } finally {
      for (const other of others) await app.request('PATCH', `/api/users/${other.id}`, { role: 'admin' });
    }
    expect((await app.request('PATCH', `/api/users/${admin.id}`, {})).status).toBe(422);
    expect((await app.request('DELETE', `/api/users/${created.body.id}`)).status).toBe(200);
    expect((await app.request('DELETE', `/api/users/${created.body.id}`)).body.error.code).toBe(
      'user_not_found',
    );
  });

  it('limits requests per token', async () => {
    const limited = await startTestApp({
      worker: false,
      env: { SOPFLOW_RATE_LIMIT_BURST: '3', SOPFLOW_RATE_LIMIT_PER_MINUTE: '1' },
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await limited.request('GET', '/api/flows')).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const refused = await limited.requestWith({ token: limited.token }, 'GET', '/api/flows');
      expect(refused.body.error.code).toBe('rate_limited');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      // Another token has its own bucket.
      const other = await limited.accounts.createToken({ name: 'other', role: 'viewer' });
      expect((await limited.requestWith({ token: other.token }, 'GET', '/api/flows')).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });
});

describe("a flow's life after publishing", () => {
  it('pause refuses enrollment with 409 and resume allows it; running contacts go on', async () => {
    const id = uniqueId('pause');
    await publishFlow(app, waitingFlow(id));
    expect((await enroll(id, 'before')).status).toBe(202);

    const paused = await app.request('POST', `/api/flows/${id}/pause`);
    expect(paused).toMatchObject({ status: 200, body: { status: 'paused' } });
    const refused = await enroll(id, 'during');
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'flow_not_live' } } });
    // The contact already in the flow carries on.
    await app.request('POST', '/api/events', { contactId: 'before', name: 'go' });
    expect(await result(id, 'before')).toEqual({ outcome: { kind: 'exited', nodeId: 'out' } });

    expect((await app.request('POST', `/api/flows/${id}/resume`)).body.status).toBe('live');
    expect((await enroll(id, 'after')).status).toBe(202);
    await app.request('POST', '/api/events', { contactId: 'after', name: 'go' });
    await result(id, 'after');

    const draft = uniqueId('never-published');
    await app.request('PUT', `/api/flows/${draft}`, waitingFlow(draft));
    expect((await app.request('POST', `/api/flows/${draft}/pause`)).body.error.code).toBe('invalid_state');
    expect((await app.request('POST', `/api/flows/${draft}/resume`)).body.error.code).toBe('not_published');
    expect((await app.request('POST', '/api/flows/no-such-flow/pause')).status).toBe(404);
  });

  it("pausing pauses the flow's Temporal Schedule", async () => {
    const id = uniqueId('scheduled');
    await publishFlow(app, {
      schemaVersion: 1,
      id,
      name: 'Every Monday',
      nodes: [
        { id: 'in', type: 'trigger', trigger: { kind: 'schedule', cron: '0 9 * * 1' } },
        { id: 'out', type: 'exit' },
      ],
      edges: [{ id: 'a', source: 'in', target: 'out' }],
    });
    const schedule = app.client.schedule.getHandle(`sopflow-schedule:${id}`);
    expect((await schedule.describe()).state.paused).toBe(false);
    expect((await app.request('POST', `/api/flows/${id}/pause`)).body.schedule).toBe('paused');
    expect((await schedule.describe()).state.paused).toBe(true);
    await app.request('POST', `/api/flows/${id}/resume`);
    expect((await schedule.describe()).state.paused).toBe(false);
    await schedule.delete();
  });

  it('stop cancels every running contact cleanly and enrolls nobody until resumed', async () => {
    const id = uniqueId('stop');
    await publishFlow(app, waitingFlow(id));
    const contacts = ['s1', 's2', 's3'].map((c) => uniqueId(c));
    for (const c of contacts) expect((await enroll(id, c)).status).toBe(202);

    const stopped = await app.request('POST', `/api/flows/${id}/stop`, { reason: 'campaign withdrawn' });
    expect(stopped).toMatchObject({ status: 200, body: { status: 'stopped', cancelled: 3 } });
    for (const c of contacts) {
      expect(await result(id, c)).toEqual({ outcome: { kind: 'cancelled', reason: 'campaign withdrawn' } });
    }
    expect((await app.request('GET', `/api/flows/${id}`)).body.flow.status).toBe('stopped');
    expect((await enroll(id, uniqueId('late'))).status).toBe(409);
    // The ends are recorded: the journeys say cancelled, at the step they waited at.
    await expect
      .poll(async () => (await app.request('GET', `/api/flows/${id}/stats`)).body.finished?.cancelled)
      .toBe(3);
    const again = await app.request('POST', `/api/flows/${id}/stop`);
    expect(again.body.cancelled).toBe(0);
    await app.request('POST', `/api/flows/${id}/resume`);
    expect((await enroll(id, contacts[0]!)).status).toBe(202);
    await app.request('POST', `/api/flows/${id}/stop`);
  });

  it("rolls back by publishing an older version's document as the next version", async () => {
    const id = uniqueId('rollback');
    const v1 = waitingFlow(id, 'First version');
    await publishFlow(app, v1);
    await publishFlow(app, { ...v1, name: 'Second version' });

    const rolled = await app.request('POST', `/api/flows/${id}/rollback`, { version: 1 });
    expect(rolled).toMatchObject({ status: 201, body: { version: 3, rolledBackTo: 1 } });
    const v3 = await app.request('GET', `/api/flows/${id}/versions/3`);
    expect(v3.body.document.name).toBe('First version');
    expect(v3.body.plan.version).toBe(3);
    expect(v3.body.note).toBe('Rolled back to version 1');
    // The draft stays as it was; new contacts get version 3.
    expect((await app.request('GET', `/api/flows/${id}`)).body.draft.name).toBe('Second version');
    expect((await enroll(id, uniqueId('c'))).body.version).toBe(3);

    expect(await app.request('POST', `/api/flows/${id}/rollback`, { version: 99 })).toMatchObject({
      status: 404,
      body: { error: { code: 'version_not_found' } },
    });
    expect((await app.request('POST', `/api/flows/${id}/rollback`, { version: 'one' })).status).toBe(422);
    expect((await app.request('POST', '/api/flows/no-such-flow/rollback', { version: 1 })).status).toBe(404);
    await app.request('POST', `/api/flows/${id}/stop`);
  });

  it('archives (deletes) a flow and restores it', async () => {
    const id = uniqueId('archive');
    await publishFlow(app, waitingFlow(id));
    expect(await app.request('DELETE', `/api/flows/${id}`)).toMatchObject({
      status: 200,
      body: { status: 'archived' },
    });
    const listed = (await app.request('GET', '/api/flows')).body.flows.map((f: { id: string }) => f.id);
    expect(listed).not.toContain(id);
    const archived = (await app.request('GET', '/api/flows?archived=true')).body.flows.map(
      (f: { id: string }) => f.id,
    );
    expect(archived).toContain(id);
    expect((await enroll(id, 'x')).body.error.code).toBe('flow_not_found');
    expect((await app.request('PUT', `/api/flows/${id}`, waitingFlow(id))).body.error.code).toBe(
      'flow_archived',
    );
    expect((await app.request('POST', `/api/flows/${id}/publish`)).body.error.code).toBe('flow_archived');

    expect((await app.request('POST', `/api/flows/${id}/restore`)).body.status).toBe('paused');
    expect((await app.request('POST', `/api/flows/${id}/restore`)).body.error.code).toBe('invalid_state');
    expect((await app.request('POST', `/api/flows/${id}/resume`)).body.status).toBe('live');
  });

  it('exports a flow as JSON and imports it back, under another id too', async () => {
    const id = uniqueId('export');
    const document = waitingFlow(id, 'Exported');
    await publishFlow(app, document);
    const exported = await app.request('GET', `/api/flows/${id}/export`);
    expect(exported.status).toBe(200);
    expect(exported.body).toMatchObject({
      sopflowExport: 1,
      flow: { id, name: 'Exported', latestVersion: 1 },
      published: { version: 1 },
    });

    const copy = uniqueId('imported');
    const imported = await app.request('POST', `/api/flows/import?id=${copy}`, exported.body);
    expect(imported).toMatchObject({
      status: 201,
      body: { flow: { id: copy, status: 'draft' }, errors: [] },
    });
    const original = (await app.request('GET', `/api/flows/${id}`)).body.draft;
    const roundTrip = (await app.request('GET', `/api/flows/${copy}`)).body.draft;
    expect(roundTrip).toEqual({ ...original, id: copy });

    const duplicate = await app.request('POST', `/api/flows/import?id=${copy}`, exported.body);
    expect(duplicate).toMatchObject({ status: 409, body: { error: { code: 'flow_exists' } } });
    const overwrite = await app.request('POST', `/api/flows/import?id=${copy}&overwrite=true&publish=true`, {
      ...original,
      name: 'Bare document',
    });
    expect(overwrite).toMatchObject({
      status: 201,
      body: { flow: { name: 'Bare document', status: 'live' }, published: { version: 1 } },
    });

    // Promoting an export publishes its published version, not the unreviewed edits of its draft.
    const edited = { ...original, name: 'Unreviewed edit' };
    expect((await app.request('PUT', `/api/flows/${id}`, edited)).status).toBe(200);
    const withEdits = (await app.request('GET', `/api/flows/${id}/export`)).body;
    expect(withEdits.draft.name).toBe('Unreviewed edit');
    const promoted = uniqueId('promoted');
    const promotion = await app.request('POST', `/api/flows/import?id=${promoted}&publish=true`, withEdits);
    expect(promotion).toMatchObject({ status: 201, body: { published: { version: 1 } } });
    const live = await app.request('GET', `/api/flows/${promoted}/versions/1`);
    expect(live.body.document).toEqual({ ...withEdits.published.document, id: promoted });
    expect(live.body.document.name).toBe('Exported');
    expect((await app.request('GET', `/api/flows/${promoted}`)).body.draft.name).toBe('Unreviewed edit');
    const neverPublished = await app.request('POST', `/api/flows/import?id=${uniqueId('np')}&publish=true`, {
      ...withEdits,
      published: null,
    });
    expect(neverPublished).toMatchObject({ status: 409, body: { error: { code: 'not_published' } } });

    const invalid = await app.request('POST', '/api/flows/import', { sopflowExport: 1, draft: { id: 'x' } });
    expect(invalid).toMatchObject({ status: 422, body: { error: { code: 'invalid_flow' } } });
    expect((await app.request('POST', '/api/flows/import', '{not json')).body.error.code).toBe(
      'invalid_json',
    );
  });
});

describe('contacts', () => {
  it('upserts a contact by its external id: addresses, attributes, tags, points, opt-outs', async () => {
    const id = uniqueId('person');
    const created = await app.request('PUT', `/api/contacts/${id}`, {
      name: 'Vera',
      email: 'vera@example.com',
      phone: '+86 138 0000 0000',
      wecomUserId: 'wx-vera',
      timezone: 'Asia/Shanghai',
      attributes: { city: '北京', tier: 'gold' },
      tags: ['reader', 'vip'],
      points: 10,
      unsubscribed: ['sms'],
    });
    expect(created).toMatchObject({
      status: 201,
      body: {
        created: true,
        contact: { id, name: 'Vera', points: 10, tags: expect.arrayContaining(['reader', 'vip']) },
      },
    });

    const updated = await app.request('PUT', `/api/contacts/${id}`, {
      email: null,
      openId: 'oa-vera',
      attributes: { tier: null, age: 31 },
      tags: ['reader'],
      points: 25,
      unsubscribed: { sms: false, email: true },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.contact).toEqual({
      id,
      name: 'Vera',
      addresses: { phone: '+86 138 0000 0000', wecomUserId: 'wx-vera', openId: 'oa-vera' },
      timezone: 'Asia/Shanghai',
      attributes: { city: '北京', age: 31 },
      tags: ['reader'],
      points: 25,
      unsubscribed: ['email'],
    });
    const history = await app.request('GET', `/api/contacts/${id}`);
    expect(history.body.points.map((p: { points: number }) => p.points)).toEqual([15, 10]);

    const invalid = await app.request('PUT', `/api/contacts/${id}`, {
      email: 'not-an-email',
      timezone: 'Mars/Olympus',
      points: 1.5,
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.code).toBe('invalid_contact');
    expect(invalid.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([
      'addresses.email',
      'points',
      'timezone',
    ]);
    expect((await app.request('PUT', `/api/contacts/${id}`, { id: 'other' })).body.error.code).toBe(
      'id_mismatch',
    );
    expect((await app.request('PUT', `/api/contacts/${id}`, { unknownField: 1 })).status).toBe(422);
    expect((await app.request('GET', '/api/contacts/no-such-contact')).body.error.code).toBe(
      'contact_not_found',
    );
  });

  it('lists and searches contacts page by page', async () => {
    const prefix = uniqueId('search');
    for (const [i, tag] of ['a', 'b', 'a'].entries()) {
      await app.request('PUT', `/api/contacts/${prefix}-${i}`, { name: `Person ${i}`, tags: [tag] });
    }
    const all = await app.request('GET', `/api/contacts?q=${prefix}`);
    expect(all.body.contacts.map((c: { id: string }) => c.id)).toEqual(
      [0, 1, 2].map((i) => `${prefix}-${i}`),
    );
    const tagged = await app.request('GET', `/api/contacts?q=${prefix}&tag=a`);
    expect(tagged.body.contacts).toHaveLength(2);
    const first = await app.request('GET', `/api/contacts?q=${prefix}&limit=2`);
    expect(first.body.contacts).toHaveLength(2);
    expect(first.body.next).toBe(`${prefix}-1`);
    const second = await app.request('GET', `/api/contacts?q=${prefix}&limit=2&after=${first.body.next}`);
    expect(second.body).toEqual({ contacts: [expect.objectContaining({ id: `${prefix}-2` })], next: null });
    expect((await app.request('GET', '/api/contacts?limit=0')).body.error.code).toBe('invalid_query');
  });

  it('imports CSV, reporting each bad row by line and saving the rest', async () => {
    const p = uniqueId('csv');
    const csv = [
      'id,name,email,tags,points,city,age:number,vip:boolean',
      `${p}-1,Ann,ann@example.com,reader;vip,5,上海,30,yes`,
      `${p}-2,Bob,not-an-email,,,,,`,
      `${p}-3,Cy,"cy@example.com",writer,,杭州,,no`,
      `${p}-4,Too,many,columns,here,x,1,true,extra`,
      ',NoId,no-id@example.com,,,,,',
      `${p}-5,Dee,,,,,forty,`,
    ].join('\n');
    const response = await app.requestWith({ token: app.token }, 'POST', '/api/contacts/import', csv, {
      'content-type': 'text/csv',
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ received: 6, imported: 2, created: 2, updated: 0, failed: 4 });
    const byRow = Object.fromEntries(response.body.errors.map((e: { row: number }) => [e.row, e]));
    expect(Object.keys(byRow).map(Number).sort()).toEqual([3, 5, 6, 7]);
    expect(byRow[3]).toMatchObject({ id: `${p}-2`, issues: [{ path: 'addresses.email' }] });
    expect(byRow[5].message).toMatch(/column/i);
    expect(byRow[6].issues[0].path).toBe('id');
    expect(byRow[7]).toMatchObject({ id: `${p}-5`, message: expect.stringMatching(/not a number/) });

    const ann = (await app.request('GET', `/api/contacts/${p}-1`)).body.contact;
    expect(ann).toMatchObject({
      name: 'Ann',
      addresses: { email: 'ann@example.com' },
      tags: expect.arrayContaining(['reader', 'vip']),
      points: 5,
      attributes: { city: '上海', age: 30, vip: true },
    });
    expect((await app.request('GET', `/api/contacts/${p}-3`)).body.contact.attributes).toEqual({
      city: '杭州',
      vip: false,
    });

    const noId = await app.requestWith({ token: app.token }, 'POST', '/api/contacts/import', 'name\nx', {
      'content-type': 'text/csv',
    });
    expect(noId).toMatchObject({ status: 400, body: { error: { code: 'invalid_csv' } } });
    const wrongType = await app.requestWith({ token: app.token }, 'POST', '/api/contacts/import', 'x', {
      'content-type': 'text/plain',
    });
    expect(wrongType.body.error.code).toBe('unsupported_media_type');
  });

  it('imports a CSV with Chinese headers, its columns mapped (a phone column as the id too), and names a bad mapping', async () => {
    const p = uniqueId('csv-zh');
    const csv = ['姓名,手机号,城市,标签,备注', `王芳,+86138${p.length}0000001,杭州,VIP;新客,内部`].join('\n');
    const post = (columns?: unknown) =>
      app.requestWith(
        { token: app.token },
        'POST',
        `/api/contacts/import${columns === undefined ? '' : `?columns=${encodeURIComponent(JSON.stringify(columns))}`}`,
        csv,
        { 'content-type': 'text/csv' },
      );
    // Without a column for the id, the whole file is refused, saying so in both languages.
    const noId = await post();
    expect(noId.status).toBe(400);
    expect(noId.body.error).toMatchObject({ code: 'invalid_csv' });
    expect(noId.body.error.message).toContain('"手机号"');
    expect(noId.body.error.message).toContain('没有联系人编号列');

    const imported = await post({ 手机号: ['id', 'addresses.phone'], 备注: 'skip' });
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body).toMatchObject({ received: 1, imported: 1, created: 1, failed: 0 });
    const phone = `+86138${p.length}0000001`;
    const contact = (await app.request('GET', `/api/contacts/${encodeURIComponent(phone)}`)).body.contact;
    expect(contact).toMatchObject({
      id: phone,
      name: '王芳',
      addresses: { phone },
      tags: expect.arrayContaining(['VIP', '新客']),
      attributes: { 城市: '杭州' },
    });
    expect(contact.attributes).not.toHaveProperty('备注');

    for (const [columns, message] of [
      [{ 手机号: 'phone number' }, /column target/],
      [{ 手机号: [] }, /.+/],
      ['{"not json', /Not JSON/],
    ] as const) {
      const query = typeof columns === 'string' ? columns : JSON.stringify(columns);
      const refused = await app.requestWith(
        { token: app.token },
        'POST',
        `/api/contacts/import?columns=${encodeURIComponent(query)}`,
        csv,
        { 'content-type': 'text/csv' },
      );
      expect(refused.status).toBe(422);
      expect(refused.body.error.details[0].path).toMatch(/^columns/);
      expect(refused.body.error.details[0].message).toMatch(message);
    }
  });

  it('reports an import row whose points are past the int range by row and field, and saves the other rows', async () => {
    const p = uniqueId('csv-range');
    const csv = [
      'id,name,points,age:number',
      `${p}-1,Ann,5,30`,
      `${p}-2,Big,99999999999,`,
      `${p}-3,Cy,-7,`,
      `${p}-4,Dee,,forty`,
      `${p}-5,Eve,1000000000,`,
    ].join('\n');
    const csvAnswer = await app.requestWith({ token: app.token }, 'POST', '/api/contacts/import', csv, {
      'content-type': 'text/csv',
    });
    expect(csvAnswer.status, JSON.stringify(csvAnswer.body)).toBe(200);
    expect(csvAnswer.body).toMatchObject({ received: 5, imported: 3, created: 3, failed: 2 });
    expect(csvAnswer.body.errors).toEqual([
      expect.objectContaining({
        row: 3,
        id: `${p}-2`,
        issues: [expect.objectContaining({ path: 'points' })],
      }),
      expect.objectContaining({
        row: 5,
        id: `${p}-4`,
        issues: [expect.objectContaining({ path: 'attributes.age' })],
      }),
    ]);
    for (const [i, points] of [
      [1, 5],
      [3, -7],
      [5, 1_000_000_000],
    ])
      expect((await app.request('GET', `/api/contacts/${p}-${i}`)).body.contact.points).toBe(points);
    expect((await app.request('GET', `/api/contacts/${p}-2`)).status).toBe(404);

    // The same in JSON: the row's field is named, the rest are saved.
    const json = await app.request('POST', '/api/contacts/import', [
      { id: `${p}-j1`, points: 2 ** 31 },
      { id: `${p}-j2`, points: 2 },
    ]);
    expect(json.body).toMatchObject({ received: 2, imported: 1, failed: 1 });
    expect(json.body.errors).toEqual([
      expect.objectContaining({
        row: 1,
        id: `${p}-j1`,
        issues: [expect.objectContaining({ path: 'points' })],
      }),
    ]);
  });

  it('imports thousands of CSV rows in batches, and JSON and NDJSON', async () => {
    const p = uniqueId('bulk');
    const rows = Array.from(
      { length: 1201 },
      (_, i) => `${p}-${String(i).padStart(5, '0')},Member ${i},${i}`,
    );
    const csv = `id,name,points\n${rows.join('\n')}\n`;
    const big = await app.requestWith({ token: app.token }, 'POST', '/api/contacts/import', csv, {
      'content-type': 'text/csv',
    });
    expect(big.body).toMatchObject({ received: 1201, imported: 1201, created: 1201, failed: 0, errors: [] });
    const last = await app.request('GET', `/api/contacts/${p}-01200`);
    expect(last.body.contact).toMatchObject({ name: 'Member 1200', points: 1200 });

    const json = await app.request('POST', '/api/contacts/import', [
      { id: `${p}-00001`, name: 'Renamed' },
      { id: `${p}-json`, tags: ['json'] },
      { id: `${p}-bad`, email: 42 },
      { id: `${p}-json`, points: 3 },
    ]);
    expect(json.body).toMatchObject({ received: 4, imported: 3, created: 1, updated: 2, failed: 1 });
    expect(json.body.errors).toEqual([expect.objectContaining({ row: 3, id: `${p}-bad` })]);
    expect((await app.request('GET', `/api/contacts/${p}-json`)).body.contact).toMatchObject({
      tags: ['json'],
      points: 3,
    });

    const ndjson = `{"id":"${p}-nd","name":"Line"}\nnot json\n\n{"id":"${p}-nd2"}\n`;
    const nd = await app.requestWith({ token: app.token }, 'POST', '/api/contacts/import', ndjson, {
      'content-type': 'application/x-ndjson',
    });
    expect(nd.body).toMatchObject({ received: 3, imported: 2, failed: 1, errors: [{ row: 2 }] });
  });
});

describe('statistics, journeys and links', () => {
  /**
   * Five contacts through a small flow with known paths: two VIPs are greeted and leave; of three
   * others who wait for a reply, one replies and is thanked, one buys (the goal converts them
   * while waiting), one still waits.
   */
  it('counts each step, exit, end and conversion of a version, who waits where now, and messages per channel', async () => {
    const id = uniqueId('stats');
    await publishFlow(app, {
      schemaVersion: 1,
      id,
      name: 'Stats',
      nodes: [
        { id: 'in', type: 'trigger', trigger: { kind: 'manual' } },
        {
          id: 'tier',
          type: 'branch',
          branches: [{ id: 'vip', when: { field: 'contact.attributes.tier', op: 'eq', value: 'vip' } }],
        },
        { id: 'hello', type: 'send', channel: 'wechat', message: { text: 'Hello VIP' } },
        { id: 'ask', type: 'wait_for_event', event: 'reply', timeout: 'P1D' },
        { id: 'thanks', type: 'send', channel: 'wechat', message: { text: 'Thanks' } },
        { id: 'done', type: 'exit' },
      ],
      edges: [
        { id: 'a', source: 'in', target: 'tier' },
        { id: 'b', source: 'tier', sourceHandle: 'vip', target: 'hello' },
        { id: 'c', source: 'tier', sourceHandle: 'else', target: 'ask' },
        { id: 'd', source: 'hello', target: 'done' },
        { id: 'e', source: 'ask', sourceHandle: 'event', target: 'thanks' },
        { id: 'f', source: 'ask', sourceHandle: 'timeout', target: 'done' },
        { id: 'g', source: 'thanks', target: 'done' },
      ],
      settings: { goal: { event: 'bought' } },
    });
    const [v1, v2, replies, buys, waits] = ['v1', 'v2', 'n1', 'n2', 'n3'].map((c) => uniqueId(c));
    for (const c of [v1!, v2!]) await enroll(id, c, { wecomUserId: `wx-${c}`, attributes: { tier: 'vip' } });
    for (const c of [replies!, buys!, waits!]) await enroll(id, c, { wecomUserId: `wx-${c}` });
    await result(id, v1!);
    await result(id, v2!);
    // Wait until the three wait for the reply, as visibility sees them.
    await expect
      .poll(
        async () =>
          (await app.request('GET', `/api/flows/${id}/stats`)).body.nodes.find(
            (n: { nodeId: string }) => n.nodeId === 'ask',
          ).waitingNow,
        { timeout: 20_000 },
      )
      .toBe(3);
    await app.request('POST', '/api/events', { contactId: replies, name: 'reply', payload: { text: 'hi' } });
    await app.request('POST', '/api/events', { contactId: buys, name: 'bought' });
    expect(await result(id, replies!)).toEqual({ outcome: { kind: 'exited', nodeId: 'done' } });
    expect(await result(id, buys!)).toEqual({ outcome: { kind: 'converted', event: 'bought' } });

    const stats = async () => (await app.request('GET', `/api/flows/${id}/stats`)).body;
    // Visibility's count and its listing catch up separately: wait until both see the end state.
    let s = await stats();
    await expect
      .poll(
        async () => {
          s = await stats();
          return [
            s.finished.exited,
            s.finished.converted,
            s.nodes.find((n: { nodeId: string }) => n.nodeId === 'ask').waitingNow,
            s.running,
          ];
        },
        { timeout: 20_000 },
      )
      .toEqual([3, 1, 1, 1]);
    expect(s).toMatchObject({ flowId: id, version: 1, enrolled: 5, running: 1, converted: 1 });
    const node = (nodeId: string) => {
      const { temporalUrl, ...rest } = s.nodes.find((n: { nodeId: string }) => n.nodeId === nodeId);
      expect(temporalUrl).toContain(encodeURIComponent(`SopflowNode = "${nodeId}"`));
      return rest;
    };
    // Finished journeys are counted step by step (the one still waiting hands its steps over when it ends).
    expect(node('in')).toEqual({
      nodeId: 'in',
      type: 'trigger',
      entered: 4,
      contacts: 4,
      left: { next: 4 },
      suppressed: {},
      held: {},
      ended: 0,
      converted: 0,
      messages: {},
      waitingNow: 0,
    });
    expect(node('tier')).toMatchObject({ entered: 4, left: { vip: 2, else: 2 }, ended: 0 });
    expect(node('hello')).toMatchObject({ entered: 2, left: { next: 2 }, waitingNow: 0 });
    expect(node('ask')).toMatchObject({
      entered: 2,
      contacts: 2,
      left: { event: 1 },
      ended: 1,
      converted: 1,
      waitingNow: 1,
    });
    expect(node('thanks')).toMatchObject({ entered: 1, left: { next: 1 } });
    expect(node('done')).toMatchObject({ entered: 3, left: {}, ended: 3, converted: 0 });
    expect(s.messages).toEqual([
      { channel: 'wechat', sent: 3, failed: 0, unconfirmed: 0, pending: 0, statuses: { sent: 3 } },
    ]);
    // Per step, by where each message stands in its lifecycle (the outbox takes each as sent).
    expect(node('hello').messages).toEqual({ sent: 2 });

    // A range that ends before the flow ran counts nothing.
    const before = await app.request('GET', `/api/flows/${id}/stats?to=2020-01-01T00:00:00Z`);
    expect(before.body).toMatchObject({ enrolled: 0, finished: { exited: 0 }, messages: [] });
    expect(before.body.nodes[0].entered).toBe(0);
    expect((await app.request('GET', `/api/flows/${id}/stats?version=7`)).status).toBe(404);
    expect((await app.request('GET', `/api/flows/${id}/stats?from=yesterday`)).status).toBe(422);

    // The Temporal UI: the flow's list of runs, filtered by its search attribute; each run's page.
    const ui = app.env.TEMPORAL_UI_URL!.replace(/\/$/, '');
    const flow = (await app.request('GET', `/api/flows/${id}`)).body.flow;
    expect(flow.temporalUrl).toBe(
      `${ui}/namespaces/default/workflows?query=${encodeURIComponent(`SopflowFlowId = "${id}"`)}`,
    );
    const page = await fetch(flow.temporalUrl);
    expect(page.status).toBe(200);

    // The journey of the contact who replied: enrollment, steps, the message, the event.
    const history = (await app.request('GET', `/api/contacts/${replies}`)).body;
    const workflowId = contactFlowWorkflowId(id, replies!);
    expect(history.enrollments).toEqual([
      expect.objectContaining({
        workflowId,
        flowId: id,
        version: 1,
        status: 'finished',
        outcome: { kind: 'exited', nodeId: 'done' },
        temporalUrl: expect.stringMatching(
          new RegExp(`^${ui}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/[^/]+/history$`),
        ),
      }),
    ]);
    const steps = history.journey
      .slice()
      .reverse()
      .map(
        (j: { nodeId: string; kind: string; exit?: string }) =>
          `${j.kind} ${j.nodeId}${j.exit ? ` by ${j.exit}` : ''}`,
      );
    expect(steps).toEqual([
      'enter in',
      'leave in by next',
      'enter tier',
      'leave tier by else',
      'enter ask',
      'leave ask by event',
      'enter thanks',
      'leave thanks by next',
      'enter done',
    ]);
    expect(history.deliveries).toEqual([
      expect.objectContaining({ nodeId: 'thanks', channel: 'wechat', status: 'sent' }),
    ]);
    expect(history.events).toEqual([expect.objectContaining({ name: 'reply', payload: { text: 'hi' } })]);

    // The one still waiting: running, at the step it waits at.
    const waiting = (await app.request('GET', `/api/contacts/${waits}`)).body;
    expect(waiting.enrollments).toEqual([
      expect.objectContaining({ status: 'running', waitingAt: 'ask', outcome: null }),
    ]);
    await app.request('POST', `/api/flows/${id}/stop`);
  });
});

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1 and covers every route with who may call it', async () => {
    expect((await app.requestWith({}, 'GET', '/api/openapi.json')).status).toBe(401);
    const response = await app.request('GET', '/api/openapi.json');
    expect(response.status).toBe(200);
    const spec = response.body;
    expect(spec.openapi).toBe('3.1.0');
    await SwaggerParser.validate(structuredClone(spec));

    const toOpenApi = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const routes = app
      .api!.routes.filter(
        (r) => r.method !== 'ALL' && (r.path.startsWith('/api/') || r.path.startsWith('/u/')),
      )
      .map((r) => `${r.method.toLowerCase()} ${toOpenApi(r.path)}`);
    const documented = Object.entries(spec.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`),
    );
    expect(routes.length).toBeGreaterThan(40);
    expect([...new Set(routes)].filter((r) => !documented.includes(r))).toEqual([]);
    for (const [path, operations] of Object.entries(
      spec.paths as Record<string, Record<string, Record<string, unknown>>>,
    )) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(operation['x-sopflow-role'], `${method} ${path}`).toMatch(/^(public|viewer|operator|admin)$/);
      }
    }
    expect(spec.paths['/api/flows/{id}'].put.requestBody.content['application/json'].schema).toBeDefined();
    expect(spec.paths['/api/contacts/import'].post.requestBody.content['text/csv']).toBeDefined();
    expect(spec.paths['/api/hooks/{flowId}'].post.security).toEqual([]);
  });
});

describe('the audit log', () => {
  it('records every write: who, what, when, on what and how it ended; for admins only', async () => {
    const viewer = await tokenFor('viewer');
    const id = uniqueId('audited');
    await publishFlow(app, waitingFlow(id));
    await app.requestWith({ token: viewer }, 'POST', `/api/flows/${id}/pause`);
    await app.requestWith({}, 'POST', '/api/auth/login', {
      email: TEST_ADMIN.email,
      password: 'wrong-password',
    });

    const log = await app.request('GET', `/api/audit?target=${id}`);
    expect(log.status).toBe(200);
    const entries = log.body.entries.map((e: Record<string, unknown>) => ({
      actor: e.actorName,
      action: e.action,
      target: e.target,
      status: e.status,
    }));
    const me = `e2e ${app.taskQueue}`;
    expect(entries).toEqual([
      {
        actor: expect.stringMatching(/^viewer-/),
        action: 'POST /api/flows/:id/pause',
        target: `/api/flows/${id}/pause`,
        status: 403,
      },
      { actor: me, action: 'POST /api/flows/:id/publish', target: `/api/flows/${id}/publish`, status: 201 },
      { actor: me, action: 'PUT /api/flows/:id', target: `/api/flows/${id}`, status: 200 },
    ]);
    expect(log.body.entries[0].at).toBeDefined();
    const failedLogins = await app.request(
      'GET',
      `/api/audit?action=/api/auth/login&actor=${TEST_ADMIN.email}`,
    );
    expect(failedLogins.body.entries[0]).toMatchObject({ actorKind: 'anonymous', status: 401 });
    // Reads are not audited.
    expect((await app.request('GET', `/api/audit?target=/api/flows/${id}&action=GET`)).body.entries).toEqual(
      [],
    );
    expect((await app.requestWith({ token: viewer }, 'GET', '/api/audit')).status).toBe(403);
  });
});

describe('compile warnings', () => {
  it('come back from save, validate and publish, in en and zh, without stopping the publish', async () => {
    const id = uniqueId('warned');
    const doc = {
      schemaVersion: 1,
      id,
      name: 'Two messages, a cap of one a day',
      settings: {
        timezone: 'Asia/Shanghai',
        reentry: { mode: 'always' },
        frequencyCap: { max: 1, per: 'P1D' },
      },
      nodes: [
        { id: 'in', type: 'trigger', trigger: { kind: 'manual' } },
        { id: 'one', type: 'send', channel: 'wechat', message: { text: 'one' } },
        { id: 'two', type: 'send', channel: 'wechat', message: { text: 'two' } },
        { id: 'out', type: 'exit' },
      ],
      edges: [
        { id: 'a', source: 'in', target: 'one' },
        { id: 'b', source: 'one', target: 'two' },
        { id: 'c', source: 'two', target: 'out' },
      ],
    };
    const saved = await app.request('PUT', `/api/flows/${id}`, doc);
    expect(saved.status).toBe(200);
    const validated = await app.request('POST', `/api/flows/${id}/validate`);
    expect(validated.body).toMatchObject({ ok: true, errors: [] });
    expect(validated.body.warnings.map((w: { code: string }) => w.code)).toContain('path_exceeds_cap');
    for (const warning of validated.body.warnings) {
      expect(warning.message).toMatch(/\w/);
      expect(warning.messageZh).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(saved.body.warnings).toEqual(validated.body.warnings);
    const published = await app.request('POST', `/api/flows/${id}/publish`, {});
    expect(published.status).toBe(201);
    expect(published.body.warnings).toEqual(validated.body.warnings);
  });
});

describe('time zones', () => {
  it('refuse a zone that is not one at every door (contact, import row, enroll and so the webhook, which takes the same body), naming the field', async () => {
    const wrong = 'America/Los Angeles';
    const put = await app.request('PUT', `/api/contacts/${uniqueId('tz')}`, { timezone: wrong });
    expect(put.status).toBe(422);
    expect(put.body.error.details).toMatchObject([
      { path: 'timezone', message: expect.stringContaining('IANA') },
    ]);

    const p = uniqueId('tz-csv');
    const csv = ['id,timezone', `${p}-1,Asia/Shanghai`, `${p}-2,${wrong}`].join('\n');
    const imported = await app.requestWith({ token: app.token }, 'POST', '/api/contacts/import', csv, {
      'content-type': 'text/csv',
    });
    expect(imported.body).toMatchObject({ imported: 1, failed: 1 });
    expect(imported.body.errors).toMatchObject([{ row: 3, issues: [{ path: 'timezone' }] }]);

    const flowId = uniqueId('tz-flow');
    await publishFlow(app, waitingFlow(flowId));
    const enrolled = await app.request('POST', `/api/flows/${flowId}/enroll`, {
      contact: { id: uniqueId('c'), timezone: wrong },
    });
    expect(enrolled.status).toBe(422);
    expect(enrolled.body.error.details).toMatchObject([{ path: 'contact.timezone' }]);
    expect(
      (
        await app.request('POST', `/api/flows/${flowId}/enroll`, {
          contact: { id: uniqueId('c'), timezone: 'America/Los_Angeles' },
        })
      ).status,
    ).toBe(202);
  });
});

describe('paths and methods', () => {
  it('answers 405 with Allow for a known path asked with a method it does not take, 404 for an unknown path', async () => {
    const flowId = uniqueId('methods');
    const admin = { token: app.token };
    expect((await app.request('PUT', `/api/flows/${flowId}`, waitingFlow(flowId))).status).toBe(200);

    const wrong = await app.requestWith(admin, 'PATCH', `/api/flows/${flowId}/publish`);
    expect(wrong.status).toBe(405);
    expect(wrong.body.error.code).toBe('method_not_allowed');
    expect(wrong.body.error.message).toContain(`/api/flows/${flowId}/publish`);
    expect(wrong.headers.get('allow')).toBe('POST');

    const flow = await app.requestWith(admin, 'POST', `/api/flows/${flowId}`);
    expect(flow.status).toBe(405);
    expect(flow.headers.get('allow')?.split(', ').sort()).toEqual(['DELETE', 'GET', 'PUT']);

    const unknown = await app.requestWith(admin, 'GET', '/api/no-such-thing');
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
  });
});
