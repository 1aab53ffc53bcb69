import type { Sql } from 'postgres';

/** A watched customer group: the members sopflow last knew of. */
export interface WatchedGroupRecord {
  id: string;
  members: string[];
  memberVersion?: string;
}

/**
 * The customer groups sopflow watches (every group a provider's callback named), and their members
 * as last seen. The table keeps its first name, `wecom_groups`, from when WeCom was the only provider.
 */
export class WatchedGroupRepository {
  constructor(private readonly sql: Sql) {}

  async watch(groupId: string): Promise<void> {
    await this.sql`insert into wecom_groups (chat_id) values (${groupId}) on conflict (chat_id) do nothing`;
  }

  /** Notes a member's join (moved to the end of the list) or leave. */
  async noteMember(groupId: string, memberId: string, joined: boolean): Promise<void> {
    const { sql } = this;
    await sql`
      update wecom_groups set updated_at = now(),
        members = ${
          joined
            ? sql`array_append(array_remove(members, ${memberId}), ${memberId})`
            : sql`array_remove(members, ${memberId})`
        }
      where chat_id = ${groupId}`;
  }

  /** Every watched group, or the one named, in id order. */
  async list(only?: string): Promise<WatchedGroupRecord[]> {
    const { sql } = this;
    const rows = await sql<{ chat_id: string; members: string[]; member_version: string | null }[]>`
      select chat_id, members, member_version from wecom_groups
      ${only === undefined ? sql`` : sql`where chat_id = ${only}`}
      order by chat_id`;
    return rows.map((r) => ({
      id: r.chat_id,
      members: r.members,
      ...(r.member_version ? { memberVersion: r.member_version } : {}),
    }));
  }

  async markReconciled(groupId: string): Promise<void> {
    await this.sql`update wecom_groups set reconciled_at = now() where chat_id = ${groupId}`;
  }

  /** The provider's member list is the truth now, callbacks that raced its read included. */
  async replaceMembers(groupId: string, members: string[], memberVersion?: string): Promise<void> {
    await this.sql`
      update wecom_groups set members = ${members}, member_version = ${memberVersion ?? null},
        reconciled_at = now(), updated_at = now()
      where chat_id = ${groupId}`;
  }

  async forget(groupId: string): Promise<void> {
    await this.sql`delete from wecom_groups where chat_id = ${groupId}`;
  }
}
