import { randomBytes } from 'node:crypto';
import { type GroupEntryManager, hasGroupEntry, type JoinWaySettings, SendError } from '@sopflow/connectors';
import type {
  Issue,
  JoinWay,
  JoinWayBody,
  WelcomeTemplate,
  WelcomeTemplateBody,
  WelcomeTemplateEdit,
} from '@sopflow/core/api';
import type { z } from 'zod';
import type { GroupEntryRepository } from '../persistence';
import type { ChannelRoutes } from './channel-routes';

export class GroupEntryError extends Error {
  override readonly name = 'GroupEntryError';
  constructor(
    readonly code:
      | 'no_group_entry_connector'
      | 'join_way_not_found'
      | 'welcome_template_not_found'
      | 'state_taken'
      | 'group_not_found'
      | 'provider_refused'
      | 'provider_unavailable',
    message: string,
    readonly details?: Issue[] | Record<string, unknown>,
  ) {
    super(message);
  }
}

type JoinWayInput = z.output<typeof JoinWayBody>;
type TemplateInput = z.output<typeof WelcomeTemplateBody>;
type TemplateEditInput = z.output<typeof WelcomeTemplateEdit>;

/** WeCom's errcode for a customer group it does not have. */
const NO_SUCH_GROUP = 40050;

/**
 * Group entry managed through the connector of a routed channel that can (WeCom's customer-contact
 * connector): join ways and group welcome templates are created, edited and deleted at the provider
 * first, then kept in Postgres, because WeCom lists neither (API-made join ways do not show even in
 * its admin console).
 */
export class GroupEntry {
  constructor(
    private readonly store: GroupEntryRepository,
    private readonly routes: Pick<ChannelRoutes, 'route'>,
    /** The channels to look through for a connector that manages group entry, in order. */
    private readonly channels: readonly string[],
  ) {}

  private async manager(): Promise<{ channel: string; manager: GroupEntryManager }> {
    for (const channel of this.channels) {
      const route = await this.routes.route(channel);
      if (route && hasGroupEntry(route.instance)) return { channel, manager: route.instance.groupEntry };
    }
    throw new GroupEntryError(
      'no_group_entry_connector',
      'No channel is routed to a connector that manages customer groups: route wechat to wecom-mass first. / ' +
        '没有渠道路由到可管理客户群的连接器：请先将 wechat 路由到 wecom-mass。',
    );
  }

