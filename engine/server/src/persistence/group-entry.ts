import type { JoinWay, WelcomeAttachment, WelcomeTemplate } from '@sopflow/core/api';
import type { Sql } from 'postgres';

interface JoinWayRow {
  id: string;
  channel: string;
  scene: 'qr-code' | 'mini-program';
  remark: string | null;
  chat_ids: string[];
  auto_create_room: boolean;
  room_base_name: string | null;
  room_base_id: number | null;
  state: string;
  qr_code: string | null;
  created_at: Date;
  updated_at: Date;
}

function joinWayOf(row: JoinWayRow): JoinWay {
  return {
    id: row.id,
    scene: row.scene,
    ...(row.remark === null ? {} : { remark: row.remark }),
    chatIds: row.chat_ids,
    autoCreateRoom: row.auto_create_room,
    ...(row.room_base_name === null ? {} : { roomBaseName: row.room_base_name }),
    ...(row.room_base_id === null ? {} : { roomBaseId: row.room_base_id }),
    state: row.state,
    ...(row.qr_code === null ? {} : { qrCode: row.qr_code }),
    channel: row.channel,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

interface TemplateRow {
  id: string;
  channel: string;
  name: string;
  text: string | null;
  attachment: WelcomeAttachment | null;
  created_at: Date;
  updated_at: Date;
}

function templateOf(row: TemplateRow): WelcomeTemplate {
  return {
    id: row.id,
    name: row.name,
    ...(row.text === null ? {} : { text: row.text }),
    ...(row.attachment === null ? {} : { attachment: row.attachment }),
    channel: row.channel,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export type JoinWayWrite = Omit<JoinWay, 'createdAt' | 'updatedAt'>;
export type WelcomeTemplateWrite = Omit<WelcomeTemplate, 'createdAt' | 'updatedAt'>;

/** Group entry: join ways (whose config ids only sopflow keeps) and group welcome templates. */
export class GroupEntryRepository {
  constructor(private readonly sql: Sql) {}

  async listJoinWays(): Promise<JoinWay[]> {
    const rows = await this.sql<JoinWayRow[]>`select * from group_join_ways order by created_at, id`;
    return rows.map(joinWayOf);
  }

  async joinWay(id: string): Promise<JoinWay | undefined> {
    const [row] = await this.sql<JoinWayRow[]>`select * from group_join_ways where id = ${id}`;
    return row && joinWayOf(row);
  }

  /** The join way that holds `state`, if any (states are unique). */
  async joinWayByState(state: string): Promise<JoinWay | undefined> {
    const [row] = await this.sql<JoinWayRow[]>`select * from group_join_ways where state = ${state}`;
    return row && joinWayOf(row);
  }

  /** The ids of the join ways that let into a group, in id order. */
  async joinWayIdsOfChat(chatId: string): Promise<string[]> {
    const rows = await this.sql<{ id: string }[]>`
      select id from group_join_ways where chat_ids @> array[${chatId}]::text[] order by id`;
    return rows.map((r) => r.id);
  }

  /** Stores a join way, new or edited (by id). */
  async saveJoinWay(way: JoinWayWrite): Promise<JoinWay> {
    const [row] = await this.sql<JoinWayRow[]>`
      insert into group_join_ways (id, channel, scene, remark, chat_ids, auto_create_room,
        room_base_name, room_base_id, state, qr_code)
      values (${way.id}, ${way.channel}, ${way.scene}, ${way.remark ?? null}, ${way.chatIds},
        ${way.autoCreateRoom}, ${way.roomBaseName ?? null}, ${way.roomBaseId ?? null}, ${way.state},
        ${way.qrCode ?? null})
      on conflict (id) do update set channel = excluded.channel, scene = excluded.scene,
        remark = excluded.remark, chat_ids = excluded.chat_ids,
        auto_create_room = excluded.auto_create_room, room_base_name = excluded.room_base_name,
        room_base_id = excluded.room_base_id, state = excluded.state, qr_code = excluded.qr_code,
        updated_at = now()
      returning *`;
    return joinWayOf(row!);
  }

  async deleteJoinWay(id: string): Promise<boolean> {
    const rows = await this.sql`delete from group_join_ways where id = ${id} returning id`;
    return rows.length > 0;
  }

  async listWelcomeTemplates(): Promise<WelcomeTemplate[]> {
    const rows = await this.sql<TemplateRow[]>`select * from group_welcome_templates order by created_at, id`;
    return rows.map(templateOf);
  }

  async welcomeTemplate(id: string): Promise<WelcomeTemplate | undefined> {
    const [row] = await this.sql<TemplateRow[]>`select * from group_welcome_templates where id = ${id}`;
    return row && templateOf(row);
  }

  async saveWelcomeTemplate(template: WelcomeTemplateWrite): Promise<WelcomeTemplate> {
    const { sql } = this;
    const attachment = template.attachment ? sql.json(template.attachment as never) : null;
    const [row] = await sql<TemplateRow[]>`
      insert into group_welcome_templates (id, channel, name, text, attachment)
      values (${template.id}, ${template.channel}, ${template.name}, ${template.text ?? null}, ${attachment})
      on conflict (id) do update set channel = excluded.channel, name = excluded.name,
        text = excluded.text, attachment = excluded.attachment, updated_at = now()
      returning *`;
    return templateOf(row!);
  }

  async deleteWelcomeTemplate(id: string): Promise<boolean> {
    const rows = await this.sql`delete from group_welcome_templates where id = ${id} returning id`;
    return rows.length > 0;
  }
}
