import { randomBytes } from 'node:crypto';
import { JOIN_WAY_LIMITS, WELCOME_TEMPLATE_LIMITS } from './group-entry';

/**
 * The fake WeCom server's group entry: join ways (`groupchat/*_join_way`) and group welcome
 * templates (`group_welcome_template/*`), with WeCom's documented limits (5 groups, a 30-character
 * state, 3000-byte text, 100 templates, one attachment) and the QR code image a join way's
 * `qr_code` points at. Kept apart from the server's routing so it grows on its own.
 */

const ok = { errcode: 0, errmsg: 'ok' };
const invalid = (errmsg: string) => ({ errcode: 40058, errmsg });

export interface FakeJoinWay {
  config_id: string;
  scene: number;
  remark?: string;
  auto_create_room: number;
  room_base_name?: string;
  room_base_id?: number;
  chat_id_list: string[];
  state?: string;
  qr_code?: string;
}

const ATTACHMENT_TYPES = ['image', 'link', 'miniprogram', 'file', 'video'] as const;

export class FakeGroupEntry {
  readonly joinWays = new Map<string, FakeJoinWay>();
  readonly welcomeTemplates = new Map<string, Record<string, unknown>>();
  /** The `notify` of each template when it was added. */
  readonly notified = new Map<string, boolean>();

  constructor(
    /** Whether a customer group exists (join ways may name only those). */
    private readonly chatExists: (chatId: string) => boolean,
    /** Where the QR code image of a join way is served. */
    private readonly qrUrlOf: (configId: string) => string,
    /** Join ways (and contact ways) one corp may create through the API. */
    private readonly maxWays = 500_000,
  ) {}

  route(api: string, input: Record<string, unknown>): object | undefined {
    switch (api) {
      case 'externalcontact/groupchat/add_join_way':
        return this.addJoinWay(input);
      case 'externalcontact/groupchat/get_join_way':
        return this.withJoinWay(input, (way) => ({ ...ok, join_way: way }));
      case 'externalcontact/groupchat/update_join_way':
        return this.withJoinWay(input, (way) => this.updateJoinWay(way, input));
      case 'externalcontact/groupchat/del_join_way':
        return this.withJoinWay(input, (way) => {
          this.joinWays.delete(way.config_id);
          return ok;
        });
      case 'externalcontact/group_welcome_template/add':
        return this.addTemplate(input);
      case 'externalcontact/group_welcome_template/get':
        return this.withTemplate(input, (id, template) => ({ ...ok, ...template, template_id: id }));
      case 'externalcontact/group_welcome_template/edit':
        return this.withTemplate(input, (id) => this.editTemplate(id, input));
      case 'externalcontact/group_welcome_template/del':
        return this.withTemplate(input, (id) => {
          this.welcomeTemplates.delete(id);
          return ok;
        });
      default:
        return undefined;
    }
  }

  private joinWayProblem(input: Record<string, unknown>): object | undefined {
    if (input.scene !== 1 && input.scene !== 2) return invalid('scene must be 1 or 2');
    const chats = input.chat_id_list;
    if (!Array.isArray(chats) || chats.length === 0) return invalid('chat_id_list is required');
    if (chats.length > JOIN_WAY_LIMITS.maxChats)
      return invalid(`chat_id_list holds at most ${JOIN_WAY_LIMITS.maxChats} chats`);
    const missing = chats.find((id) => !this.chatExists(String(id)));
    if (missing !== undefined) return { errcode: 40050, errmsg: `chatid not exist: ${missing}` };
    if (typeof input.state === 'string' && [...input.state].length > JOIN_WAY_LIMITS.maxStateChars)
      return invalid(`state is at most ${JOIN_WAY_LIMITS.maxStateChars} characters`);
    if (
      typeof input.room_base_name === 'string' &&
      [...input.room_base_name].length > JOIN_WAY_LIMITS.maxRoomBaseNameChars
    )
      return invalid(`room_base_name is at most ${JOIN_WAY_LIMITS.maxRoomBaseNameChars} characters`);
    return undefined;
  }

