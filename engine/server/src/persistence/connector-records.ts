import type { ConnectorRecords } from '@sopflow/connectors';
import type { Sql } from 'postgres';

/** Connectors' own small records (the storage port's `records`), one namespace per connector. */
export class ConnectorRecordRepository {
  constructor(private readonly sql: Sql) {}

  /** The records of one connector, as its storage port hands them out. */
  of(connector: string): ConnectorRecords {
    const { sql } = this;
    return {
      async get<T>(key: string) {
        const [row] = await sql<{ value: T; version: number }[]>`
          select value, version from connector_records where connector = ${connector} and key = ${key}`;
        return row && { value: row.value, version: row.version };
      },
      async put(key, value, expectedVersion) {
        const json = sql.json(value as never);
        const rows =
          expectedVersion === undefined
            ? await sql`
                insert into connector_records (connector, key, value, version)
                values (${connector}, ${key}, ${json}, 1)
                on conflict (connector, key) do nothing returning 1`
            : await sql`
                update connector_records set value = ${json}, version = version + 1, updated_at = now()
                where connector = ${connector} and key = ${key} and version = ${expectedVersion}
                returning 1`;
        return rows.length === 1;
      },
    };
  }
}
