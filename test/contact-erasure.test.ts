import { contactFlowWorkflowId } from '@sopflow/workflows';
import { WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { edge } from './support/flows';
import { publishFlow, startTestApp, type TestApp, uniqueId } from './support/stack';

/**
 * Erasing a contact (PIPL / GDPR) while it waits in a flow, on a real Temporal server and Postgres:
 * the run ends and its history is deleted, no table holds anything of the contact afterwards, and
 * a later webhook, event or write for the id does not bring its data back.
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app?.stop();
});

/** Greets by SMS with the contact's name, then waits a day for `go`. */
const greetThenWait = (id: string) => ({
  schemaVersion: 1,
  id,
  name: 'Greet, then wait',
  nodes: [
    { id: 'joined', type: 'trigger', trigger: { kind: 'webhook', event: 'member.joined' } },
    {
      id: 'greet',
      type: 'send',
      channel: 'sms',
      message: { text: 'Hi {{ contact.name }}, {{ contact.email }}' },
    },
    { id: 'hold', type: 'wait_for_event', event: 'go', timeout: 'P1D' },
    { id: 'done', type: 'exit' },
  ],
  edges: [
    edge('joined', 'greet'),
    edge('greet', 'hold'),
    edge('hold', 'done', 'event'),
    edge('hold', 'done', 'timeout'),
  ],
});

async function until<T>(probe: () => Promise<T | undefined>, what: string, tries = 150): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Every row of every table in the database whose text holds one of `needles`: table → rows as text. */
async function rowsHolding(needles: string[]): Promise<Record<string, string[]>> {
  const tables = await app.sql<{ table_name: string }[]>`
    select table_name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`;
  expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['contacts', 'events', 'outbox']));
  const found: Record<string, string[]> = {};
  for (const { table_name } of tables) {
    // The whole row as text: every text, json and array column at once.
    const rows = await app.sql<{ row: string }[]>`
      select t::text as row from ${app.sql(table_name)} t
      where exists (select 1 from unnest(${needles}::text[]) n where strpos(t::text, n) > 0)`;
    if (rows.length > 0) found[table_name] = rows.map((r) => r.row);
  }
  return found;
}

