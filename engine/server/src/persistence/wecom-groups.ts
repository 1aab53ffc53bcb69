import type { Sql } from 'postgres';

/** A watched WeCom customer group: the members sopflow last knew of. */
export interface WeComGroupRecord {
  chatId: string;
  members: string[];
  memberVersion: string | null;
}

/** The WeCom customer groups sopflow watches, and their members as last seen. */
export class WeComGroupRepository {
  constructor(private readonly sql: Sql) {}

  async watch(chatId: string): Promise<void> {
    await this.sql`insert into wecom_groups (chat_id) values (${chatId}) on conflict (chat_id) do nothing`;
  }

  /** Notes a member's join (moved to the end of the list) or leave. */
  async noteMember(chatId: string, memberId: string, joined: boolean): Promise<void> {
    const { sql } = this;
    await sql`
      update wecom_groups set updated_at = now(),
        members = ${
          joined
            ? sql`array_append(array_remove(members, ${memberId}), ${memberId})`
            : sql`array_remove(members, ${memberId})`
        }
      where chat_id = ${chatId}`;
  }

  /** Every watched group, or the one named, in chat id order. */
  async list(only?: string): Promise<WeComGroupRecord[]> {
    const { sql } = this;
    const rows = await sql<{ chat_id: string; members: string[]; member_version: string | null }[]>`
      select chat_id, members, member_version from wecom_groups
      ${only === undefined ? sql`` : sql`where chat_id = ${only}`}
      order by chat_id`;
    return rows.map((r) => ({ chatId: r.chat_id, members: r.members, memberVersion: r.member_version }));
  }

  async markReconciled(chatId: string): Promise<void> {
    await this.sql`update wecom_groups set reconciled_at = now() where chat_id = ${chatId}`;
  }

  /** WeCom's member list is the truth now, callbacks that raced its read included. */
  async replaceMembers(chatId: string, members: string[], memberVersion: string | null): Promise<void> {
    await this.sql`
      update wecom_groups set members = ${members}, member_version = ${memberVersion}, reconciled_at = now(),
        updated_at = now()
      where chat_id = ${chatId}`;
  }

  async forget(chatId: string): Promise<void> {
    await this.sql`delete from wecom_groups where chat_id = ${chatId}`;
  }
}
