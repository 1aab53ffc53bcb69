import type { ApiPaths } from '@sopflow/core/api';
import * as contract from '@sopflow/core/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { waitsForGo } from './support/flows';
import { publishFlow, startTestApp, TEST_ADMIN, type TestApp, uniqueId } from './support/stack';

/**
 * The API contract (`@sopflow/core/api`) against the real server: each main route's real answer
 * is parsed with the contract's schema for it, and must come out the same. A field the server
 * answers but the contract lacks, a field the contract names but the server does not answer, or
 * one of another type fails here, so the builder's typed client cannot drift from the server.
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.stop();
});

/**
 * The answer has the status and is what the schema describes, no more and no less: parsing
 * refuses what is missing or mistyped, and the parsed value (unknown keys stripped, defaults
 * filled) must equal the answer, so an undeclared field shows too.
 */
function conforms<S extends z.ZodType>(
  schema: S,
  answer: { status: number; body: unknown },
  status: number,
): z.infer<S> {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  const parsed = schema.safeParse(answer.body);
  expect(parsed.error?.issues, JSON.stringify(answer.body)).toBeUndefined();
  expect(parsed.data).toEqual(answer.body);
  return parsed.data as z.infer<S>;
}

/** Every route of `ApiPaths` (the builder's typed client), checked against the OpenAPI document. */
const CLIENT_ROUTES = {
  '/api/auth/login': ['post'],
  '/api/auth/me': ['get'],
  '/api/auth/logout': ['post'],
  '/api/flows': ['get'],
  '/api/templates': ['get'],
  '/api/flows/from-template': ['post'],
  '/api/flows/import': ['post'],
  '/api/flows/{id}': ['get', 'put', 'delete'],
  '/api/flows/{id}/pause': ['post'],
  '/api/flows/{id}/resume': ['post'],
  '/api/flows/{id}/stop': ['post'],
  '/api/flows/{id}/export': ['get'],
  '/api/flows/{id}/publish': ['post'],
  '/api/flows/{id}/rollback': ['post'],
  '/api/flows/{id}/migrate': ['post'],
  '/api/flows/{id}/validate': ['post'],
  '/api/flows/{id}/stats': ['get'],
  '/api/flows/{id}/nodes/{nodeId}/contacts': ['get'],
  '/api/flows/{id}/versions': ['get'],
  '/api/flows/{id}/versions/{version}': ['get'],
  '/api/flows/{id}/webhook': ['get'],
  '/api/flows/{id}/webhook/test': ['post'],
  '/api/flows/{id}/simulate': ['post'],
  '/api/settings/retention': ['get', 'put'],
  '/api/contacts': ['get'],
  '/api/contacts/{id}': ['get', 'delete'],
  '/api/contacts/import': ['post'],
  '/api/campaigns': ['get', 'post'],
  '/api/campaigns/audience': ['post'],
  '/api/campaigns/{id}': ['get'],
  '/api/campaigns/{id}/cancel': ['post'],
  '/api/connectors': ['get'],
  '/api/tags': ['get'],
  '/api/channels': ['get'],
  '/api/channels/{channel}': ['put', 'delete'],
  '/api/channels/{channel}/test': ['post'],
  '/api/channel-codes': ['get', 'post'],
  '/api/channel-codes/{id}': ['get', 'put', 'delete'],
  '/api/groups/join-ways': ['get', 'post'],
  '/api/groups/join-ways/{id}': ['get', 'put', 'delete'],
  '/api/groups/welcome-templates': ['get', 'post'],
  '/api/groups/welcome-templates/{id}': ['get', 'put', 'delete'],
  '/api/webhook-subscriptions': ['get', 'post'],
  '/api/webhook-subscriptions/{id}': ['get', 'put', 'delete'],
  '/api/webhook-subscriptions/{id}/deliveries': ['get'],
  '/api/webhook-subscriptions/{id}/deliveries/{eventId}/replay': ['post'],
} as const satisfies { [Path in keyof ApiPaths]: readonly (keyof ApiPaths[Path])[] };