  /** The provider's refusal as an answer: a group it does not have names `chatIds`. */
  private async atProvider<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof SendError)) throw error;
      if (error.details.providerCode === NO_SUCH_GROUP)
        throw new GroupEntryError(
          'group_not_found',
          'WeCom has no such customer group. / 企业微信中没有这个客户群。',
          [{ path: 'chatIds', message: 'WeCom has no such customer group. / 企业微信中没有这个客户群。' }],
        );
      throw new GroupEntryError(
        error.kind === 'permanent' ? 'provider_refused' : 'provider_unavailable',
        error.message,
        { providerCode: error.details.providerCode },
      );
    }
  }

  listJoinWays(): Promise<JoinWay[]> {
    return this.store.listJoinWays();
  }

  async joinWay(id: string): Promise<JoinWay> {
    const way = await this.store.joinWay(id);
    if (!way)
      throw new GroupEntryError(
        'join_way_not_found',
        `There is no join way "${id}". / 没有加群方式 "${id}"。`,
      );
    return way;
  }

  private async checkState(state: string, self?: string): Promise<void> {
    const holder = await this.store.joinWayByState(state);
    if (holder && holder.id !== self) {
      const message = `The state "${state}" is taken by join way ${holder.id}. / state "${state}" 已被加群方式 ${holder.id} 使用。`;
      throw new GroupEntryError('state_taken', message, [{ path: 'state', message }]);
    }
  }

  private settings(body: JoinWayInput, state: string): JoinWaySettings {
    return {
      scene: body.scene === 'mini-program' ? 1 : 2,
      ...(body.remark ? { remark: body.remark } : {}),
      autoCreateRoom: body.autoCreateRoom,
      ...(body.roomBaseName ? { roomBaseName: body.roomBaseName } : {}),
      ...(body.roomBaseId === undefined ? {} : { roomBaseId: body.roomBaseId }),
      chatIds: body.chatIds,
      state,
    };
  }

  private save(
    channel: string,
    body: JoinWayInput,
    made: Awaited<ReturnType<GroupEntryManager['addJoinWay']>>,
  ) {
    return this.store.saveJoinWay({
      id: made.configId,
      channel,
      scene: made.scene === 1 ? 'mini-program' : 'qr-code',
      ...(made.remark ? { remark: made.remark } : {}),
      chatIds: made.chatIds,
      autoCreateRoom: made.autoCreateRoom ?? body.autoCreateRoom,
      ...(made.roomBaseName ? { roomBaseName: made.roomBaseName } : {}),
      ...(made.roomBaseId === undefined ? {} : { roomBaseId: made.roomBaseId }),
      state: made.state ?? body.state ?? '',
      ...(made.qrCode ? { qrCode: made.qrCode } : {}),
    });
  }

  async createJoinWay(body: JoinWayInput): Promise<JoinWay> {
    // Each join way has its own state, so a member's join is matched to the way they came through.
    const state = body.state ?? `sopflow-${randomBytes(6).toString('hex')}`;
    await this.checkState(state);
    const { channel, manager } = await this.manager();
    const made = await this.atProvider(() => manager.addJoinWay(this.settings(body, state)));
    return this.save(channel, { ...body, state }, made);
  }

  async updateJoinWay(id: string, body: JoinWayInput): Promise<JoinWay> {
    const existing = await this.joinWay(id);
    const state = body.state ?? existing.state;
    await this.checkState(state, id);
    const { channel, manager } = await this.manager();
    const made = await this.atProvider(() => manager.updateJoinWay(id, this.settings(body, state)));
    return this.save(channel, { ...body, state }, made);
  }

  async deleteJoinWay(id: string): Promise<void> {
    await this.joinWay(id);
    const { manager } = await this.manager();
    await this.atProvider(() => manager.deleteJoinWay(id));
    await this.store.deleteJoinWay(id);
  }

  listWelcomeTemplates(): Promise<WelcomeTemplate[]> {
    return this.store.listWelcomeTemplates();
  }

  async welcomeTemplate(id: string): Promise<WelcomeTemplate> {
    const template = await this.store.welcomeTemplate(id);
    if (!template)
      throw new GroupEntryError(
        'welcome_template_not_found',
        `There is no group welcome template "${id}". / 没有入群欢迎语 "${id}"。`,
      );
    return template;
  }

  async createWelcomeTemplate(body: TemplateInput): Promise<WelcomeTemplate> {
    const { channel, manager } = await this.manager();
    const made = await this.atProvider(() =>
      manager.addWelcomeTemplate({ text: body.text, attachment: body.attachment }, body.notify),
    );
    return this.store.saveWelcomeTemplate({
      id: made.templateId,
      channel,
      name: body.name,
      ...(body.text ? { text: body.text } : {}),
      ...(body.attachment ? { attachment: body.attachment } : {}),
    });
  }

  async editWelcomeTemplate(id: string, body: TemplateEditInput): Promise<WelcomeTemplate> {
    await this.welcomeTemplate(id);
    const { channel, manager } = await this.manager();
    await this.atProvider(() =>
      manager.editWelcomeTemplate(id, { text: body.text, attachment: body.attachment }),
    );
    return this.store.saveWelcomeTemplate({
      id,
      channel,
      name: body.name,
      ...(body.text ? { text: body.text } : {}),
      ...(body.attachment ? { attachment: body.attachment } : {}),
    });
  }

  async deleteWelcomeTemplate(id: string): Promise<void> {
    await this.welcomeTemplate(id);
    const { manager } = await this.manager();
    await this.atProvider(() => manager.deleteWelcomeTemplate(id));
    await this.store.deleteWelcomeTemplate(id);
  }
}
