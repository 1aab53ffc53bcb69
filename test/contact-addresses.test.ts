import { defaultRegistry } from '@sopflow/connectors';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { databaseBefore } from './support/database-before';
import { startTestApp, type TestApp, uniqueId } from './support/stack';

/**
 * Contacts carry their addresses keyed by address kind, the kinds the connectors declare: what
 * is posted comes back as it was (normalised by the kind), a kind no connector declares is
 * refused naming the field, and the old flat fields still work as shorthand.
 */
describe('contact addresses by kind', () => {
  let app: TestApp;
  const kinds = defaultRegistry()
    .addressKinds()
    .filter((kind) => (kind.of ?? 'contact') === 'contact');
  const sample: Record<string, string> = {
    email: 'vera@example.com',
    openId: 'o-vera',
    phone: '+86 138-0000-0000',
    wecomExternalUserId: 'wm-vera',
    wecomUserId: 'vera',
  };

  beforeAll(async () => {
    app = await startTestApp({ worker: false });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('serves the declared kinds with their labels and the channels they reach', async () => {
    const { body } = await app.request('GET', '/api/connectors');
    const contactKinds = body.addressKinds.filter((k: { of: string }) => k.of === 'contact');
    expect(contactKinds.map((k: { name: string }) => k.name)).toEqual(Object.keys(sample).sort());
    expect(body.addressKinds.find((k: { name: string }) => k.name === 'phone')).toEqual({
      name: 'phone',
      label: { en: 'Phone number', zh: '手机号' },
      of: 'contact',
      input: 'tel',
      channels: ['sms'],
    });
    expect(body.reach.wechat).toEqual(expect.arrayContaining(['wecomUserId', 'wecomExternalUserId']));
  });

  it('round-trips an address of each declared kind', async () => {
    expect(kinds.map((k) => k.name).sort()).toEqual(Object.keys(sample).sort());
    const id = uniqueId('addr');
    const saved = await app.request('PUT', `/api/contacts/${id}`, { addresses: sample });
    expect(saved.status).toBe(201);
    expect(saved.body.contact.addresses).toEqual(sample);
    // Responses carry addresses only: the flat fields were a request shorthand.
    expect(saved.body.contact).not.toHaveProperty('email');
    const read = await app.request('GET', `/api/contacts/${id}`);
    expect(read.body.contact.addresses).toEqual(sample);

    const cleared = await app.request('PUT', `/api/contacts/${id}`, { addresses: { openId: null } });
    expect(cleared.status).toBe(200);
    const { openId: _gone, ...rest } = sample;
    expect(cleared.body.contact.addresses).toEqual(rest);
  });

  it('refuses a kind no connector declares, and a bad value, naming addresses.<kind> in English and Chinese', async () => {
    const id = uniqueId('addr-bad');
    const unknown = await app.request('PUT', `/api/contacts/${id}`, { addresses: { fax: '123' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details).toEqual([
      { path: 'addresses.fax', message: expect.stringMatching(/Unknown address kind "fax".*未知的地址类型/) },
    ]);
    const bad = await app.request('PUT', `/api/contacts/${id}`, { addresses: { email: 'not-an-email' } });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details).toEqual([
      { path: 'addresses.email', message: expect.stringMatching(/Email address.*邮箱/) },
    ]);
    // Neither was saved.
    expect((await app.request('GET', `/api/contacts/${id}`)).status).toBe(404);
  });

  it('takes a top-level field named after a kind as shorthand, in a PUT and a CSV column', async () => {
    const id = uniqueId('addr-short');
    const saved = await app.request('PUT', `/api/contacts/${id}`, { email: 'a@b.cn', phone: '13800000000' });
    expect(saved.status).toBe(201);
    expect(saved.body.contact.addresses).toEqual({ email: 'a@b.cn', phone: '13800000000' });
    // A top-level field that is neither a contact field nor a declared kind is still refused.
    const stray = await app.request('PUT', `/api/contacts/${id}`, { fax: '123' });
    expect(stray.status).toBe(422);

    const p = uniqueId('addr-csv');
    const csv = ['id,email,WECOMUSERID,addresses.openId,city', `${p},c@d.cn,wx-1,o-1,上海`].join('\n');
    const imported = await app.requestWith({ token: app.token }, 'POST', '/api/contacts/import', csv, {
      'content-type': 'text/csv',
    });
    expect(imported.body).toMatchObject({ imported: 1, failed: 0 });
    const contact = (await app.request('GET', `/api/contacts/${p}`)).body.contact;
    expect(contact.addresses).toEqual({ email: 'c@d.cn', wecomUserId: 'wx-1', openId: 'o-1' });
    expect(contact.attributes).toEqual({ city: '上海' });

    const unknownColumn = await app.requestWith(
      { token: app.token },
      'POST',
      '/api/contacts/import',
      `id,addresses.fax\n${p}-2,123`,
      { 'content-type': 'text/csv' },
    );
    expect(unknownColumn.body).toMatchObject({ imported: 0, failed: 1 });
    expect(unknownColumn.body.errors[0].issues[0].path).toBe('addresses.fax');
  });

  it('finds a contact by an address compared by its match key (a phone by its digits)', async () => {
    const id = uniqueId('addr-match');
    const digits = `139${String(Date.now()).slice(-8)}`;
    await app.request('PUT', `/api/contacts/${id}`, {
      phone: `+86 ${digits.slice(0, 3)}-${digits.slice(3)}`,
    });
    expect(await app.store.contacts.idByAddress('phone', [`+86${digits}`])).toBe(id);
    expect(await app.store.contacts.idByAddress('phone', [`86${digits}`])).toBe(id);
    expect(await app.store.contacts.idByAddress('email', [`+86${digits}`])).toBeUndefined();
  });
});

describe('migration 020', () => {
  it('moves the address columns of a database at 019 into contact_addresses, then drops them', async () => {
    const { db: fresh, drop } = await databaseBefore(inject('databaseUrl'), '020');
    try {
      await fresh.sql`
        insert into contacts (id, name, email, phone, wecom_user_id, wecom_external_user_id, open_id)
        values ('all', 'All', 'All@Example.com', '+1 (555) 123-4567', 'wx-all', 'wm-all', 'o-all'),
               ('some', null, null, '138 0000 0000', null, null, null),
               ('none', 'None', null, null, null, null, null)`;
      // 020 first; later migrations follow it.
      expect((await fresh.migrate())[0]).toBe('020_contact_addresses.sql');

      expect((await fresh.contacts.get('all'))?.addresses).toEqual({
        email: 'All@Example.com',
        phone: '+1 (555) 123-4567',
        wecomUserId: 'wx-all',
        wecomExternalUserId: 'wm-all',
        openId: 'o-all',
      });
      expect((await fresh.contacts.get('some'))?.addresses).toEqual({ phone: '138 0000 0000' });
      expect((await fresh.contacts.get('none'))?.addresses).toEqual({});
      // The match keys the migration wrote are the ones the connectors compute.
      expect(await fresh.contacts.idByAddress('phone', ['+15551234567'])).toBe('all');
      expect(await fresh.contacts.idByAddress('phone', ['13800000000'])).toBe('some');
      expect(await fresh.contacts.idByAddress('email', ['all@example.com'])).toBe('all');
      expect(await fresh.contacts.idByAddress('wecomExternalUserId', ['wm-all'])).toBe('all');
      const columns = await fresh.sql<{ column_name: string }[]>`
        select column_name from information_schema.columns where table_name = 'contacts'`;
      const names = columns.map((c) => c.column_name);
      expect(names).toContain('name');
      for (const gone of ['email', 'phone', 'wecom_user_id', 'wecom_external_user_id', 'open_id'])
        expect(names).not.toContain(gone);
    } finally {
      await drop();
    }
  });
});