const waitingFlow = (id: string) => waitsForGo(id, 'Contract: waits for go');

describe('the API contract matches what the server answers', () => {
  it('names only routes the server has, each answering with a documented schema', async () => {
    const spec = (await app.request('GET', '/api/openapi.json')).body as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: unknown }> }>>;
    };
    for (const [path, methods] of Object.entries(CLIENT_ROUTES))
      for (const method of methods) {
        const operation = spec.paths[path]?.[method];
        expect(operation, `${method.toUpperCase()} ${path}`).toBeDefined();
        const success = Object.entries(operation?.responses ?? {}).filter(([status]) =>
          status.startsWith('2'),
        );
        expect(success.length, `${method.toUpperCase()} ${path}`).toBeGreaterThan(0);
        for (const [status, answer] of success)
          expect(answer.content, `${method.toUpperCase()} ${path} ${status}`).toBeDefined();
      }
  });

  it('flows: templates, drafts, publishing, versions, statistics, dry-runs and control', async () => {
    conforms(contract.TemplateList, await app.request('GET', '/api/templates'), 200);
    const fromTemplate = uniqueId('contract-template');
    const created = await app.request('POST', '/api/flows/from-template', {
      template: 'welcome',
      locale: 'en',
      id: fromTemplate,
    });
    conforms(contract.FlowAnswer, created, 201);

    const id = uniqueId('contract-flow');
    const document = waitingFlow(id);
    conforms(contract.FlowSaved, await app.request('PUT', `/api/flows/${id}`, document), 200);
    conforms(contract.FlowAnswer, await app.request('GET', `/api/flows/${id}`), 200);
    conforms(contract.FlowValidation, await app.request('POST', `/api/flows/${id}/validate`, {}), 200);
    conforms(contract.Published, await app.request('POST', `/api/flows/${id}/publish`, { note: 'one' }), 201);
    // The same draft again makes no second, identical version.
    const republished = await app.request('POST', `/api/flows/${id}/publish`, { note: 'same' });
    expect(conforms(contract.Published, republished, 200)).toMatchObject({ version: 1, unchanged: true });
    expect(await publishFlow(app, { ...document, name: 'Contract: waits for go, v2' })).toBe(2);

    conforms(contract.FlowList, await app.request('GET', '/api/flows'), 200);
    const counted = conforms(contract.FlowList, await app.request('GET', '/api/flows?counts=true'), 200);
    expect(counted.flows.find((f) => f.id === id)?.runningNow).not.toBeUndefined();
    conforms(contract.VersionList, await app.request('GET', `/api/flows/${id}/versions`), 200);
    conforms(contract.FlowVersion, await app.request('GET', `/api/flows/${id}/versions/1`), 200);
    conforms(contract.WebhookInfo, await app.request('GET', `/api/flows/${id}/webhook`), 200);
    const test = await app.request('POST', `/api/flows/${id}/webhook/test`, {
      contact: { id: uniqueId('t') },
    });
    // A flow started by hand takes no webhook: the test shows the refusal a sender would get.
    expect(conforms(contract.WebhookTestAnswer, test, 200)).toMatchObject({
      status: 409,
      answer: { error: { code: 'not_a_webhook_flow' } },
    });
    conforms(contract.FlowExport, await app.request('GET', `/api/flows/${id}/export`), 200);

    const contactId = uniqueId('c');
    const enrolled = await app.request('POST', `/api/flows/${id}/enroll`, { contact: { id: contactId } });
    expect(conforms(contract.EnrollAnswer, enrolled, 202).status).toBe('enrolled');
    const again = await app.request('POST', `/api/flows/${id}/enroll`, { contact: { id: contactId } });
    expect(conforms(contract.EnrollAnswer, again, 200).status).toBe('already-enrolled');

    const stats = conforms(contract.FlowStats, await app.request('GET', `/api/flows/${id}/stats`), 200);
    expect(stats.nodes.map((n) => n.nodeId)).toContain('hold');
    conforms(contract.NodeContacts, await app.request('GET', `/api/flows/${id}/nodes/hold/contacts`), 200);

    const simulated = await app.request('POST', `/api/flows/${id}/simulate`, {
      contact: { id: 'dry' },
      events: [{ at: 'PT1H', name: 'go' }],
    });
    expect(conforms(contract.SimulateAnswer, simulated, 200).outcome).not.toBeNull();

    conforms(
      contract.RolledBack,
      await app.request('POST', `/api/flows/${id}/rollback`, { version: 1 }),
      201,
    );
    conforms(
      contract.MigrationReport,
      await app.request('POST', `/api/flows/${id}/migrate`, {
        from: 1,
        mapping: { hold: 'hold' },
        preview: true,
      }),
      200,
    );
    conforms(contract.FlowControlled, await app.request('POST', `/api/flows/${id}/pause`, {}), 200);
    conforms(contract.FlowControlled, await app.request('POST', `/api/flows/${id}/resume`, {}), 200);
    conforms(contract.FlowControlled, await app.request('POST', `/api/flows/${id}/stop`, {}), 200);
    conforms(contract.FlowControlled, await app.request('DELETE', `/api/flows/${fromTemplate}`), 200);
    conforms(
      contract.FlowControlled,
      await app.request('POST', `/api/flows/${fromTemplate}/restore`, {}),
      200,
    );

    const exported = await app.request('GET', `/api/flows/${id}/export`);
    const imported = await app.request(
      'POST',
      `/api/flows/import?id=${uniqueId('contract-copy')}&publish=true`,
      {
        ...exported.body,
      },
    );
    expect(conforms(contract.FlowImported, imported, 201).published).toBeDefined();

    conforms(contract.ErrorBody, await app.request('GET', `/api/flows/${uniqueId('missing')}`), 404);
  });

  it('contacts, events and campaigns', async () => {
    const id = uniqueId('contract-person');
    const saved = await app.request('PUT', `/api/contacts/${id}`, {
      name: 'Ada',
      email: 'ada@example.com',
      tags: ['vip'],
      points: 5,
      attributes: { city: 'Shanghai' },
    });
    conforms(contract.ContactSaved, saved, 201);
    conforms(contract.ContactSaved, await app.request('PUT', `/api/contacts/${id}`, { points: 7 }), 200);
    conforms(contract.ContactPage, await app.request('GET', `/api/contacts?q=${id}`), 200);

    const flowId = uniqueId('contract-events');
    await publishFlow(app, waitingFlow(flowId));
    await app.request('POST', `/api/flows/${flowId}/enroll`, { contact: { id } });
    const event = await app.request('POST', '/api/events', {
      contactId: id,
      name: 'hello',
      payload: { a: 1 },
    });
    conforms(contract.EventsAnswer, event, 202);
    const batch = await app.request('POST', '/api/events', {
      events: [{ id: uniqueId('e'), contactId: id, name: 'hello' }],
    });
    conforms(contract.EventsAnswer, batch, 202);

    const history = conforms(contract.ContactHistory, await app.request('GET', `/api/contacts/${id}`), 200);
    expect(history.enrollments.length).toBeGreaterThan(0);
    expect(history.events.length).toBeGreaterThan(0);
    expect(history.points.length).toBeGreaterThan(0);

    const imported = await app.requestWith(
      { token: app.token },
      'POST',
      '/api/contacts/import',
      `id,name,email\n${uniqueId('row')},Bo,bo@example.com\n${uniqueId('row')},Cy,not-an-email\n`,
      { 'content-type': 'text/csv' },
    );
    const report = conforms(contract.ImportReport, imported, 200);
    expect(report.errors[0]?.issues?.length).toBeGreaterThan(0);

    const campaign = await app.request('POST', '/api/campaigns', {
      flowId,
      audience: { contactIds: [id] },
      at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const started = conforms(contract.CampaignStarted, campaign, 202);
    conforms(contract.CampaignStatus, await app.request('GET', `/api/campaigns/${started.campaignId}`), 200);
    conforms(contract.CampaignList, await app.request('GET', `/api/campaigns?flowId=${flowId}`), 200);
    conforms(
      contract.AudienceCount,
      await app.request('POST', '/api/campaigns/audience', { audience: { contactIds: [id, 'nobody'] } }),
      200,
    );
    const cancelled = await app.request('POST', `/api/campaigns/${started.campaignId}/cancel`, {});
    conforms(contract.CampaignCancelled, cancelled, 202);

    conforms(contract.OutboxList, await app.request('GET', `/api/outbox?contactId=${id}`), 200);
  });

  it('connectors and channel routes', async () => {
    const connectors = conforms(contract.ConnectorList, await app.request('GET', '/api/connectors'), 200);
    const outbox = connectors.connectors.find((c) => c.name === 'outbox');
    const channel = outbox?.channels[0];
    expect(channel).toBeDefined();
    conforms(contract.ChannelsAnswer, await app.request('GET', '/api/channels'), 200);
    const routed = await app.request('PUT', `/api/channels/${channel}`, { connector: 'outbox', config: {} });
    conforms(contract.ChannelRoute, routed, 200);
    conforms(contract.ChannelsAnswer, await app.request('GET', '/api/channels'), 200);
    const sent = await app.request('POST', `/api/channels/${channel}/test`, {
      to: { phone: '+8613800000000', email: 'x@example.com' },
    });
    conforms(contract.TestSendResult, sent, 200);
    conforms(contract.RouteRemoved, await app.request('DELETE', `/api/channels/${channel}`), 200);
    conforms(contract.ProviderTagList, await app.request('GET', '/api/tags'), 200);
  });

  it('logging in, users, tokens and the audit log', async () => {
    const login = await app.requestWith({}, 'POST', '/api/auth/login', TEST_ADMIN);
    const session = conforms(contract.LoginAnswer, login, 200);
    const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? '';
    const me = await app.requestWith({ cookie }, 'GET', '/api/auth/me');
    expect(conforms(contract.Me, me, 200).csrfToken).toBe(session.csrfToken);
    conforms(contract.Me, await app.request('GET', '/api/auth/me'), 200);

    const user = await app.request('POST', '/api/users', {
      email: `${uniqueId('u')}@example.com`,
      password: 'a long enough password',
      role: 'viewer',
    });
    const created = conforms(contract.UserView, user, 201);
    conforms(
      contract.UserView,
      await app.request('PATCH', `/api/users/${created.id}`, { role: 'operator' }),
      200,
    );
    conforms(contract.UserList, await app.request('GET', '/api/users'), 200);
    conforms(contract.UserDeleted, await app.request('DELETE', `/api/users/${created.id}`), 200);

    const token = await app.request('POST', '/api/tokens', {
      name: uniqueId('t'),
      role: 'viewer',
      expiresInDays: 1,
    });
    const record = conforms(contract.TokenCreated, token, 201);
    conforms(contract.TokenList, await app.request('GET', '/api/tokens'), 200);
    conforms(contract.TokenView, await app.request('DELETE', `/api/tokens/${record.id}`), 200);
    conforms(contract.AuditPage, await app.request('GET', '/api/audit?limit=5'), 200);

    const out = await app.requestWith(
      { cookie, csrfToken: session.csrfToken },
      'POST',
      '/api/auth/logout',
      {},
    );
    conforms(contract.LoggedOut, out, 200);
    conforms(contract.Health, await app.requestWith({}, 'GET', '/api/health'), 200);
  });
});
