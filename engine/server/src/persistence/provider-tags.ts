import type { ContactTagChanges, PendingTagChange, ProviderTag, ProviderTagGroup } from '@sopflow/connectors';
import type { Sql, TransactionSql } from 'postgres';

/** A contact's tags before and after a change, as the contact store saw them in its transaction. */
export interface TagChange {
  contactId: string;
  before: readonly string[];
  after: readonly string[];
}

/** One account's catalog of a connector, for the tag pickers. */
export interface TagCatalog {
  connector: string;
  account: string;
  groups: ProviderTagGroup[];
}

interface TagRow {
  connector: string;
  account: string;
  group_id: string;
  group_name: string;
  group_order: string;
  group_created: Date | null;
  tag_id: string | null;
  name: string | null;
  sort_order: string | null;
  created_at: Date | null;
}

const ms = (at: Date | null) => (at ? { createdAt: at.getTime() } : {});

/** A group's (`groupId` null) or tag's row of the catalog. */
const entryOf = (entry: ProviderTag, groupId: string | null, position: number, deleted: boolean) => ({
  id: entry.id,
  group_id: groupId,
  name: entry.name,
  sort_order: entry.order,
  position,
  created_at: entry.createdAt === undefined ? null : new Date(entry.createdAt),
  deleted,
});

/** Groups and their tags from joined rows, in the provider's order (a larger order value first, then as listed). */
function groupsOf(rows: readonly TagRow[]): TagCatalog[] {
  const catalogs = new Map<string, TagCatalog>();
  const groups = new Map<string, ProviderTagGroup>();
  for (const row of rows) {
    const key = `${row.connector}\n${row.account}`;
    let catalog = catalogs.get(key);
    if (!catalog) {
      catalog = { connector: row.connector, account: row.account, groups: [] };
      catalogs.set(key, catalog);
    }
    let group = groups.get(`${key}\n${row.group_id}`);
    if (!group) {
      group = {
        id: row.group_id,
        name: row.group_name,
        order: Number(row.group_order),
        ...ms(row.group_created),
        tags: [],
      };
      groups.set(`${key}\n${row.group_id}`, group);
      catalog.groups.push(group);
    }
    if (row.tag_id !== null) {
      const tag: ProviderTag = {
        id: row.tag_id,
        name: row.name ?? '',
        order: Number(row.sort_order ?? 0),
        ...ms(row.created_at),
      };
      group.tags.push(tag);
    }
  }
  return [...catalogs.values()];
}

/**
 * Providers' tag catalogs (WeCom corp tags) as their connectors' jobs read them, and the contacts'
 * tag changes sopflow made that a provider has still to be told of.
 */
