import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, uniqueId } from './support/stack';

/**
 * Bulk reads of contact data (contact lists, imports, campaign audience previews, the outbox) are
 * audited: who read how many, never the data nor the search.
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.stop();
});

describe('the audit log of bulk reads', () => {
  it('records who listed, previewed or imported how many contacts, without the data or the search', async () => {
    const viewerName = uniqueId('viewer');
    const viewer = await app.request('POST', '/api/tokens', { name: viewerName, role: 'viewer' });
    const as = { token: viewer.body.token as string };
    const tag = uniqueId('bulk');
    const phone = '+86 138 0013 8000';
    const rows = ['id,name,phone,tags', `${tag}-1,Li Bulk,${phone},${tag}`, `${tag}-2,Zhao Bulk,,${tag}`];
    const imported = await fetch(`${app.url}/api/contacts/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.token}`, 'content-type': 'text/csv' },
      body: rows.join('\n'),
    });
    expect(imported.status).toBe(200);

    const listed = await app.requestWith(
      as,
      'GET',
      `/api/contacts?tag=${tag}&q=${encodeURIComponent(phone)}`,
    );
    expect(listed.status).toBe(200);
    const previewed = await app.requestWith(as, 'POST', '/api/campaigns/audience', {
      audience: { where: { field: 'contact.tags', op: 'contains', value: tag } },
    });
    expect(previewed).toMatchObject({ status: 200, body: { count: 2 } });
    expect((await app.requestWith(as, 'GET', '/api/outbox?limit=1')).status).toBe(200);
    // A single contact's page is not a bulk read.
    expect((await app.requestWith(as, 'GET', `/api/contacts/${tag}-1`)).status).toBe(200);

    const entries = (await app.request('GET', '/api/audit?limit=20')).body.entries as {
      actorName: string;
      action: string;
      target: string;
      details: unknown;
    }[];
    const byAction = (action: string) => entries.find((e) => e.action === action);
    expect(byAction('POST /api/contacts/import')).toMatchObject({
      details: { received: 2, imported: 2, created: 2, failed: 0 },
    });
    expect(byAction('GET /api/contacts')).toMatchObject({
      actorName: viewerName,
      target: '/api/contacts',
      details: { contacts: 1 },
    });
    expect(byAction('POST /api/campaigns/audience')).toMatchObject({ details: { contacts: 2 } });
    expect(byAction('GET /api/outbox')).toMatchObject({ details: { messages: expect.any(Number) } });
    expect(byAction('GET /api/contacts/:id')).toBeUndefined();
    // Counts only: no name, no phone, no search text.
    const logged = JSON.stringify(entries);
    for (const personal of ['Li Bulk', 'Zhao Bulk', phone, encodeURIComponent(phone)]) {
      expect(logged).not.toContain(personal);
    }
  });
});
