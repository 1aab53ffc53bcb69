import type { Sql } from 'postgres';

/** A channel code as stored: what the operator gave, and what the provider answered. */
export interface ChannelCodeRecord {
  id: string;
  name: string;
  channel: string;
  state: string;
  staff: string[];
  skipVerify: boolean;
  /** The connector that made it (its provider holds the code). */
  connector: string;
  /** The contact event an add through the code becomes, carrying its state. */
  addEvent: string;
  /** The provider's id of the code (WeCom's config_id): needed to edit or delete it. */
  providerId: string;
  qrCode: string;
  createdAt: Date;
  updatedAt: Date;
}

/** How many adds, enrollments and conversions came through a state. */
export interface ChannelCodeCounts {
  adds: number;
  enrollments: number;
  conversions: number;
}

interface Row {
  id: string;
  name: string;
  channel: string;
  state: string;
  staff: string[];
  skip_verify: boolean;
  connector: string;
  add_event: string;
  provider_id: string;
  qr_code: string;
  created_at: Date;
  updated_at: Date;
}

const recordOf = (r: Row): ChannelCodeRecord => ({
  id: r.id,
  name: r.name,
  channel: r.channel,
  state: r.state,
  staff: r.staff,
  skipVerify: r.skip_verify,
  connector: r.connector,
  addEvent: r.add_event,
  providerId: r.provider_id,
  qrCode: r.qr_code,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Postgres's code for a unique violation. */
const UNIQUE_VIOLATION = '23505';

/** Channel codes (渠道活码) and what came through each. */
export class ChannelCodeRepository {
  constructor(private readonly sql: Sql) {}

  /** Stores a new code; false when its state is taken already (the caller draws another). */
  async insert(code: Omit<ChannelCodeRecord, 'createdAt' | 'updatedAt'>): Promise<ChannelCodeRecord | false> {
    try {
      const [row] = await this.sql<Row[]>`
        insert into channel_codes
          (id, name, channel, state, staff, skip_verify, connector, add_event, provider_id, qr_code)
        values (${code.id}, ${code.name}, ${code.channel}, ${code.state}, ${code.staff}, ${code.skipVerify},
                ${code.connector}, ${code.addEvent}, ${code.providerId}, ${code.qrCode})
        returning *`;
      return recordOf(row!);
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) return false;
      throw error;
    }
  }

  /** Whether a state is taken by a stored code. */
  async stateTaken(state: string): Promise<boolean> {
    const [row] = await this.sql<{ n: number }[]>`
      select count(*)::int as n from channel_codes where state = ${state}`;
    return (row?.n ?? 0) > 0;
  }

  async get(id: string): Promise<ChannelCodeRecord | undefined> {
    const [row] = await this.sql<Row[]>`select * from channel_codes where id = ${id}`;
    return row ? recordOf(row) : undefined;
  }

  /** Every code, newest first. */
  async list(): Promise<ChannelCodeRecord[]> {
    const rows = await this.sql<Row[]>`select * from channel_codes order by created_at desc, id`;
    return rows.map(recordOf);
  }

  async update(
    id: string,
    change: Pick<ChannelCodeRecord, 'name' | 'channel' | 'staff' | 'skipVerify' | 'qrCode'>,
  ): Promise<ChannelCodeRecord | undefined> {
    const [row] = await this.sql<Row[]>`
      update channel_codes set name = ${change.name}, channel = ${change.channel}, staff = ${change.staff},
        skip_verify = ${change.skipVerify}, qr_code = ${change.qrCode}, updated_at = now()
      where id = ${id}
      returning *`;
    return row ? recordOf(row) : undefined;
  }

  async remove(id: string): Promise<boolean> {
    const rows = await this.sql`delete from channel_codes where id = ${id} returning id`;
    return rows.length > 0;
  }

  /**
   * Per code's state: its add events (the code's `add_event` carrying the state in its payload; an
   * event WeCom redelivered is stored once), the runs events with that state started, and those
   * runs that reached their goal.
   */
  async counts(states: string[]): Promise<Map<string, ChannelCodeCounts>> {
    const counts = new Map<string, ChannelCodeCounts>(
      states.map((state) => [state, { adds: 0, enrollments: 0, conversions: 0 }]),
    );
    if (states.length === 0) return counts;
    const { sql } = this;
    const [adds, runs] = await Promise.all([
      sql<{ state: string; n: number }[]>`
        select c.state, count(*)::int as n
        from channel_codes c
        join events e on e.name = c.add_event and e.payload ? 'state' and e.payload->>'state' = c.state
        where c.state = any(${states})
        group by c.state`,
      sql<{ state: string; n: number; converted: number }[]>`
        select channel_state as state, count(*)::int as n,
               count(*) filter (where outcome = 'converted')::int as converted
        from enrollments where channel_state = any(${states})
        group by 1`,
    ]);
    for (const row of adds) counts.get(row.state)!.adds = row.n;
    for (const row of runs) {
      const entry = counts.get(row.state)!;
      entry.enrollments = row.n;
      entry.conversions = row.converted;
    }
    return counts;
  }
}
