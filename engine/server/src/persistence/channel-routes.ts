import type { Sql } from 'postgres';

/** A channel's route as stored: the connector that delivers it and its config, secrets sealed. */
export interface ChannelRouteRecord {
  channel: string;
  connector: string;
  config: unknown;
  updatedAt: Date;
}

interface Row {
  channel: string;
  connector: string;
  config: unknown;
  updated_at: Date;
}

const toRecord = (r: Row): ChannelRouteRecord => ({
  channel: r.channel,
  connector: r.connector,
  config: r.config,
  updatedAt: r.updated_at,
});

/** Which connector delivers each channel. */
export class ChannelRouteRepository {
  constructor(private readonly sql: Sql) {}

  async list(): Promise<ChannelRouteRecord[]> {
    const rows = await this.sql<Row[]>`select * from channel_routes order by channel`;
    return rows.map(toRecord);
  }

  async get(channel: string): Promise<ChannelRouteRecord | undefined> {
    const [row] = await this.sql<Row[]>`select * from channel_routes where channel = ${channel}`;
    return row && toRecord(row);
  }

  async put(channel: string, connector: string, config: unknown): Promise<ChannelRouteRecord> {
    const [row] = await this.sql<Row[]>`
      insert into channel_routes (channel, connector, config) values (${channel}, ${connector}, ${this.sql.json(config as never)})
      on conflict (channel) do update set connector = excluded.connector, config = excluded.config, updated_at = now()
      returning *`;
    return toRecord(row!);
  }

  async remove(channel: string): Promise<boolean> {
    const rows = await this.sql`delete from channel_routes where channel = ${channel} returning channel`;
    return rows.length > 0;
  }
}
