import type { Connector, RecipientLimit } from './connector';
import { smtpConnector } from './email';
import { officialAccountConnector } from './official-account';
import { outboxConnector } from './outbox/outbox-connector';
import { aliyunSmsConnector, tencentSmsConnector, twilioSmsConnector } from './sms';
import { weComAppConnector, weComGroupRobotConnector, weComMassSendConnector } from './wecom';

/**
 * The connectors a runtime knows, by name. A third-party package adds its own with
 * `register` at start-up; nothing else in sopflow needs to change.
 */
export class ConnectorRegistry {
  private readonly byName = new Map<string, Connector<never>>();

  constructor(connectors: readonly Connector<never>[] = []) {
    for (const connector of connectors) this.register(connector);
  }

  register(connector: Connector<never>): this {
    if (this.byName.has(connector.name))
      throw new Error(`A connector named "${connector.name}" is already registered.`);
    for (const limit of connector.limits ?? []) {
      const same = this.limits().find((l) => l.id === limit.id);
      if (same && JSON.stringify(same) !== JSON.stringify(limit))
        throw new Error(
          `Connector "${connector.name}" declares a limit "${limit.id}" unlike the one registered.`,
        );
    }
    this.byName.set(connector.name, connector);
    return this;
  }

  get(name: string): Connector<unknown> | undefined {
    return this.byName.get(name) as Connector<unknown> | undefined;
  }

  list(): Connector<unknown>[] {
    return [...this.byName.values()] as Connector<unknown>[];
  }

  /** Every quota per recipient the registered connectors declare, once each (by id). */
  limits(): RecipientLimit[] {
    const byId = new Map<string, RecipientLimit>();
    for (const limit of this.list().flatMap((c) => c.limits ?? []))
      if (!byId.has(limit.id)) byId.set(limit.id, limit);
    return [...byId.values()];
  }

  /** Every channel some registered connector can deliver on. */
  channels(): string[] {
    return [...new Set(this.list().flatMap((c) => c.channels))].sort();
  }
}

/** The registry with the connectors that ship with sopflow. */
export function defaultRegistry(): ConnectorRegistry {
  return new ConnectorRegistry(
    [
      outboxConnector,
      smtpConnector,
      aliyunSmsConnector,
      tencentSmsConnector,
      twilioSmsConnector,
      officialAccountConnector,
      weComAppConnector,
      weComGroupRobotConnector,
      weComMassSendConnector,
    ].map((c) => c as unknown as Connector<never>),
  );
}
