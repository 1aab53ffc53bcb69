import type { AudienceSummary, CampaignRecord, CampaignState } from '@sopflow/core/api';
import type { Sql } from 'postgres';
import { publishIntegratorEvent } from './integrator-webhooks';

interface CampaignRow {
  id: string;
  flow_id: string;
  audience: AudienceSummary;
  audience_count: number;
  unknown_contact_id_count: number;
  starts_at: Date;
  created_at: Date;
  scanned: number;
  enrolled: number;
  skipped: number;
  finished_at: Date | null;
  cancelled_at: Date | null;
  error: string | null;
}

/** What a page of a campaign did, and where it began (`after`) and ended (`last`, null at the end). */
export interface CampaignPageRecord {
  after: string | null;
  last: string | null;
  scanned: number;
  enrolled: number;
  skipped: number;
}

function stateOf(row: CampaignRow, now: number): CampaignState {
  if (row.error !== null) return 'failed';
  if (row.cancelled_at !== null) return 'cancelled';
  if (row.finished_at !== null) return 'done';
  if (row.starts_at.getTime() > now && row.scanned === 0) return 'scheduled';
  return 'running';
}

function recordOf(row: CampaignRow, now: number): CampaignRecord {
  return {
    campaignId: row.id,
    flowId: row.flow_id,
    audience: row.audience,
    audienceCount: row.audience_count,
    unknownContactIdCount: row.unknown_contact_id_count,
    state: stateOf(row, now),
    counts: { scanned: row.scanned, enrolled: row.enrolled, skipped: row.skipped },
    error: row.error,
    startsAt: row.starts_at.toISOString(),
    createdAt: row.created_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

/** Campaigns launched through the API and how far their pages have got. */
export class CampaignRepository {
  constructor(private readonly sql: Sql) {}

  async create(campaign: {
    id: string;
    flowId: string;
    audience: AudienceSummary;
    audienceCount: number;
    unknownContactIdCount: number;
    startsAt: Date;
  }): Promise<void> {
    await this.sql`
      insert into campaigns (id, flow_id, audience, audience_count, unknown_contact_id_count, starts_at)
      values (${campaign.id}, ${campaign.flowId}, ${this.sql.json(campaign.audience as never)},
              ${campaign.audienceCount}, ${campaign.unknownContactIdCount}, ${campaign.startsAt})`;
  }

  /** Forgets a campaign that never started. */
  async remove(id: string): Promise<void> {
    await this.sql`delete from campaigns where id = ${id}`;
  }

  /** Newest first. */
  async list(query: { flowId?: string; limit?: number }): Promise<CampaignRecord[]> {
    const { sql } = this;
    const rows = await sql<CampaignRow[]>`
      select * from campaigns
      ${query.flowId ? sql`where flow_id = ${query.flowId}` : sql``}
      order by created_at desc, id desc limit ${query.limit ?? 50}`;
    const now = Date.now();
    return rows.map((row) => recordOf(row, now));
  }

  async get(id: string): Promise<CampaignRecord | undefined> {
    const [row] = await this.sql<CampaignRow[]>`select * from campaigns where id = ${id}`;
    return row && recordOf(row, Date.now());
  }

  /**
   * Adds a page's numbers, once: only while the campaign's cursor is where the page began, so a
   * retried page that was already recorded changes nothing. A campaign with no record (a
   * schedule's) is left alone.
   */
  async recordPage(id: string, page: CampaignPageRecord): Promise<void> {
    await this.sql.begin(async (tx) => {
      const [row] = await tx<CampaignRow[]>`
        update campaigns set
          cursor = ${page.last}, scanned = scanned + ${page.scanned}, enrolled = enrolled + ${page.enrolled},
          skipped = skipped + ${page.skipped},
          finished_at = ${page.last === null ? tx`now()` : tx`null`}
        where id = ${id} and cursor is not distinct from ${page.after} and finished_at is null
        returning *`;
      if (row?.finished_at)
        await publishIntegratorEvent(tx, 'campaign.finished', {
          campaignId: row.id,
          flowId: row.flow_id,
          counts: { scanned: row.scanned, enrolled: row.enrolled, skipped: row.skipped },
        });
    });
  }

  async markCancelled(id: string): Promise<void> {
    await this.sql`update campaigns set cancelled_at = coalesce(cancelled_at, now()) where id = ${id}`;
  }

  async markFailed(id: string, error: string): Promise<void> {
    await this.sql`update campaigns set error = ${error} where id = ${id}`;
  }
}
