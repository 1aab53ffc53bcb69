import type { ConnectorInstance } from '../connector';
import type { WeComClient } from './wecom-client';

/**
 * Group entry (拉群, 入群欢迎) through WeCom's customer-contact APIs:
 * - join ways (客户群「加入群聊」, `groupchat/add_join_way|get_join_way|update_join_way|del_join_way`):
 *   a QR code (scene 2) or mini-program button (scene 1) that lets a customer into one of up to 5
 *   customer groups, with a `state` that WeCom returns on each member who joined through it;
 * - group welcome templates (入群欢迎语素材, `group_welcome_template/add|edit|get|del`): a text and
 *   at most one attachment, offered to staff for their groups.
 * WeCom answers errors as errcodes; the client turns them into SendErrors (`errcodeToSendError`).
 */

/** WeCom's documented limits. */
export const JOIN_WAY_LIMITS = {
  /** `chat_id_list`: at most 5 groups per join way. */
  maxChats: 5,
  /** `state`: at most 30 UTF-8 characters. */
  maxStateChars: 30,
  /** `remark`: WeCom cuts it at 30 characters. */
  maxRemarkChars: 30,
  /** `room_base_name`: at most 40 UTF-8 characters. */
  maxRoomBaseNameChars: 40,
} as const;

export const WELCOME_TEMPLATE_LIMITS = {
  /** `text.content`: at most 3000 bytes. */
  maxTextBytes: 3000,
  /** The corp's group welcome library holds at most 100 templates. */
  maxTemplates: 100,
  /** `link.title`: at most 128 bytes; `link.desc`: 512 bytes; `miniprogram.title`: 64 bytes. */
  maxLinkTitleBytes: 128,
  maxLinkDescBytes: 512,
  maxMiniprogramTitleBytes: 64,
} as const;

/** A join way as sopflow writes it (WeCom's fields, camel-cased). */
export interface JoinWaySettings {
  /** 1: mini-program button (no QR code); 2: QR code. */
  scene: 1 | 2;
  remark?: string;
  /** Open a new group when the groups are full. @default true (WeCom's default) */
  autoCreateRoom?: boolean;
  roomBaseName?: string;
  roomBaseId?: number;
  chatIds: string[];
  state?: string;
}

/** A join way as WeCom has it: its settings, its `config_id` and, for scene 2, its QR code URL. */
export interface JoinWay extends JoinWaySettings {
  configId: string;
  qrCode?: string;
}

/** The one attachment a group welcome template may carry besides its text. */
export type WelcomeAttachment =
  | { type: 'image'; mediaId?: string; picUrl?: string }
  | { type: 'link'; title: string; url: string; picUrl?: string; desc?: string }
  | { type: 'miniprogram'; title: string; picMediaId: string; appId: string; page: string }
  | { type: 'file'; mediaId: string }
  | { type: 'video'; mediaId: string };

export interface WelcomeTemplateContent {
  /** `%NICKNAME%` is replaced by the customer's nickname. */
  text?: string;
  attachment?: WelcomeAttachment;
}

/** A group welcome template as WeCom has it. */
export interface WelcomeTemplate extends WelcomeTemplateContent {
  templateId: string;
}

/** What a connector instance offers when its credentials may manage group entry. */
export interface GroupEntryManager {
  addJoinWay(settings: JoinWaySettings): Promise<JoinWay>;
  getJoinWay(configId: string): Promise<JoinWay>;
  updateJoinWay(configId: string, settings: JoinWaySettings): Promise<JoinWay>;
  deleteJoinWay(configId: string): Promise<void>;
  /** `notify`: WeCom tells the staff to apply it to their groups (WeCom's default: yes). */
  addWelcomeTemplate(content: WelcomeTemplateContent, notify: boolean): Promise<WelcomeTemplate>;
  getWelcomeTemplate(templateId: string): Promise<WelcomeTemplate>;
  editWelcomeTemplate(templateId: string, content: WelcomeTemplateContent): Promise<WelcomeTemplate>;
  deleteWelcomeTemplate(templateId: string): Promise<void>;
}

/** A connector instance that manages group entry (the WeCom customer-contact connector's). */
export interface GroupEntryInstance extends ConnectorInstance {
  groupEntry: GroupEntryManager;
}

export function hasGroupEntry(instance: ConnectorInstance): instance is GroupEntryInstance {
  return typeof (instance as Partial<GroupEntryInstance>).groupEntry === 'object';
}

interface RawJoinWay {
  config_id?: string;
  scene?: number;
  remark?: string;
  auto_create_room?: number;
  room_base_name?: string;
  room_base_id?: number;
  chat_id_list?: string[];
  qr_code?: string;
  state?: string;
}

function joinWayBody(settings: JoinWaySettings): Record<string, unknown> {
  const autoCreate = settings.autoCreateRoom ?? true;
  return {
    scene: settings.scene,
    ...(settings.remark ? { remark: settings.remark } : {}),
    auto_create_room: autoCreate ? 1 : 0,
    ...(autoCreate && settings.roomBaseName ? { room_base_name: settings.roomBaseName } : {}),
    ...(autoCreate && settings.roomBaseId !== undefined ? { room_base_id: settings.roomBaseId } : {}),
    chat_id_list: settings.chatIds,
    ...(settings.state ? { state: settings.state } : {}),
  };
}

