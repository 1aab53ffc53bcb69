import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IntegratorDeliveryList, Subscription, SubscriptionList } from '@sopflow/core/api';
import { verifyWebhookSignature } from '@sopflow/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishFlow, startTestApp, type TestApp, uniqueId } from './support/stack';

/**
 * Outbound webhooks for integrators: events are recorded with what they report and delivered,
 * signed, to each subscription in order per contact, with retries while an endpoint fails; a
 * failing endpoint delays no other subscriber; the log replays a delivery.
 */

const TIMEOUT_MS = 400;
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({
    env: {
      SOPFLOW_WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
      SOPFLOW_WEBHOOK_RETRY_BASE_MS: '100',
      SOPFLOW_WEBHOOK_MAX_ATTEMPTS: '100',
    },
  });
});
afterAll(async () => {
  await app?.stop();
});

interface Receipt {
  eventId: string;
  type: string;
  contactId: string | undefined;
  at: number;
  /** The endpoint took the event (answered 2xx, in time or too late), rather than refusing it. */
  taken: boolean;
}

type Answer = 'ok' | 'fail' | 'hang';

/**
 * An integrator's endpoint: checks each delivery's signature, records it, and answers as
 * `answer` says for the n-th request. `view` is what the integrator keeps: each event it took,
 * once (deduplicated by the event id header), in the order first taken.
 */
