import { ScheduleNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishFlow, startTestApp, type TestApp, uniqueId } from './support/stack';

/**
 * Audience and schedule triggers: a campaign pages through the contacts, enrolls those who
 * match once each, reports its progress, and schedule-triggered flows get a Temporal Schedule.
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.stop();
});

function broadcast(id: string, trigger: object) {
  return {
    schemaVersion: 1,
    id,
    name: `Broadcast ${id}`,
    nodes: [
      { id: 'in', type: 'trigger', trigger },
      { id: 'say', type: 'send', channel: 'sms', message: { text: 'Flash sale for {{ contact.id }}' } },
      { id: 'out', type: 'exit' },
    ],
    edges: [
      { id: 'a', source: 'in', target: 'say' },
      { id: 'b', source: 'say', target: 'out' },
    ],
  };
}

async function finished(campaignId: string) {
  for (let i = 0; i < 300; i++) {
    const status = await app.request('GET', `/api/campaigns/${encodeURIComponent(campaignId)}`);
    if (status.body.status === 'COMPLETED') return status.body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`campaign ${campaignId} did not finish`);
}

describe('campaigns', () => {
  it('enroll everyone matching the audience, page by page, once each', async () => {
    const segment = uniqueId('seg');
    const id = uniqueId('sale');
    await publishFlow(
      app,
      broadcast(id, {
        kind: 'audience',
        where: { field: 'contact.attributes.segment', op: 'eq', value: segment },
      }),
    );
    const members = Array.from({ length: 120 }, (_, i) => `${segment}-${String(i).padStart(3, '0')}`);
    for (const [i, contactId] of members.entries()) {
      await app.store.contacts.upsert({
        id: contactId,
        addresses: { phone: '138' },
        attributes: { segment: i % 3 === 0 ? 'other' : segment },
      });
    }
    const expected = members.filter((_, i) => i % 3 !== 0);

    const started = await app.request('POST', '/api/campaigns', { flowId: id, pageSize: 25 });
    expect(started.status).toBe(202);
    const done = await finished(started.body.campaignId);
    expect(done.progress).toMatchObject({ done: true, enrolled: expected.length, cancelled: false });

    // The contacts' runs finish; each matching contact got the message exactly once.
    for (let i = 0; i < 100; i++) {
      if ((await app.store.deliveries.listOutbox({ flowId: id, limit: 1000 })).length >= expected.length)
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const sent = await app.store.deliveries.listOutbox({ flowId: id, limit: 1000 });
    expect(sent.map((m) => m.contactId).sort()).toEqual(expected);

    // An explicit list scans exactly those contacts, each enrolled or skipped once.
    const again = await app.request('POST', '/api/campaigns', {
      flowId: id,
      audience: { contactIds: expected.slice(0, 5) },
    });
    const second = await finished(again.body.campaignId);
    expect(second.progress).toMatchObject({ scanned: 5, done: true });
    expect(second.progress.enrolled + second.progress.skipped).toBe(5);
  });

  it('refuse a flow that does not exist or is not published', async () => {
    expect((await app.request('POST', '/api/campaigns', { flowId: 'nope' })).status).toBe(404);
    expect((await app.request('POST', '/api/campaigns', { flowId: 1 })).status).toBe(422);
    expect((await app.request('GET', '/api/campaigns/campaign:nope:1')).status).toBe(404);
  });
});

describe('schedule triggers', () => {
  it('get a Temporal Schedule on publish, which runs the audience campaign, and lose it when the trigger changes', async () => {
    const segment = uniqueId('evening');
    const id = uniqueId('nightly');
    const trigger = {
      kind: 'schedule',
      cron: '0 20 * * *',
      timezone: 'Asia/Shanghai',
      where: { field: 'contact.attributes.segment', op: 'eq', value: segment },
    };
    const published = await app.request('PUT', `/api/flows/${id}`, broadcast(id, trigger));
    expect(published.status).toBe(200);
    const answer = await app.request('POST', `/api/flows/${id}/publish`, {});
    expect(answer.body).toMatchObject({ version: 1, schedule: 'synced' });

    const handle = app.client.schedule.getHandle(`sopflow-schedule:${id}`);
    const description = await handle.describe();
    expect(description.spec.timezone).toBe('Asia/Shanghai');
    expect(JSON.stringify(description.spec)).toContain('20');

    await app.store.contacts.upsert({
      id: `${segment}-a`,
      addresses: { phone: '138' },
      attributes: { segment },
    });
    await handle.trigger();
    for (let i = 0; i < 100 && (await app.store.deliveries.listOutbox({ flowId: id })).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await app.store.deliveries.listOutbox({ flowId: id })).map((m) => m.contactId)).toEqual([
      `${segment}-a`,
    ]);

    await publishFlow(app, broadcast(id, { kind: 'manual' }));
    await expect(handle.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
  });
});
