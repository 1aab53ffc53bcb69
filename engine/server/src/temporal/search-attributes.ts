import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from '@temporalio/client';

/** Search attribute types as the Temporal CLI spells them. */
export type SearchAttributeKind = 'Keyword' | 'Int' | 'Text' | 'Bool' | 'Datetime' | 'Double' | 'KeywordList';

type AddSearchAttributesRequest = Parameters<Connection['operatorService']['addSearchAttributes']>[0];
type IndexedValueType = NonNullable<AddSearchAttributesRequest['searchAttributes']>[string];

// Wire values of temporal.api.enums.v1.IndexedValueType. Hard-coded because @temporalio/proto is only a
// transitive dependency here; protobuf enum numbers are frozen by the API, so they cannot drift.
const indexedValueTypes: Record<SearchAttributeKind, IndexedValueType> = {
  Text: 1,
  Keyword: 2,
  Int: 3,
  Double: 4,
  Bool: 5,
  Datetime: 6,
  KeywordList: 7,
};

export interface EnsureSearchAttributesOptions {
  /**
   * How long to wait for newly added attributes to show up in the namespace's list.
   * @default 30_000
   */
  visibleTimeoutMs?: number;
}

/**
 * Registers the custom search attributes missing from `namespace` and waits until they are visible.
 * Returns the names it added (empty when all existed).
 *
 * Needed even though `temporal server start-dev --search-attribute` exists: that flag only takes effect
 * when the server creates its SQLite file, so a restarted persistent dev server would never learn new ones.
 */
export async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
  attrs: Record<string, SearchAttributeKind>,
  opts: EnsureSearchAttributesOptions = {},
): Promise<string[]> {
  let existing: Record<string, IndexedValueType>;
  try {
    existing = await listCustom(connection, namespace);
  } catch (error) {
    // Temporal's time-skipping test server adds attributes but cannot list them (UNIMPLEMENTED, 12).
    if ((error as { code?: unknown } | null)?.code !== 12) throw error;
    return addEachIgnoringExisting(connection, namespace, attrs);
  }
  const missing: Record<string, IndexedValueType> = {};
  for (const [name, kind] of Object.entries(attrs)) {
    const want = indexedValueTypes[kind];
    const have = existing[name];
    if (have === undefined) missing[name] = want;
    else if (have !== want) {
      // Temporal cannot change an attribute's type in place; silently continuing would break queries later.
      throw new Error(
        `Search attribute ${name} already exists in namespace ${namespace} with a different type ` +
          `(${kindName(have)}, expected ${kind}).`,
      );
    }
  }
  const added = Object.keys(missing);
  if (added.length === 0) return added;

  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes: missing });
  } catch (error) {
    // Another process (a second worker starting at the same time) may have added them first.
    if (!isAlreadyExists(error)) throw error;
  }

  // Registration propagates through namespace caches asynchronously; workflows started before it lands
  // would be rejected for using an unknown attribute.
  const deadline = Date.now() + (opts.visibleTimeoutMs ?? 30_000);
  for (;;) {
    const now = await listCustom(connection, namespace);
    if (added.every((name) => now[name] !== undefined)) return added;
    if (Date.now() > deadline) {
      throw new Error(
        `Search attributes ${added.join(', ')} did not become visible in namespace ${namespace}.`,
      );
    }
    await sleep(200);
  }
}

/**
 * One call per attribute, because a server refuses a whole request when any attribute in it exists;
 * without a list, an existing attribute's type cannot be checked. Registration there is immediate.
 */
async function addEachIgnoringExisting(
  connection: Connection,
  namespace: string,
  attrs: Record<string, SearchAttributeKind>,
): Promise<string[]> {
  const added: string[] = [];
  for (const [name, kind] of Object.entries(attrs)) {
    try {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: { [name]: indexedValueTypes[kind] },
      });
      added.push(name);
    } catch (error) {
      if (!isAlreadyExists(error)) throw error;
    }
  }
  return added;
}

async function listCustom(
  connection: Connection,
  namespace: string,
): Promise<Record<string, IndexedValueType>> {
  const response = await connection.operatorService.listSearchAttributes({ namespace });
  return response.customAttributes ?? {};
}

function kindName(value: IndexedValueType): string {
  const entry = Object.entries(indexedValueTypes).find(([, v]) => v === value);
  return entry ? entry[0] : `IndexedValueType ${value}`;
}

function isAlreadyExists(error: unknown): boolean {
  // gRPC status 6 is ALREADY_EXISTS.
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 6;
}