export class ProviderTagRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * The account's catalog is `groups` now: each group and tag is written with its id, name and
   * order; those listed as deleted, or no longer listed, are marked deleted (once). Answers how many
   * groups and tags were given and how many were newly marked deleted.
   */
  replaceCatalog(
    connector: string,
    account: string,
    groups: readonly ProviderTagGroup[],
  ): Promise<{ groups: number; tags: number; deleted: number }> {
    const rows = groups.flatMap((g, groupPosition) => [
      entryOf(g, null, groupPosition, g.deleted === true),
      ...g.tags.map((t, position) => entryOf(t, g.id, position, t.deleted === true || g.deleted === true)),
    ]);
    const listed = rows.map((r) => r.id);
    const flagged = rows.filter((r) => r.deleted).map((r) => r.id);
    return this.sql.begin(async (tx) => {
      // One pass at a time per account: two reads racing would mark each other's fresh rows deleted.
      await tx`select pg_advisory_xact_lock(hashtext(${`provider-tags:${connector}:${account}`}))`;
      const unlisted = await tx`
        update provider_tags set deleted_at = now()
        where connector = ${connector} and account = ${account} and deleted_at is null and id <> all(${listed})
        returning 1`;
      const flaggedNow = await tx`
        select 1 from provider_tags
        where connector = ${connector} and account = ${account} and deleted_at is null and id = any(${flagged})`;
      if (rows.length > 0)
        await tx`
          insert into provider_tags ${tx(
            rows.map(({ deleted, ...row }) => ({
              ...row,
              connector,
              account,
              deleted_at: deleted ? new Date() : null,
            })),
          )}
          on conflict (connector, account, id) do update set
            group_id = excluded.group_id,
            name = excluded.name,
            sort_order = excluded.sort_order,
            position = excluded.position,
            created_at = coalesce(excluded.created_at, provider_tags.created_at),
            deleted_at = case when excluded.deleted_at is null then null
                              else coalesce(provider_tags.deleted_at, excluded.deleted_at) end,
            synced_at = now()`;
      const live = rows.filter((r) => !r.deleted);
      return {
        groups: live.filter((r) => r.group_id === null).length,
        tags: live.filter((r) => r.group_id !== null).length,
        deleted: unlisted.length + flaggedNow.length,
      };
    });
  }

  /** Every account's catalog (of one connector, when named): groups and tags not deleted, in order. */
  async catalogs(only?: { connector: string; account?: string }): Promise<TagCatalog[]> {
    const { sql } = this;
    const rows = await sql<TagRow[]>`
      select g.connector, g.account, g.id as group_id, g.name as group_name, g.sort_order as group_order,
             g.created_at as group_created, t.id as tag_id, t.name, t.sort_order, t.created_at
      from provider_tags g
      left join provider_tags t on t.connector = g.connector and t.account = g.account
        and t.group_id = g.id and t.deleted_at is null
      where g.group_id is null and g.deleted_at is null
        ${only ? sql`and g.connector = ${only.connector}` : sql``}
        ${only?.account !== undefined ? sql`and g.account = ${only.account}` : sql``}
      order by g.connector, g.account, g.sort_order desc, g.position, g.id,
               t.sort_order desc, t.position, t.id`;
    return groupsOf(rows);
  }

  /**
   * Notes the tag changes of a contact write, inside its transaction, for the contacts that have an
   * address of one of `kinds` (those a tag-marking connector reaches). Returns the contacts noted.
   */
  static async noteChanges(
    tx: TransactionSql,
    changes: readonly TagChange[],
    kinds: readonly string[],
  ): Promise<string[]> {
    if (kinds.length === 0) return [];
    const rows = changes.flatMap(({ contactId, before, after }) => [
      ...after
        .filter((t) => !before.includes(t))
        .map((tag) => ({ contact_id: contactId, tag, wanted: true })),
      ...before
        .filter((t) => !after.includes(t))
        .map((tag) => ({ contact_id: contactId, tag, wanted: false })),
    ]);
    if (rows.length === 0) return [];
    const noted = await tx<{ contact_id: string }[]>`
      insert into contact_tag_changes (contact_id, tag, wanted)
      select x.contact_id, x.tag, x.wanted
      from jsonb_to_recordset(${tx.json(rows as never)}::jsonb) as x(contact_id text, tag text, wanted boolean)
      where exists (select 1 from contact_addresses a where a.contact_id = x.contact_id and a.kind = any(${kinds as string[]}))
      on conflict (contact_id, tag) do update set wanted = excluded.wanted, changed_at = excluded.changed_at
      returning contact_id`;
    return [...new Set(noted.map((r) => r.contact_id))];
  }

  /**
   * Contacts with tag changes to hand over (the one named, when given), those with the oldest change
   * first, each as it is now, with the newest `payload.at` of its events named in `editedBy`.
   */
  async pending(options: {
    only?: string;
    editedBy: readonly string[];
    limit: number;
  }): Promise<ContactTagChanges[]> {
    const { sql } = this;
    const rows = await sql<
      {
        id: string;
        attributes: Record<string, unknown>;
        tags: string[];
        addresses: Record<string, string>;
        changes: PendingTagChange[];
        edited_at: string | null;
      }[]
    >`
      with picked as (
        select contact_id, min(changed_at) as first from contact_tag_changes
        ${options.only === undefined ? sql`` : sql`where contact_id = ${options.only}`}
        group by contact_id order by first limit ${options.limit}
      )
      select c.id, c.attributes, c.tags,
        (select coalesce(jsonb_object_agg(a.kind, a.value), '{}') from contact_addresses a
          where a.contact_id = c.id) as addresses,
        (select jsonb_agg(jsonb_build_object('tag', t.tag, 'wanted', t.wanted,
                  'changedAt', floor(extract(epoch from t.changed_at) * 1000)::bigint) order by t.changed_at)
          from contact_tag_changes t where t.contact_id = c.id) as changes,
        (select max(case when jsonb_typeof(e.payload->'at') = 'number' then (e.payload->>'at')::numeric end)
          from events e where e.contact_id = c.id and e.name = any(${options.editedBy as string[]})) as edited_at
      from picked p join contacts c on c.id = p.contact_id
      order by p.first`;
    return rows.map((r) => ({
      contactId: r.id,
      addresses: r.addresses,
      attributes: r.attributes,
      tags: r.tags,
      changes: r.changes.map((c) => ({ ...c, changedAt: Number(c.changedAt) })),
      ...(r.edited_at === null ? {} : { editedAt: Number(r.edited_at) }),
    }));
  }

  /** Forgets the changes handed over; a change of the same tag made since (a later time) stays. */
  async settle(contactId: string, changes: readonly PendingTagChange[]): Promise<void> {
    if (changes.length === 0) return;
    const rows = changes.map((c) => ({ tag: c.tag, changed_at: c.changedAt }));
    await this.sql`
      delete from contact_tag_changes t
      using jsonb_to_recordset(${this.sql.json(rows as never)}::jsonb) as x(tag text, changed_at bigint)
      where t.contact_id = ${contactId} and t.tag = x.tag
        and floor(extract(epoch from t.changed_at) * 1000)::bigint <= x.changed_at`;
  }
}