  private settingsOf(input: Record<string, unknown>): Omit<FakeJoinWay, 'config_id' | 'qr_code'> {
    return {
      scene: Number(input.scene),
      // WeCom cuts the remark rather than refusing it.
      ...(typeof input.remark === 'string'
        ? { remark: [...input.remark].slice(0, JOIN_WAY_LIMITS.maxRemarkChars).join('') }
        : {}),
      auto_create_room: input.auto_create_room === 0 ? 0 : 1,
      ...(typeof input.room_base_name === 'string' ? { room_base_name: input.room_base_name } : {}),
      ...(typeof input.room_base_id === 'number' ? { room_base_id: input.room_base_id } : {}),
      chat_id_list: (input.chat_id_list as unknown[]).map(String),
      ...(typeof input.state === 'string' ? { state: input.state } : {}),
    };
  }

  private addJoinWay(input: Record<string, unknown>): object {
    const problem = this.joinWayProblem(input);
    if (problem) return problem;
    if (this.joinWays.size >= this.maxWays) return { errcode: 45009, errmsg: 'join way quota reached' };
    const configId = randomBytes(16).toString('hex');
    const settings = this.settingsOf(input);
    this.joinWays.set(configId, {
      config_id: configId,
      ...settings,
      // Only the QR code plug-in (scene 2) has a QR code; a mini-program button has none.
      ...(settings.scene === 2 ? { qr_code: this.qrUrlOf(configId) } : {}),
    });
    return { ...ok, config_id: configId };
  }

  private updateJoinWay(way: FakeJoinWay, input: Record<string, unknown>): object {
    const problem = this.joinWayProblem(input);
    if (problem) return problem;
    const settings = this.settingsOf(input);
    this.joinWays.set(way.config_id, {
      config_id: way.config_id,
      ...settings,
      ...(settings.scene === 2 ? { qr_code: way.qr_code ?? this.qrUrlOf(way.config_id) } : {}),
    });
    return ok;
  }

  private withJoinWay(input: Record<string, unknown>, then: (way: FakeJoinWay) => object): object {
    if (typeof input.config_id !== 'string' || !input.config_id) return invalid('config_id is required');
    const way = this.joinWays.get(input.config_id);
    return way ? then(way) : invalid(`invalid config_id ${input.config_id}`);
  }

  private templateProblem(input: Record<string, unknown>): object | undefined {
    const text = (input.text as { content?: unknown } | undefined)?.content;
    const attachments = ATTACHMENT_TYPES.filter((type) => input[type] !== undefined);
    if (typeof text !== 'string' && attachments.length === 0)
      return invalid('text, image, link, miniprogram, file and video cannot all be empty');
    if (typeof text === 'string' && Buffer.byteLength(text, 'utf8') > WELCOME_TEMPLATE_LIMITS.maxTextBytes)
      return { errcode: 45002, errmsg: 'content size out of limit' };
    // A template is a text and one attachment; the fake refuses a second rather than pick one.
    if (attachments.length > 1) return invalid('only one of image, link, miniprogram, file, video');
    const link = input.link as { title?: unknown; url?: unknown } | undefined;
    if (link && (typeof link.title !== 'string' || typeof link.url !== 'string'))
      return invalid('link.title and link.url are required');
    return undefined;
  }

  private contentOf(input: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(
      ['text', ...ATTACHMENT_TYPES].filter((k) => input[k] !== undefined).map((k) => [k, input[k]]),
    );
  }

  private addTemplate(input: Record<string, unknown>): object {
    const problem = this.templateProblem(input);
    if (problem) return problem;
    if (this.welcomeTemplates.size >= WELCOME_TEMPLATE_LIMITS.maxTemplates)
      return invalid(
        `the group welcome library holds at most ${WELCOME_TEMPLATE_LIMITS.maxTemplates} templates`,
      );
    const id = `msg${randomBytes(12).toString('base64url')}`;
    this.welcomeTemplates.set(id, this.contentOf(input));
    this.notified.set(id, input.notify !== 0);
    return { ...ok, template_id: id };
  }

  private editTemplate(id: string, input: Record<string, unknown>): object {
    const problem = this.templateProblem(input);
    if (problem) return problem;
    this.welcomeTemplates.set(id, this.contentOf(input));
    return ok;
  }

  private withTemplate(
    input: Record<string, unknown>,
    then: (id: string, template: Record<string, unknown>) => object,
  ): object {
    if (typeof input.template_id !== 'string' || !input.template_id)
      return invalid('template_id is required');
    const template = this.welcomeTemplates.get(input.template_id);
    return template ? then(input.template_id, template) : invalid(`invalid template_id ${input.template_id}`);
  }
}
