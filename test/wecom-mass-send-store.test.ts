import { defaultRegistry, recordsMassSendStore } from '@sopflow/connectors';
import { Database } from '@sopflow/server';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { contract } from '../connectors/src/wecom/mass-send-store-contract';
import { databaseBefore } from './support/database-before';

/** The WeCom mass-send attempt store on the connector records port, against the e2e run's real Postgres. */
describe('the mass-send store on Postgres connector records', () => {
  const db = Database.open(inject('databaseUrl'), { addressMatchKey: defaultRegistry().matchKey });
  beforeAll(() => db.migrate());
  afterAll(() => db.end());

  contract('contract', () => recordsMassSendStore(db.connectorRecords.of('wecom-mass-test')));

  it('keeps the attempts recorded before connectors had records (migration 015 moves them)', async () => {
    const { db: fresh, drop } = await databaseBefore(inject('databaseUrl'), '015');
    try {
      await fresh.sql`
        insert into wecom_mass_send_attempts (idempotency_key, first_attempt_at, last_attempt_at, attempts, msgid)
        values ('done', to_timestamp(1000), to_timestamp(5000), 2, 'msg-1'),
               ('open', to_timestamp(7000), to_timestamp(7000), 1, null)`;
      await fresh.migrate();

      const store = recordsMassSendStore(fresh.connectorRecords.of('wecom-mass'));
      expect(await store.get('done')).toEqual({
        firstAttemptAt: 1_000_000,
        lastAttemptAt: 5_000_000,
        msgid: 'msg-1',
      });
      expect(await store.get('open')).toEqual({ firstAttemptAt: 7_000_000, lastAttemptAt: 7_000_000 });
      // A retry of the open attempt goes on from where the old table left it.
      expect(await store.recordAttempt('open', 8_000_000, 6_000_000)).toBe(false);
      expect(await store.recordAttempt('open', 8_000_000, 7_000_000)).toBe(true);
      const [left] = await fresh.sql`select to_regclass('wecom_mass_send_attempts') as t`;
      expect(left?.t).toBeNull();
    } finally {
      await drop();
    }
  });
});
