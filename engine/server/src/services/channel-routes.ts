import type { ConnectorContext, ConnectorInstance, ConnectorRegistry } from '@sopflow/connectors';
import { checkIssues } from '@sopflow/core/api';
import type { Route } from '../activities/deliver';
import type { ChannelRouteRecord, ChannelRouteRepository } from '../persistence/channel-routes';
import { keepUnchangedSecrets, maskSecrets, openSecrets, type SecretBox, sealSecrets } from '../secrets';

export class RouteError extends Error {
  override readonly name = 'RouteError';
  constructor(
    readonly code: 'unknown_connector' | 'wrong_channel' | 'invalid_config' | 'no_secret_key',
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** A channel's connector instance, with the config it was created from (its jobs read it). */
export interface ConfiguredRoute extends Route {
  config: unknown;
}

export interface ChannelRouteView {
  channel: string;
  connector: string;
  /** Secrets masked. */
  config: unknown;
  updatedAt: Date;
}

/** How long a worker trusts its copy of the routes; an edit reaches every worker within this. */
const CACHE_MS = 5_000;

/**
 * Which connector delivers each channel, configured at run time. A channel with no route goes to
 * the outbox, so flows run with no credentials at all.
 */
export class ChannelRoutes {
  private cache: { at: number; rows: Map<string, ChannelRouteRecord> } | undefined;
  private readonly instances = new Map<string, { stamp: number; route: ConfiguredRoute }>();

  constructor(
    private readonly routes: ChannelRouteRepository,
    private readonly registry: ConnectorRegistry,
    private readonly box: SecretBox | undefined,
    /** What each connector is created with (its storage port, fetch, log). */
    private readonly contextOf: (connector: string) => ConnectorContext,
  ) {}

  private secretsOf(connector: string) {
    return this.registry.get(connector)?.secretFields ?? [];
  }

  async list(): Promise<ChannelRouteView[]> {
    const rows = await this.routes.list();
    return rows.map((r) => ({ ...r, config: maskSecrets(r.config, this.secretsOf(r.connector)) }));
  }

  /** Validates the config with the connector's schema and stores it, secrets sealed. */
  async set(channel: string, connectorName: string, config: unknown): Promise<ChannelRouteView> {
    const connector = this.registry.get(connectorName);
    if (!connector)
      throw new RouteError(
        'unknown_connector',
        `There is no connector "${connectorName}". / 没有名为“${connectorName}”的连接器。`,
      );
    if (!connector.channels.includes(channel)) {
      throw new RouteError(
        'wrong_channel',
        `Connector "${connectorName}" delivers ${connector.channels.join(', ')}, not ${channel}. / ` +
          `连接器“${connectorName}”发送的渠道是 ${connector.channels.join('、')}，不是 ${channel}。`,
      );
    }
    const secrets = connector.secretFields ?? [];
    const stored = await this.routes.get(channel);
    const previous =
      stored?.connector === connectorName && this.box ? openSecrets(this.box, stored.config, secrets) : {};
    const merged = keepUnchangedSecrets(config, previous, secrets);
    const parsed = checkIssues(connector.configSchema, merged);
    if (!parsed.success) {
      throw new RouteError(
        'invalid_config',
        `The ${connectorName} configuration is not valid. / ${connectorName} 的配置有误。`,
        parsed.issues,
      );
    }
    if (secrets.length > 0 && !this.box) {
      throw new RouteError(
        'no_secret_key',
        'Set SOPFLOW_SECRET_KEY so connector secrets can be stored encrypted. / 请设置 SOPFLOW_SECRET_KEY，连接器的密钥才能加密保存。',
      );
    }
    const sealed = this.box ? sealSecrets(this.box, parsed.data, secrets) : parsed.data;
    const row = await this.routes.put(channel, connectorName, sealed);
    this.cache = undefined;
    return {
      channel,
      connector: connectorName,
      config: maskSecrets(row.config, secrets),
      updatedAt: row.updatedAt,
    };
  }

  /** One decrypted secret of a channel's route (e.g. a webhook signing token), if set. */
  async secret(channel: string, path: string): Promise<string | undefined> {
    const row = await this.routes.get(channel);
    if (!row) return undefined;
    const open = this.box ? openSecrets(this.box, row.config, this.secretsOf(row.connector)) : row.config;
    const value = path
      .split('.')
      .reduce<unknown>((n, k) => (n as Record<string, unknown> | undefined)?.[k], open);
    return typeof value === 'string' ? value : undefined;
  }

  async remove(channel: string): Promise<boolean> {
    const removed = await this.routes.remove(channel);
    this.cache = undefined;
    return removed;
  }

  /** The connector instance for a channel, the outbox when none is configured. */
  async route(channel: string): Promise<ConfiguredRoute | undefined> {
    if (!this.cache || Date.now() - this.cache.at > CACHE_MS) {
      const rows = await this.routes.list();
      this.cache = { at: Date.now(), rows: new Map(rows.map((r) => [r.channel, r])) };
    }
    const row = this.cache.rows.get(channel);
    const name = row?.connector ?? 'outbox';
    const stamp = row?.updatedAt.getTime() ?? 0;
    const known = this.instances.get(channel);
    if (known && known.stamp === stamp && known.route.connector === name) return known.route;
    const connector = this.registry.get(name);
    if (!connector) return undefined;
    const config = row
      ? this.box
        ? openSecrets(this.box, row.config, this.secretsOf(name))
        : row.config
      : {};
    const parsed = connector.configSchema.parse(config);
    const instance: ConnectorInstance = connector.create(parsed, this.contextOf(name));
    await known?.route.instance.close?.();
    const route = { connector: name, instance, config: parsed, capabilities: connector.capabilities ?? [] };
    this.instances.set(channel, { stamp, route });
    return route;
  }

  async close(): Promise<void> {
    for (const { route } of this.instances.values()) await route.instance.close?.();
    this.instances.clear();
  }
}
