import { readFileSync } from 'node:fs';
import { TEMPLATES } from '@sopflow/core';
import { signWebhook } from '@sopflow/server';
import { contactFlowWorkflowId } from '@sopflow/workflows';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishFlow, startTestApp, type TestApp, uniqueId } from './support/stack';

/**
 * The walking skeleton end to end, on a real Temporal server and a real Postgres:
 * publish trigger → send → wait 2s → branch on a contact field → send, enroll two contacts
 * through the signed webhook, and check what the outbox received.
 */

const example = () =>
  JSON.parse(readFileSync(new URL('../engine/core/examples/vip-welcome.json', import.meta.url), 'utf8'));

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.stop();
});

describe('a published flow runs on Temporal', () => {
  it('takes each contact down its own branch, waits, and completes', async () => {
    const flow = { ...example(), id: uniqueId('vip-welcome') };
    expect(await publishFlow(app, flow)).toBe(1);
    const vera = { id: uniqueId('vera'), name: 'Vera', wecomUserId: 'wx-vera', attributes: { tier: 'vip' } };
    const otto = {
      id: uniqueId('otto'),
      name: 'Otto',
      wecomUserId: 'wx-otto',
      attributes: { tier: 'basic' },
    };

    const answers = await Promise.all(
      [vera, otto].map((contact) => app.webhook(flow.id, { contact, event: { group: '北京读书会' } })),
    );
    for (const answer of answers)
      expect(answer).toMatchObject({ status: 202, body: { status: 'enrolled', version: 1 } });

    // A second trigger (a new delivery) while the contact is in the flow enrolls nobody twice.
    const again = await app.webhook(flow.id, {
      contact: vera,
      event: { group: '北京读书会', source: 'resent' },
    });
    expect(again).toMatchObject({ status: 200, body: { status: 'already-enrolled' } });

    const results = await Promise.all(
      [vera, otto].map((c) => app.client.workflow.getHandle(contactFlowWorkflowId(flow.id, c.id)).result()),
    );
    expect(results).toEqual([
      { outcome: { kind: 'exited', nodeId: 'done' } },
      { outcome: { kind: 'exited', nodeId: 'done' } },
    ]);

    const sent = await app.store.deliveries.listOutbox({ flowId: flow.id });
    const of = (id: string) => sent.filter((m) => m.contactId === id);
    expect(of(vera.id).map((m) => [m.nodeId, m.body])).toEqual([
      ['greet', '欢迎 Vera 加入 北京读书会！'],
      ['vip-perk', 'Vera，作为 VIP，您的专属客服已就位。'],
    ]);
    expect(of(otto.id).map((m) => [m.nodeId, m.body])).toEqual([
      ['greet', '欢迎 Otto 加入 北京读书会！'],
      ['intro', 'Otto，来做个自我介绍吧！'],
    ]);
    for (const contact of [vera, otto]) {
      const [greet, followUp] = of(contact.id);
      // The 2-second wait sits between the two messages.
      expect(followUp!.createdAt.getTime() - greet!.createdAt.getTime()).toBeGreaterThanOrEqual(1900);
      expect(greet).toMatchObject({
        channel: 'wechat',
        flowVersion: 1,
        workflowId: contactFlowWorkflowId(flow.id, contact.id),
      });
    }

    const description = await app.client.workflow
      .getHandle(contactFlowWorkflowId(flow.id, vera.id))
      .describe();
    expect(description.status.name).toBe('COMPLETED');
    const attributes = description.searchAttributes as Record<string, unknown[]>;
    expect(attributes.SopflowFlowId).toEqual([flow.id]);
    expect(attributes.SopflowContactId).toEqual([vera.id]);
    expect(attributes.SopflowFlowVersion).toEqual([1]);
    expect(attributes.SopflowNode).toEqual(['vip-perk']);
  });

  it('can find the runs of a flow in Temporal by its search attributes', async () => {
    const flow = { ...example(), id: uniqueId('findable') };
    await publishFlow(app, flow);
    const contact = { id: uniqueId('c'), name: 'Finn' };
    await app.webhook(flow.id, { contact, event: { group: 'G' } });
    // Visibility is eventually consistent: poll briefly.
    let ids: string[] = [];
    for (let i = 0; i < 50 && ids.length === 0; i++) {
      ids = [];
      for await (const run of app.client.workflow.list({ query: `SopflowFlowId = "${flow.id}"` }))
        ids.push(run.workflowId);
      if (ids.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(ids).toEqual([contactFlowWorkflowId(flow.id, contact.id)]);
  });

  it('keeps running contacts on the version they started with', async () => {
    const flow = { ...example(), id: uniqueId('versions') };
    await publishFlow(app, flow);
    const early = {
      id: uniqueId('early'),
      name: 'Early',
      wecomUserId: 'wx-early',
      attributes: { tier: 'basic' },
    };
    await app.webhook(flow.id, { contact: early, event: { group: 'G' } });

    const v2 = structuredClone(flow);
    v2.nodes.find((n: { id: string }) => n.id === 'intro').message.text = 'v2: {{ contact.name }}';
    expect(await publishFlow(app, v2)).toBe(2);
    const late = {
      id: uniqueId('late'),
      name: 'Late',
      wecomUserId: 'wx-late',
      attributes: { tier: 'basic' },
    };
    await app.webhook(flow.id, { contact: late, event: { group: 'G' } });

    for (const c of [early, late])
      await app.client.workflow.getHandle(contactFlowWorkflowId(flow.id, c.id)).result();
    const intro = (id: string) =>
      app.store.deliveries
        .listOutbox({ flowId: flow.id, contactId: id })
        .then((rows) => rows.find((r) => r.nodeId === 'intro'));
    expect(await intro(early.id)).toMatchObject({ body: 'Early，来做个自我介绍吧！', flowVersion: 1 });
    expect(await intro(late.id)).toMatchObject({ body: 'v2: Late', flowVersion: 2 });
  });
});

describe('the webhook refuses what it should', () => {
  let flowId: string;
  beforeAll(async () => {
    flowId = uniqueId('guarded');
    await publishFlow(app, { ...example(), id: flowId });
  });

  it('refuses a bad signature, naming the problem', async () => {
    const answer = await app.webhook(
      flowId,
      { contact: { id: 'x' }, event: { group: 'G' } },
      { secret: 'whsec_wrong' },
    );
    expect(answer).toMatchObject({ status: 401, body: { error: { code: 'bad_signature' } } });
    const missing = await app.webhook(flowId, { contact: { id: 'x' } }, { signature: 't=1,v1=zz' });
    expect(missing.status).toBe(401);
  });

  it('refuses a payload that lacks a declared field', async () => {
    const answer = await app.webhook(flowId, { contact: { id: uniqueId('c') }, event: {} });
    expect(answer).toMatchObject({ status: 422, body: { error: { code: 'invalid_payload' } } });
    expect(answer.body.error.message).toContain('event.group');
    // Details name each field as every route's 422 does: { path, message }.
    expect(answer.body.error.details).toEqual([{ path: 'event.group', message: 'event.group is required.' }]);
  });

  it('refuses a body with no contact', async () => {
    const answer = await app.webhook(flowId, { event: { group: 'G' } });
    expect(answer).toMatchObject({ status: 422, body: { error: { code: 'invalid_payload' } } });
  });

  it('answers 404 for an unknown flow and 409 for one never published', async () => {
    expect((await app.webhook('no-such-flow', {}, { secret: 's' })).status).toBe(404);
    const draftOnly = { ...example(), id: uniqueId('draft') };
    expect((await app.request('PUT', `/api/flows/${draftOnly.id}`, draftOnly)).status).toBe(200);
    const answer = await app.webhook(draftOnly.id, { contact: { id: 'x' }, event: { group: 'G' } });
    expect(answer).toMatchObject({ status: 409, body: { error: { code: 'flow_not_live' } } });
  });
});

describe('publishing', () => {
  it('refuses a flow with compile errors with 422, each error naming its node', async () => {
    const broken = example();
    broken.id = uniqueId('broken');
    broken.edges = broken.edges.filter((e: { id: string }) => e.id !== 'e5');
    const saved = await app.request('PUT', `/api/flows/${broken.id}`, broken);
    expect(saved.status).toBe(200);
    expect(saved.body.errors).toEqual([
      expect.objectContaining({ code: 'missing_exit', nodeId: 'is-vip' }),
      expect.objectContaining({ code: 'unreachable_node', nodeId: 'intro' }),
    ]);
    const published = await app.request('POST', `/api/flows/${broken.id}/publish`, {});
    expect(published.status).toBe(422);
    expect(published.body.error.details).toEqual(saved.body.errors);
  });

  it('refuses a document that is not a flow, and invalid JSON', async () => {
    expect((await app.request('PUT', '/api/flows/x', { id: 'x' })).status).toBe(422);
    expect((await app.request('PUT', '/api/flows/x', '{not json')).status).toBe(400);
  });
});

describe('templates', () => {
  it("lists the core's SOP templates, in its order, and creates a flow from one that compiles cleanly", async () => {
    const list = await app.request('GET', '/api/templates');
    // The core's own test pins the list (the five of the lifecycle, then WeCom's new customer).
    expect(list.body.templates.map((t: { id: string }) => t.id)).toEqual(TEMPLATES.map((t) => t.id));
    expect(list.body.templates).toHaveLength(6);
    const id = uniqueId('my-welcome');
    const created = await app.request('POST', '/api/flows/from-template', {
      template: 'welcome',
      locale: 'zh',
      id,
    });
    expect(created).toMatchObject({ status: 201, body: { flow: { id, status: 'draft' } } });
    expect((await app.request('POST', `/api/flows/${id}/validate`)).body).toEqual({
      ok: true,
      errors: [],
      warnings: [],
    });
    const again = await app.request('POST', '/api/flows/from-template', {
      template: 'welcome',
      locale: 'zh',
      id,
    });
    expect(again.status).toBe(409);
    expect(
      (await app.request('POST', '/api/flows/from-template', { template: 'nope', locale: 'zh', id: 'x' }))
        .status,
    ).toBe(404);
  });
});

describe('webhook retries', () => {
  it('answer a repeated Idempotency-Key with the first answer, enrolling nobody twice, even after the run ended', async () => {
    const flow = { ...example(), id: uniqueId('idem') };
    await publishFlow(app, flow);
    const { secret } = (await app.request('GET', `/api/flows/${flow.id}/webhook`)).body;
    const contact = { id: uniqueId('c'), name: 'Ida', wecomUserId: 'wx' };
    const raw = JSON.stringify({ contact, event: { group: 'G' } });
    const signedAt = Math.floor(Date.now() / 1000);
    const deliver = (key: string, at = signedAt) =>
      fetch(`${app.url}/api/hooks/${flow.id}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-sopflow-signature': signWebhook(secret, raw, at),
          'idempotency-key': key,
        },
        body: raw,
      });
    const first = await deliver('delivery-1');
    expect(first.status).toBe(202);
    const firstBody = (await first.json()) as { workflowId: string };
    await app.client.workflow.getHandle(contactFlowWorkflowId(flow.id, contact.id)).result();

    const again = await deliver('delivery-1');
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(firstBody);
    const enrollments =
      await app.sql`select run_id from enrollments where workflow_id = ${firstBody.workflowId}`;
    expect(enrollments).toHaveLength(1);

    // A new key, signed anew, is a new delivery: the contact, done with the flow, may enter again.
    expect((await deliver('delivery-2', signedAt + 1)).status).toBe(202);
    expect((await deliver('')).status).toBe(400);
  });

  it('refuse a captured signed delivery replayed inside the signing window, even after the run ended', async () => {
    const flow = { ...example(), id: uniqueId('replay') };
    await publishFlow(app, flow);
    const { secret } = (await app.request('GET', `/api/flows/${flow.id}/webhook`)).body;
    const contact = { id: uniqueId('c'), wecomUserId: 'wx' };
    const raw = JSON.stringify({ contact, event: { group: 'G' } });
    const captured = signWebhook(secret, raw);
    const deliver = (signature: string) =>
      fetch(`${app.url}/api/hooks/${flow.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sopflow-signature': signature },
        body: raw,
      });
    expect((await deliver(captured)).status).toBe(202);
    await app.client.workflow.getHandle(contactFlowWorkflowId(flow.id, contact.id)).result();

    const replayed = await deliver(captured);
    expect(replayed.status).toBe(409);
    expect(((await replayed.json()) as { error: { code: string } }).error.code).toBe('duplicate_delivery');
    expect(await app.sql`select 1 from enrollments where contact_id = ${contact.id}`).toHaveLength(1);
    // Kept in Postgres, so another API process or a restarted one refuses it too.
    expect(await app.sql`select 1 from webhook_signatures_seen where flow_id = ${flow.id}`).toHaveLength(1);
    // The same body signed anew is a new delivery.
    const resigned = signWebhook(secret, raw, Math.floor(Date.now() / 1000) + 1);
    expect((await deliver(resigned)).status).toBe(202);
  });

  it('keep only final answers: a refusal while the flow is paused is not replayed after it resumes', async () => {
    const flow = { ...example(), id: uniqueId('idem-pause') };
    await publishFlow(app, flow);
    const { secret } = (await app.request('GET', `/api/flows/${flow.id}/webhook`)).body;
    const raw = JSON.stringify({ contact: { id: uniqueId('c'), wecomUserId: 'wx' }, event: { group: 'G' } });
    const deliver = () =>
      fetch(`${app.url}/api/hooks/${flow.id}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-sopflow-signature': signWebhook(secret, raw),
          'idempotency-key': 'paused-delivery',
        },
        body: raw,
      });
    expect((await app.request('POST', `/api/flows/${flow.id}/pause`)).status).toBe(200);
    const refused = await deliver();
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('flow_not_live');
    expect((await app.request('POST', `/api/flows/${flow.id}/resume`)).status).toBe(200);
    const retried = await deliver();
    expect(retried.status).toBe(202);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    // Now the answer is final, and replayed.
    const again = await deliver();
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('refuse a key reused with another body (422), and replay one whose body only orders its keys differently', async () => {
    const flow = { ...example(), id: uniqueId('idem-reuse') };
    await publishFlow(app, flow);
    const { secret } = (await app.request('GET', `/api/flows/${flow.id}/webhook`)).body;
    const deliver = (raw: string) =>
      fetch(`${app.url}/api/hooks/${flow.id}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-sopflow-signature': signWebhook(secret, raw),
          'idempotency-key': 'reused-key',
        },
        body: raw,
      });
    const [first, second] = [uniqueId('c'), uniqueId('c')];
    expect(
      (await deliver(JSON.stringify({ contact: { id: first, wecomUserId: 'wx' }, event: { group: 'G' } })))
        .status,
    ).toBe(202);
    const reordered = await deliver(
      JSON.stringify({ event: { group: 'G' }, contact: { wecomUserId: 'wx', id: first } }),
    );
    expect(reordered.status).toBe(202);
    expect(reordered.headers.get('idempotent-replayed')).toBe('true');
    const reused = await deliver(
      JSON.stringify({ contact: { id: second, wecomUserId: 'wx' }, event: { group: 'G' } }),
    );
    expect(reused.status).toBe(422);
    expect(((await reused.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'idempotency_key_reused',
      message: expect.stringContaining('reused-key'),
    });
    expect(await app.sql`select 1 from enrollments where contact_id = ${second}`).toHaveLength(0);
  });
});