describe('erasing a contact', () => {
  it('ends its waiting run, leaves nothing of it in any table, and refuses it afterwards', async () => {
    const flow = greetThenWait(uniqueId('erase-flow'));
    await publishFlow(app, flow);
    const suffix = uniqueId('x').slice(2);
    const person = {
      id: `erase-me-${suffix}`,
      name: `Wang Erasable ${suffix}`,
      phone: `+86 139 ${suffix.replace(/\D/g, '').padEnd(8, '7').slice(0, 8)}`,
      email: `erase-${suffix}@example.com`,
    };
    const needles = [person.id, person.name, person.phone, person.email];

    const enrolled = await app.webhook(flow.id, { contact: person, event: {} });
    expect(enrolled).toMatchObject({ status: 202, body: { status: 'enrolled' } });
    const workflowId = contactFlowWorkflowId(flow.id, person.id);
    await until(async () => {
      for await (const run of app.temporal.runs({ contactId: person.id, running: true }))
        if (run.node === 'hold') return true;
      return undefined;
    }, 'the run to wait at hold');
    expect(
      await app.request('POST', '/api/events', {
        contactId: person.id,
        name: 'note',
        payload: { phone: person.phone },
      }),
    ).toMatchObject({ status: 202 });
    expect(
      await app.request('PUT', `/api/contacts/${person.id}`, { attributes: { city: 'Hangzhou' } }),
    ).toMatchObject({ status: 200 });
    // The contact is all over the database before: the search below can find it.
    const before = await rowsHolding(needles);
    expect(Object.keys(before)).toEqual(
      expect.arrayContaining([
        'audit_log',
        'contact_addresses',
        'contacts',
        'enrollments',
        'events',
        'outbox',
      ]),
    );

    // Only an admin erases.
    const operator = await app.request('POST', '/api/tokens', { name: uniqueId('op'), role: 'operator' });
    expect(operator.status).toBe(201);
    const refused = await app.requestWith(
      { token: operator.body.token },
      'DELETE',
      `/api/contacts/${person.id}`,
    );
    expect(refused.status).toBe(403);

    const erased = await app.request('DELETE', `/api/contacts/${person.id}`);
    expect(erased).toMatchObject({
      status: 200,
      body: {
        erased: true,
        runs: { ended: 1, historiesDeleted: 1 },
        removed: { contacts: 1, events: expect.any(Number), outbox: 1, enrollmentsAnonymised: 1 },
      },
    });
    expect(erased.body.removed.events).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(erased.body)).not.toContain(person.id);

    // The run is gone from Temporal: ended, and its history (which names the contact) deleted.
    // Terminated first; Temporal deletes the history in the background (up to half a minute on the dev server).
    await until(
      async () => {
        const status = await app.client.workflow
          .getHandle(workflowId)
          .describe()
          .then(
            (run) => run.status.name,
            (error) => {
              if (error instanceof WorkflowNotFoundError) return 'DELETED';
              throw error;
            },
          );
        expect(['TERMINATED', 'DELETED']).toContain(status);
        return status === 'DELETED' ? true : undefined;
      },
      'the run history to be deleted',
      600,
    );

    expect(await rowsHolding(needles)).toEqual({});
    // Statistics keep the run, without the contact.
    const [kept] = await app.sql<{ n: number }[]>`
      select count(*)::int as n from enrollments where flow_id = ${flow.id} and contact_id like 'erased:%'`;
    expect(kept?.n).toBe(1);
    // The audit log says who erased, under the reference, not the id.
    const [entry] = await app.sql<{ actor_name: string; target: string }[]>`
      select actor_name, target from audit_log where action = 'DELETE /api/contacts/:id' order by id desc limit 1`;
    expect(entry?.target).toBe(`/api/contacts/erased:${erased.body.reference}`);
    expect(entry?.actor_name).toBeTruthy();

    // Erased is erased: an old webhook, an event, a write or an import for the id is refused.
    const again = await app.webhook(flow.id, { contact: person, event: {} });
    expect(again).toMatchObject({ status: 410, body: { error: { code: 'contact_erased' } } });
    expect(
      await app.request('POST', '/api/events', {
        contactId: person.id,
        name: 'note',
        payload: { phone: person.phone },
      }),
    ).toMatchObject({ status: 410, body: { error: { code: 'contact_erased' } } });
    expect(await app.request('PUT', `/api/contacts/${person.id}`, { name: person.name })).toMatchObject({
      status: 410,
    });
    const res = await fetch(`${app.url}/api/contacts/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.token}`, 'content-type': 'text/csv' },
      body: `id,name,phone\n${person.id},${person.name},${person.phone}\n${uniqueId('other')},Other,\n`,
    });
    const report = await res.json();
    expect(report).toMatchObject({ imported: 1, failed: 1, errors: [{ row: 2, id: person.id }] });
    // Not even the audit entries of the refused writes name the id.
    expect(await rowsHolding(needles)).toEqual({});

    // Erasing the id again sweeps every table again, and finds nothing left.
    expect(await app.request('DELETE', `/api/contacts/${person.id}`)).toMatchObject({
      status: 200,
      body: { removed: { contacts: 0, events: 0, outbox: 0, deliveriesAnonymised: 0 } },
    });
    // A deliberate re-creation: an admin lifts the erasure, and the id is taken again (the old data stays gone).
    expect((await app.request('DELETE', `/api/contacts/${person.id}/erasure`)).status).toBe(204);
    const recreated = await app.request('PUT', `/api/contacts/${person.id}`, { name: 'Back by request' });
    expect(recreated).toMatchObject({ status: 201, body: { contact: { id: person.id, attributes: {} } } });
  });
});
