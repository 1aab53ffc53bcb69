import type {
  ContactTagChanges,
  OutboundMessage,
  PendingTagChange,
  ProviderTagGroup,
  TagsPort,
} from '../connector';

/** An outbound message for tests, with the fields a runtime always sets. */
export function outbound(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    idempotencyKey: `key-${Math.random().toString(36).slice(2)}`,
    channel: 'wechat',
    to: { id: 'contact-1' },
    text: 'Hello',
    origin: { workflowId: 'wf-1', flowId: 'flow-1', flowVersion: 1, nodeId: 'node-1' },
    ...overrides,
  };
}

/** Runs `fn` and returns what it threw. */
export async function thrown(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('Expected a throw');
}

/** The runtime's tag catalog and pending tag changes, in memory (what the tag jobs read and wrote). */
export function memoryTags(contacts: ContactTagChanges[] = []) {
  const catalogs = new Map<string, ProviderTagGroup[]>();
  const pending = new Map(contacts.map((c) => [c.contactId, c]));
  const settled: { contactId: string; changes: readonly PendingTagChange[] }[] = [];
  const port: TagsPort = {
    async replaceCatalog(account, groups) {
      const before = catalogs.get(account) ?? [];
      const ids = new Set(groups.flatMap((g) => [g.id, ...g.tags.map((t) => t.id)]));
      const gone = before.flatMap((g) => [g.id, ...g.tags.map((t) => t.id)]).filter((id) => !ids.has(id));
      catalogs.set(account, structuredClone([...groups]));
      return {
        groups: groups.length,
        tags: groups.reduce((n, g) => n + g.tags.length, 0),
        deleted: gone.length,
      };
    },
    async catalog(account) {
      return (catalogs.get(account) ?? [])
        .filter((g) => !g.deleted)
        .map((g) => ({ ...g, tags: g.tags.filter((t) => !t.deleted) }));
    },
    async pending({ only, limit }) {
      return [...pending.values()].filter((c) => only === undefined || c.contactId === only).slice(0, limit);
    },
    async settle(contactId, changes) {
      settled.push({ contactId, changes });
      pending.delete(contactId);
    },
  };
  return { port, catalogs, pending, settled };
}