async function endpoint(secret: () => string, answer: (n: number) => Answer) {
  const receipts: Receipt[] = [];
  const badSignatures: string[] = [];
  let requests = 0;
  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => resolve(body));
    });
  const server: Server = createServer(async (req, res) => {
    const body = await read(req);
    const check = verifyWebhookSignature(secret(), body, req.headers['x-sopflow-signature'] as string);
    const event = JSON.parse(body);
    if (!check.ok || req.headers['x-sopflow-event-id'] !== event.id) {
      badSignatures.push(event.id);
      res.writeHead(401).end();
      return;
    }
    const mode = answer(requests++);
    receipts.push({
      eventId: event.id,
      type: event.type,
      contactId: event.data.contactId,
      at: Date.now(),
      taken: mode !== 'fail',
    });
    if (mode === 'ok') res.writeHead(200).end('ok');
    else if (mode === 'fail') res.writeHead(500).end('down for maintenance');
    // Took the event but answers too late: the retry that follows is a duplicate to the integrator.
    else setTimeout(() => res.writeHead(200).end('late'), TIMEOUT_MS * 3);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  const view = () => {
    const seen = new Set<string>();
    return receipts.filter((r) => r.taken && !seen.has(r.eventId) && seen.add(r.eventId));
  };
  return {
    url,
    receipts,
    badSignatures,
    view,
    requests: () => requests,
    close: () => new Promise((r) => server.close(r)),
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('webhooks for integrators', () => {
  it('deliver every event once and in order per contact through an outage, without delaying a healthy subscriber', async () => {
    const secrets: Record<string, string> = {};
    // Down (500s) until told; then 8 requests that fail every other time (a later event of a
    // contact taken before an earlier one would show here), 2 taken but answered too late, then well.
    let recoveringFrom: number | undefined;
    const flaky = await endpoint(
      () => secrets.flaky!,
      (n) => {
        if (recoveringFrom === undefined) return 'fail';
        const k = n - recoveringFrom;
        return k < 8 ? (k % 2 === 0 ? 'fail' : 'ok') : k < 10 ? 'hang' : 'ok';
      },
    );
    const healthy = await endpoint(
      () => secrets.healthy!,
      () => 'ok',
    );
    const subscribe = async (url: string) => {
      const created = await app.request('POST', '/api/webhook-subscriptions', {
        url,
        eventTypes: [
          'journey.entered',
          'journey.exited',
          'message.status_changed',
          'contact.unsubscribed',
          'contact.resubscribed',
        ],
        description: 'e2e',
      });
      expect(created.status).toBe(201);
      return created.body as { id: string; secret: string };
    };
    const flakySub = await subscribe(flaky.url);
    const healthySub = await subscribe(healthy.url);
    secrets.flaky = flakySub.secret;
    secrets.healthy = healthySub.secret;

    try {
      const prefix = uniqueId('hook');
      const contacts = [1, 2, 3].map((i) => `${prefix}-c${i}`);
      const flowId = uniqueId('hooked');
      await publishFlow(app, {
        schemaVersion: 1,
        id: flowId,
        name: 'Hooked',
        nodes: [
          { id: 'in', type: 'trigger', trigger: { kind: 'manual' } },
          { id: 'hi', type: 'send', channel: 'sms', message: { text: 'Hi {{ contact.id }}' } },
          { id: 'out', type: 'exit' },
        ],
        edges: [
          { id: 'a', source: 'in', target: 'hi' },
          { id: 'b', source: 'hi', target: 'out' },
        ],
      });
      for (const id of contacts) {
        const enrolled = await app.request('POST', `/api/flows/${flowId}/enroll`, {
          contact: { id, phone: '+8613800000000' },
        });
        expect(enrolled.status).toBe(202);
      }
      await until('the journeys to end', async () => {
        const [row] = await app.sql<{ n: number }[]>`
          select count(*)::int as n from integrator_events
          where contact_id = any(${contacts}) and type = 'journey.exited'`;
        return row!.n === contacts.length ? true : undefined;
      });
      // Opt-outs back and forth: five changes per contact, in an order only the contact defines.
      for (const id of contacts)
        for (const unsubscribed of [
          { sms: true },
          { sms: false },
          { wechat: true },
          { sms: true },
          { wechat: false },
        ])
          expect((await app.request('PUT', `/api/contacts/${id}`, { id, unsubscribed })).status).toBe(200);

      // Each contact's events as recorded: 2 journey events, 1 send, 5 opt-out changes.
      const recorded = await until('the events to be recorded', async () => {
        const rows = await app.sql<{ id: string; contact_id: string; type: string }[]>`
          select id, contact_id, type from integrator_events where contact_id = any(${contacts}) order by seq`;
        return rows.length === contacts.length * 8 ? rows : undefined;
      });
      const expectedOrder = (contactId: string) =>
        recorded.filter((r) => r.contact_id === contactId).map((r) => r.id);

      const mine = (view: Receipt[]) => view.filter((r) => r.contactId && contacts.includes(r.contactId));
      await until('the healthy subscriber to get every event', () =>
        mine(healthy.view()).length === recorded.length ? true : undefined,
      );
      // Meanwhile the flaky endpoint took nothing: the healthy subscriber did not wait for it.
      expect(mine(flaky.view())).toEqual([]);
      expect(mine(flaky.receipts).length).toBeGreaterThan(0);
      recoveringFrom = flaky.requests();
      await until(
        'the flaky subscriber to recover and get every event',
        () => (mine(flaky.view()).length === recorded.length ? true : undefined),
        60_000,
      );

      for (const id of contacts) {
        const order = expectedOrder(id);
        expect(
          mine(flaky.view())
            .filter((r) => r.contactId === id)
            .map((r) => r.eventId),
        ).toEqual(order);
        expect(
          mine(healthy.view())
            .filter((r) => r.contactId === id)
            .map((r) => r.eventId),
        ).toEqual(order);
      }
      expect(new Set(recorded.map((r) => r.type))).toEqual(
        new Set([
          'journey.entered',
          'journey.exited',
          'message.status_changed',
          'contact.unsubscribed',
          'contact.resubscribed',
        ]),
      );
      // The outage was real: refused, then taken too late (so delivered twice), then delivered.
      const flakyMine = mine(flaky.receipts);
      expect(flakyMine.filter((r) => !r.taken).length).toBeGreaterThan(recorded.length / 2);
      const late = flaky.receipts.slice(recoveringFrom + 8, recoveringFrom + 10);
      expect(late).toHaveLength(2);
      for (const { eventId } of late)
        expect(flaky.receipts.filter((r) => r.eventId === eventId && r.taken).length).toBeGreaterThan(1);
      expect(flaky.badSignatures).toEqual([]);
      expect(healthy.badSignatures).toEqual([]);

      // The log shows each delivery delivered, with its attempts and the endpoint's last answer.
      const log = await app.request('GET', `/api/webhook-subscriptions/${flakySub.id}/deliveries?limit=500`);
      expect(log.status).toBe(200);
      IntegratorDeliveryList.parse(log.body);
      const logged = (
        log.body.deliveries as { eventId: string; status: string; attempts: number; responseCode: number }[]
      ).filter((d) => recorded.some((r) => r.id === d.eventId));
      expect(logged).toHaveLength(recorded.length);
      expect(logged.every((d) => d.status === 'delivered' && d.responseCode === 200)).toBe(true);
      expect(logged.some((d) => d.attempts > 1)).toBe(true);

      // Replay sends one logged event again, and only that one.
      const replayed = recorded[0]!.id;
      const before = flaky.receipts.length;
      const answer = await app.request(
        'POST',
        `/api/webhook-subscriptions/${flakySub.id}/deliveries/${replayed}/replay`,
        {},
      );
      expect(answer).toEqual({ status: 202, body: { eventId: replayed, status: 'pending' } });
      await until('the replayed delivery', () => (flaky.receipts.length > before ? true : undefined));
      await new Promise((r) => setTimeout(r, 500));
      expect(flaky.receipts.slice(before).map((r) => r.eventId)).toEqual([replayed]);
      const unknown = await app.request(
        'POST',
        `/api/webhook-subscriptions/${flakySub.id}/deliveries/evt_nothing/replay`,
        {},
      );
      expect(unknown.status).toBe(404);
    } finally {
      await app.request('DELETE', `/api/webhook-subscriptions/${flakySub.id}`);
      await app.request('DELETE', `/api/webhook-subscriptions/${healthySub.id}`);
      await flaky.close();
      await healthy.close();
    }
  });

  it('tell of campaigns finished and journeys converted or cancelled', async () => {
    const secrets: Record<string, string> = {};
    const hook = await endpoint(
      () => secrets.hook!,
      () => 'ok',
    );
    const created = await app.request('POST', '/api/webhook-subscriptions', {
      url: hook.url,
      eventTypes: ['campaign.finished', 'journey.converted', 'journey.exited'],
    });
    secrets.hook = created.body.secret;
    try {
      const [buyer, browser] = [uniqueId('buyer'), uniqueId('browser')];
      for (const id of [buyer, browser]) await app.store.contacts.upsert({ id });
      const flowId = uniqueId('goal');
      await publishFlow(app, {
        schemaVersion: 1,
        id: flowId,
        name: 'Goal',
        nodes: [
          {
            id: 'in',
            type: 'trigger',
            trigger: { kind: 'audience', where: { field: 'contact.id', op: 'eq', value: 'x' } },
          },
          { id: 'pause', type: 'wait', duration: 'PT1H' },
          { id: 'out', type: 'exit' },
        ],
        edges: [
          { id: 'a', source: 'in', target: 'pause' },
          { id: 'b', source: 'pause', target: 'out' },
        ],
        settings: { goal: { event: 'bought' } },
      });
      const campaign = await app.request('POST', '/api/campaigns', {
        flowId,
        audience: { contactIds: [buyer, browser] },
      });
      expect(campaign.status).toBe(202);
      // Delivered, with what the campaign did.
      const finished = await until('campaign.finished', async () => {
        const [row] = await app.sql<{ id: string; data: object }[]>`
          select id, data from integrator_events
          where type = 'campaign.finished' and data->>'campaignId' = ${campaign.body.campaignId}`;
        return row && hook.view().some((r) => r.eventId === row.id) ? row : undefined;
      });
      expect(finished.data).toEqual({
        campaignId: campaign.body.campaignId,
        flowId,
        counts: { scanned: 2, enrolled: 2, skipped: 0 },
      });

      expect((await app.request('POST', '/api/events', { contactId: buyer, name: 'bought' })).status).toBe(
        202,
      );
      const converted = await until('journey.converted', () =>
        hook.view().find((r) => r.type === 'journey.converted' && r.contactId === buyer),
      );
      expect(converted).toBeDefined();
      expect(
        (await app.request('POST', `/api/flows/${flowId}/stop`, { reason: 'test over' })).status,
      ).toBeLessThan(300);
      await until('journey.exited', () =>
        hook.view().find((r) => r.type === 'journey.exited' && r.contactId === browser),
      );
      const [exited] = await app.sql<{ data: { outcome: string } }[]>`
        select data from integrator_events where type = 'journey.exited' and contact_id = ${browser}`;
      expect(exited!.data.outcome).toBe('cancelled');
      expect(
        hook
          .view()
          .filter((r) => r.contactId === buyer)
          .map((r) => r.type),
      ).toEqual(['journey.converted']);
    } finally {
      await app.request('DELETE', `/api/webhook-subscriptions/${created.body.id}`);
      await hook.close();
    }
  });

  it('manage subscriptions: admins only, bad input named in en and zh, edit and delete', async () => {
    const bad = await app.request('POST', '/api/webhook-subscriptions', {
      url: 'ftp://example.com/x',
      eventTypes: ['journey.entered'],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details).toEqual([
      { path: 'url', message: expect.stringMatching(/http:\/\/ or https:\/\/.* \/ url 须为/) },
    ]);
    const missing = await app.request('POST', '/api/webhook-subscriptions', { url: 'https://example.com/x' });
    expect(missing.status).toBe(422);
    expect(missing.body.error.details).toEqual([
      {
        path: 'eventTypes',
        message: 'eventTypes lists the event types to deliver. / eventTypes 须列出要推送的事件类型。',
      },
    ]);
    const unknownType = await app.request('POST', '/api/webhook-subscriptions', {
      url: 'https://example.com/x',
      eventTypes: ['journey.teleported'],
    });
    expect(unknownType.status).toBe(422);
    expect(unknownType.body.error.details[0].path).toBe('eventTypes.0');
    expect(unknownType.body.error.details[0].message).toMatch(/event type is one of .* \/ 事件类型只能是/);

    const created = await app.request('POST', '/api/webhook-subscriptions', {
      url: 'https://example.com/x',
      eventTypes: ['campaign.finished'],
    });
    expect(created.status).toBe(201);
    const { id, secret } = Subscription.parse(created.body);
    expect(secret).toMatch(/^whsec_/);

    const { token: operator } = await app.accounts.createToken({ name: uniqueId('op'), role: 'operator' });
    expect((await app.requestWith({ token: operator }, 'GET', '/api/webhook-subscriptions')).status).toBe(
      403,
    );

    const edited = await app.request('PUT', `/api/webhook-subscriptions/${id}`, {
      enabled: false,
      eventTypes: ['campaign.finished', 'journey.converted'],
      rotateSecret: true,
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      id,
      enabled: false,
      eventTypes: ['campaign.finished', 'journey.converted'],
    });
    expect(edited.body.secret).not.toBe(secret);
    const listed = await app.request('GET', '/api/webhook-subscriptions');
    SubscriptionList.parse(listed.body);
    expect(listed.body.subscriptions.map((s: { id: string }) => s.id)).toContain(id);

    expect(await app.request('DELETE', `/api/webhook-subscriptions/${id}`)).toEqual({
      status: 200,
      body: { id, removed: true },
    });
    const gone = await app.request('GET', `/api/webhook-subscriptions/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error.message).toMatch(/There is no webhook subscription .* \/ 没有 webhook 订阅/);
  });
});
