import type { ConnectorRecords, ConnectorStorage, OutboundMessage } from '../connector';

/**
 * Connector storage in this process's memory: for tests and single-process tools. The server
 * hands connectors storage in Postgres instead.
 */
export function memoryStorage(): ConnectorStorage & {
  outbox: OutboundMessage[];
  records: ConnectorRecords & { entries: Map<string, { value: unknown; version: number }> };
} {
  const entries = new Map<string, { value: unknown; version: number }>();
  const outbox: OutboundMessage[] = [];
  return {
    outbox,
    records: {
      entries,
      async get<T>(key: string) {
        const entry = entries.get(key);
        return entry && { value: structuredClone(entry.value) as T, version: entry.version };
      },
      async put(key, value, expectedVersion) {
        if (entries.get(key)?.version !== expectedVersion) return false;
        entries.set(key, { value: structuredClone(value), version: (expectedVersion ?? 0) + 1 });
        return true;
      },
    },
    async recordOutbox(message) {
      if (outbox.some((m) => m.idempotencyKey === message.idempotencyKey)) return undefined;
      outbox.push(message);
      return { id: String(outbox.length) };
    },
  };
}
