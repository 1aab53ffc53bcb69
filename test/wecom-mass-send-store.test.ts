import { postgresMassSendStore } from '@sopflow/connectors';
import postgres from 'postgres';
import { afterAll, describe, inject, it } from 'vitest';
import { contract } from '../connectors/src/wecom/mass-send-store-contract';

/** The WeCom mass-send attempt store against the e2e run's real Postgres. */
describe('postgresMassSendStore', () => {
  const sql = postgres(inject('databaseUrl'), { max: 4, onnotice: () => {} });
  afterAll(() => sql.end());

  it('creates its table once even when several workers start together', async () => {
    await Promise.all([1, 2, 3].map(() => postgresMassSendStore(sql).get('warm-up')));
  });

  contract('contract', () => postgresMassSendStore(sql));
});
