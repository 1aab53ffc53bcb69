import { recordsMassSendStore } from '@sopflow/connectors';
import { Database } from '@sopflow/server';
import { afterAll, describe, inject } from 'vitest';
import { contract } from '../connectors/src/wecom/mass-send-store-contract';

/** The WeCom mass-send attempt store on the connector records port, against the e2e run's real Postgres. */
describe('the mass-send store on Postgres connector records', () => {
  const db = Database.open(inject('databaseUrl'));
  afterAll(() => db.end());

  contract('contract', () => recordsMassSendStore(db.connectorRecords.of('wecom-mass-test')));
});
