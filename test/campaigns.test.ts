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

    const where = { field: 'contact.attributes.segment', op: 'eq', value: segment };
    const counted = await app.request('POST', '/api/campaigns/audience', { audience: { where } });
    expect(counted).toEqual({
      status: 200,
      body: { count: expected.length, unknownContactIds: [], unknownContactIdCount: 0 },
    });
    const started = await app.request('POST', '/api/campaigns', {
      flowId: id,
      audience: { where },
      pageSize: 25,
    });
    expect(started.status).toBe(202);
    expect(started.body.audience).toEqual(counted.body);
    const done = await finished(started.body.campaignId);
    expect(done.progress).toMatchObject({ done: true, enrolled: expected.length, cancelled: false });
    // Postgres found the audience: every contact a page read matched.
    expect(done.progress.scanned).toBe(expected.length);

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

    // The server lists both, newest first, with their audiences, sizes at launch and counts.
    const listed = await app.request('GET', `/api/campaigns?flowId=${id}`);
    expect(listed.status).toBe(200);
    expect(listed.body.campaigns).toEqual([
      expect.objectContaining({
        campaignId: again.body.campaignId,
        flowId: id,
        audience: { kind: 'contactIds', count: 5 },
        audienceCount: 5,
        unknownContactIdCount: 0,
        state: 'done',
        counts: { scanned: 5, enrolled: second.progress.enrolled, skipped: second.progress.skipped },
        error: null,
      }),
      expect.objectContaining({
        campaignId: started.body.campaignId,
        audience: { kind: 'where', where },
        audienceCount: expected.length,
        state: 'done',
        counts: { scanned: expected.length, enrolled: expected.length, skipped: 0 },
      }),
    ]);
    expect(listed.body.campaigns[0]).toEqual({ ...second.record, temporalUrl: expect.any(String) });
    expect((await app.request('GET', '/api/campaigns?limit=0')).status).toBe(422);
  });

  it('require an explicit audience, naming the field in en and zh', async () => {
    const id = uniqueId('noaudience');
    await publishFlow(app, broadcast(id, { kind: 'manual' }));
    for (const body of [
      { flowId: id },
      { flowId: id, audience: {} },
      { flowId: id, audience: { everyone: false } },
      { flowId: id, audience: { everyone: true, contactIds: ['a'] } },
      { flowId: id, audience: { contactIds: [] } },
    ]) {
      const refused = await app.request('POST', '/api/campaigns', body);
      expect(refused.status, JSON.stringify(body)).toBe(422);
      expect(refused.body.error.code).toBe('invalid_campaign');
      const issue = refused.body.error.details.find((d: { path: string }) => d.path.startsWith('audience'));
      expect(issue, JSON.stringify(refused.body)).toBeDefined();
    }
    const missing = await app.request('POST', '/api/campaigns', { flowId: id });
    expect(missing.body.error.details).toEqual([
      { path: 'audience', message: expect.stringMatching(/Choose an audience.*请选择受众/) },
    ]);
    const badComparison = await app.request('POST', '/api/campaigns/audience', {
      audience: { where: { field: 'contact.points', op: 'gt', value: 'ten' } },
    });
    expect(badComparison.status).toBe(422);
    expect(badComparison.body.error.details).toEqual([
      { path: 'audience.where', message: '"gt" compares numbers; give a number.' },
    ]);
    expect((await app.request('POST', '/api/campaigns/audience', {})).status).toBe(422);
    // Nobody was enrolled by the refused requests.
    expect((await app.request('GET', `/api/campaigns?flowId=${id}`)).body.campaigns).toEqual([]);
  });

  it('count everyone as a deliberate choice, and report named ids that match no contact', async () => {
    const id = uniqueId('everyone');
    await publishFlow(app, broadcast(id, { kind: 'manual' }));
    const known = uniqueId('known');
    await app.store.contacts.upsert({ id: known, addresses: { phone: '138' } });
    const everyone = await app.request('POST', '/api/campaigns/audience', { audience: { everyone: true } });
    expect(everyone.status).toBe(200);
    const [all] = await app.store.sql<{ count: number }[]>`select count(*)::int as count from contacts`;
    expect(everyone.body.count).toBe(all!.count);

    const ghosts = [uniqueId('ghost'), uniqueId('ghost')];
    const named = { contactIds: [ghosts[0], known, ghosts[1], known] };
    const counted = await app.request('POST', '/api/campaigns/audience', { audience: named });
    expect(counted.body).toEqual({ count: 1, unknownContactIds: ghosts, unknownContactIdCount: 2 });
    const started = await app.request('POST', '/api/campaigns', {
      flowId: id,
      audience: named,
      at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(started.status).toBe(202);
    expect(started.body.audience).toEqual(counted.body);
    const [record] = (await app.request('GET', `/api/campaigns?flowId=${id}`)).body.campaigns;
    expect(record).toMatchObject({
      audience: { kind: 'contactIds', count: 4 },
      audienceCount: 1,
      unknownContactIdCount: 2,
      state: 'scheduled',
    });
    expect((await app.request('POST', `/api/campaigns/${started.body.campaignId}/cancel`, {})).status).toBe(
      202,
    );
    const cancelled = await app.request('GET', `/api/campaigns/${started.body.campaignId}`);
    expect(cancelled.body.record.state).toBe('cancelled');
  });

  it('refuse a flow that does not exist or is not published', async () => {
    expect(
      (await app.request('POST', '/api/campaigns', { flowId: 'nope', audience: { everyone: true } })).status,
    ).toBe(404);
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