function joinWayOf(raw: RawJoinWay, configId: string): JoinWay {
  return {
    configId: raw.config_id || configId,
    scene: raw.scene === 1 ? 1 : 2,
    ...(raw.remark ? { remark: raw.remark } : {}),
    autoCreateRoom: raw.auto_create_room !== 0,
    ...(raw.room_base_name ? { roomBaseName: raw.room_base_name } : {}),
    ...(raw.room_base_id !== undefined ? { roomBaseId: raw.room_base_id } : {}),
    chatIds: raw.chat_id_list ?? [],
    ...(raw.state ? { state: raw.state } : {}),
    ...(raw.qr_code ? { qrCode: raw.qr_code } : {}),
  };
}

type RawTemplate = {
  text?: { content?: string };
  image?: { media_id?: string; pic_url?: string };
  link?: { title?: string; picurl?: string; desc?: string; url?: string };
  miniprogram?: { title?: string; pic_media_id?: string; appid?: string; page?: string };
  file?: { media_id?: string };
  video?: { media_id?: string };
};

function templateBody(content: WelcomeTemplateContent): RawTemplate {
  const a = content.attachment;
  return {
    ...(content.text ? { text: { content: content.text } } : {}),
    ...(a?.type === 'image'
      ? {
          image: {
            ...(a.mediaId ? { media_id: a.mediaId } : {}),
            ...(a.picUrl ? { pic_url: a.picUrl } : {}),
          },
        }
      : {}),
    ...(a?.type === 'link'
      ? {
          link: {
            title: a.title,
            url: a.url,
            ...(a.picUrl ? { picurl: a.picUrl } : {}),
            ...(a.desc ? { desc: a.desc } : {}),
          },
        }
      : {}),
    ...(a?.type === 'miniprogram'
      ? { miniprogram: { title: a.title, pic_media_id: a.picMediaId, appid: a.appId, page: a.page } }
      : {}),
    ...(a?.type === 'file' ? { file: { media_id: a.mediaId } } : {}),
    ...(a?.type === 'video' ? { video: { media_id: a.mediaId } } : {}),
  };
}

function templateOf(raw: RawTemplate, templateId: string): WelcomeTemplate {
  const attachment: WelcomeAttachment | undefined = raw.image
    ? {
        type: 'image',
        ...(raw.image.media_id ? { mediaId: raw.image.media_id } : {}),
        ...(raw.image.pic_url ? { picUrl: raw.image.pic_url } : {}),
      }
    : raw.link
      ? {
          type: 'link',
          title: raw.link.title ?? '',
          url: raw.link.url ?? '',
          ...(raw.link.picurl ? { picUrl: raw.link.picurl } : {}),
          ...(raw.link.desc ? { desc: raw.link.desc } : {}),
        }
      : raw.miniprogram
        ? {
            type: 'miniprogram',
            title: raw.miniprogram.title ?? '',
            picMediaId: raw.miniprogram.pic_media_id ?? '',
            appId: raw.miniprogram.appid ?? '',
            page: raw.miniprogram.page ?? '',
          }
        : raw.file
          ? { type: 'file', mediaId: raw.file.media_id ?? '' }
          : raw.video
            ? { type: 'video', mediaId: raw.video.media_id ?? '' }
            : undefined;
  return {
    templateId,
    ...(raw.text?.content ? { text: raw.text.content } : {}),
    ...(attachment ? { attachment } : {}),
  };
}

/** Group entry through one WeCom app's client (a customer-contact secret, or an app allowed to call it). */
export function weComGroupEntry(client: WeComClient): GroupEntryManager {
  const api = '/cgi-bin/externalcontact';
  const getJoinWay = async (configId: string) => {
    const answer = await client.post<{ join_way?: RawJoinWay }>(`${api}/groupchat/get_join_way`, {
      config_id: configId,
    });
    return joinWayOf(answer.join_way ?? {}, configId);
  };
  const getWelcomeTemplate = async (templateId: string) =>
    templateOf(
      await client.post<RawTemplate>(`${api}/group_welcome_template/get`, { template_id: templateId }),
      templateId,
    );
  return {
    async addJoinWay(settings) {
      const answer = await client.post<{ config_id?: string }>(
        `${api}/groupchat/add_join_way`,
        joinWayBody(settings),
      );
      if (!answer.config_id) throw new Error('WeCom add_join_way answered without a config_id.');
      // add_join_way answers only the config_id; the QR code comes with get_join_way.
      return getJoinWay(answer.config_id);
    },
    getJoinWay,
    async updateJoinWay(configId, settings) {
      await client.post(`${api}/groupchat/update_join_way`, {
        config_id: configId,
        ...joinWayBody(settings),
      });
      return getJoinWay(configId);
    },
    async deleteJoinWay(configId) {
      await client.post(`${api}/groupchat/del_join_way`, { config_id: configId });
    },
    async addWelcomeTemplate(content, notify) {
      const answer = await client.post<{ template_id?: string }>(`${api}/group_welcome_template/add`, {
        ...templateBody(content),
        notify: notify ? 1 : 0,
      });
      if (!answer.template_id)
        throw new Error('WeCom group_welcome_template/add answered without a template_id.');
      return getWelcomeTemplate(answer.template_id);
    },
    getWelcomeTemplate,
    async editWelcomeTemplate(templateId, content) {
      await client.post(`${api}/group_welcome_template/edit`, {
        template_id: templateId,
        ...templateBody(content),
      });
      return getWelcomeTemplate(templateId);
    },
    async deleteWelcomeTemplate(templateId) {
      await client.post(`${api}/group_welcome_template/del`, { template_id: templateId });
    },
  };
}
