import { type AddressKind, matchKeyOf } from './address-kind';
import type { Connector, FreeFormWindow, RecipientLimit } from './connector';
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
    const kind = connector.address;
    const known = kind && this.addressKinds().find((k) => k.name === kind.name);
    // Two declarations of one kind would validate and match the same contacts' addresses differently.
    if (kind && known && known !== kind)
      throw new Error(
        `Connector "${connector.name}" declares an address kind "${kind.name}" another connector declares differently: share one declaration.`,
      );
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

  /** Every address kind a registered connector declares, contacts' and groups', in name order. */
  addressKinds(): AddressKind[] {
    const kinds = new Map<string, AddressKind>();
    for (const c of this.byName.values()) if (c.address) kinds.set(c.address.name, c.address);
    return [...kinds.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The declared kind of that name, or undefined when no registered connector declares it. */
  addressKind(name: string): AddressKind | undefined {
    return this.addressKinds().find((kind) => kind.name === name);
  }

  /** The key inbound lookups compare for an address (the value itself for a kind nobody declares). */
  readonly matchKey = (kind: string, value: string): string => {
    const declared = this.addressKind(kind);
    return declared ? matchKeyOf(declared, value) : value;
  };

  /**
   * Channel → the contact address kinds that reach someone on it (any one will do): the kinds of
   * the connectors that deliver it. A channel only the outbox or group connectors deliver is absent.
   */
  reach(): Record<string, string[]> {
    const reach: Record<string, string[]> = {};
    for (const c of this.byName.values()) {
      if (!c.address || (c.address.of ?? 'contact') !== 'contact') continue;
      for (const channel of c.channels) {
        const kinds = Object.hasOwn(reach, channel) ? reach[channel]! : [];
        if (!kinds.includes(c.address.name)) kinds.push(c.address.name);
        Object.defineProperty(reach, channel, {
          value: kinds,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
    }
    return reach;
  }

  /** Every quota per recipient the registered connectors declare, once each (by id). */
  limits(): RecipientLimit[] {
    const byId = new Map<string, RecipientLimit>();
    for (const limit of this.list().flatMap((c) => c.limits ?? []))
      if (!byId.has(limit.id)) byId.set(limit.id, limit);
    return [...byId.values()];
  }

  /** Every window for free-form messages the registered connectors declare, once each (by id). */
  freeFormWindows(): FreeFormWindow[] {
    const byId = new Map<string, FreeFormWindow>();
    for (const window of this.list().flatMap((c) => c.freeFormWindows ?? []))
      if (!byId.has(window.id)) byId.set(window.id, window);
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
