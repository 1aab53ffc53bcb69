import {
  type ConnectorInstance,
  type ConnectorJob,
  type ContactTagChanges,
  type PendingTagChange,
  type ProviderTag,
  type ProviderTagGroup,
  SendError,
} from '../connector';
import type { MassSendConfig } from './config';
import type { WeComClient } from './wecom-client';

/**
 * WeCom corp customer tags (企业客户标签), both ways:
 * - the corp tag list (`get_corp_tag_list`) is read into the runtime's catalog by the
 *   `sync-corp-tags` job: at start, on a route change, on a schedule, and when WeCom calls back
 *   `change_external_tag`;
 * - tags sopflow gives or takes from a customer (a flow's update step, the contacts API) are marked
 *   on WeCom by the `mark-tags` job (`mark_tag`, through each staff member the customer follows,
 *   attribute `wecomStaffIds`), started for the contact at once and swept on the schedule.
 *
 * A sopflow tag is a corp tag's name. WeCom keeps names unique within a group only: adding marks
 * the first tag of that name in the catalog's order, removing takes off every tag of that name.
 * Later events win: a change is marked only while the contact still agrees with it and WeCom has
 * reported no edit of the customer since (`wecom.customer_edited` / `wecom.customer_added` with a
 * later `at`); otherwise WeCom's edit wins, and reading the customer back brings its tags.
 */

/** What the connector instance offers the tag jobs. */
export interface CorpTagsApi {
  /** Every corp tag group with its tags, deleted ones flagged as WeCom lists them. */
  listCorpTags(): Promise<ProviderTagGroup[]>;
  /** Creates tags in the group of that name (WeCom creates the group when it has none of that name). */
  addCorpTags(groupName: string, names: readonly string[]): Promise<ProviderTagGroup>;
  /** Marks and unmarks tag ids on the customer as `userid` (a staff member the customer follows) sees them. */
  markTag(input: { userid: string; externalUserId: string; add: string[]; remove: string[] }): Promise<void>;
}

export interface CorpTagsInstance extends ConnectorInstance {
  corpTags: CorpTagsApi;
}

function hasCorpTags(instance: ConnectorInstance): instance is CorpTagsInstance {
  return typeof (instance as Partial<CorpTagsInstance>).corpTags === 'object';
}

/** WeCom's own limit on a corp tag's or group's name. */
export const MAX_TAG_NAME_CHARS = 30;

interface ListedTag {
  id?: string;
  group_id?: string;
  name?: string;
  group_name?: string;
  create_time?: number;
  order?: number;
  deleted?: boolean;
}

const tagOf = (t: ListedTag, id: string | undefined, name: string | undefined): ProviderTag => ({
  id: id ?? '',
  name: name ?? '',
  order: Number(t.order ?? 0),
  ...(t.create_time ? { createdAt: t.create_time * 1000 } : {}),
  ...(t.deleted ? { deleted: true } : {}),
});

const groupOf = (g: ListedTag & { tag?: ListedTag[] }): ProviderTagGroup => ({
  ...tagOf(g, g.group_id, g.group_name),
  tags: (g.tag ?? []).map((t) => tagOf(t, t.id, t.name)),
});

/** The tag calls over an app's client (the customer-contact secret, or an app allowed to call 客户联系). */
export function corpTagsApi(client: WeComClient): CorpTagsApi {
  return {
    async listCorpTags() {
      const answer = await client.post<{ tag_group?: (ListedTag & { tag?: ListedTag[] })[] }>(
        '/cgi-bin/externalcontact/get_corp_tag_list',
        {},
      );
      return (answer.tag_group ?? []).map(groupOf);
    },
    async addCorpTags(groupName, names) {
      const answer = await client.post<{ tag_group?: ListedTag & { tag?: ListedTag[] } }>(
        '/cgi-bin/externalcontact/add_corp_tag',
        { group_name: groupName, tag: names.map((name) => ({ name })) },
      );
      if (!answer.tag_group)
        throw new SendError('retryable', 'WeCom add_corp_tag answered without the tag group.');
      return groupOf(answer.tag_group);
    },
    async markTag({ userid, externalUserId, add, remove }) {
      await client.post('/cgi-bin/externalcontact/mark_tag', {
        userid,
        external_userid: externalUserId,
        add_tag: add,
        remove_tag: remove,
      });
    },
  };
}

export const SYNC_CORP_TAGS_JOB = 'sync-corp-tags';
export const MARK_TAGS_JOB = 'mark-tags';

type TagsConfig = Pick<MassSendConfig, 'corpId' | 'tags'>;

const everySyncMinutes = ({ tags }: TagsConfig) =>
  tags.syncMinutes > 0 ? { intervals: [{ every: tags.syncMinutes * 60_000 }] } : undefined;

/** Reads WeCom's corp tag list into the catalog the builder's tag pickers and the mark job use. */
export const syncCorpTagsJob: ConnectorJob<TagsConfig> = {
  name: SYNC_CORP_TAGS_JOB,
  label: { en: "Read WeCom's corp tag list", zh: '读取企业微信企业客户标签' },
  schedule: everySyncMinutes,
  runsWhenScheduled: true,
  async run({ config, instance, tags }) {
    if (!hasCorpTags(instance)) return { skipped: 'This connector cannot read WeCom corp tags.' };
    return { ...(await tags.replaceCatalog(config.corpId, await instance.corpTags.listCorpTags())) };
  },
};

/** The events the WeCom callback posts when a customer was added or edited on WeCom's side. */
export const WECOM_CUSTOMER_EDIT_EVENTS = ['wecom.customer_added', 'wecom.customer_edited'] as const;

/** The staff members a customer follows: the contact's `wecomStaffIds` attribute. */
export function staffIdsOf(attributes: Readonly<Record<string, unknown>>): string[] {
  const ids = attributes.wecomStaffIds;
  const list = Array.isArray(ids) ? ids : typeof ids === 'string' ? [ids] : [];
  return [...new Set(list.filter((id): id is string => typeof id === 'string' && id !== ''))];
}

/**
 * Why a change is not marked: a later change undid it on the contact (the contact no longer agrees),
 * or WeCom reported an edit of the customer after it (WeCom's state wins and is read back).
 */
export function supersededBy(
  change: PendingTagChange,
  contact: Pick<ContactTagChanges, 'tags' | 'editedAt'>,
): 'contact' | 'wecom' | undefined {
  if (contact.tags.includes(change.tag) !== change.wanted) return 'contact';
  if (contact.editedAt !== undefined && contact.editedAt > change.changedAt) return 'wecom';
  return undefined;
}

/** What one pass of marking tags on WeCom did. */
export interface MarkTagsReport {
  contacts: number;
  /** mark_tag calls that succeeded (one per staff member per contact). */
  marked: number;
  /** Changes a later change of the contact, or a later WeCom edit, made moot. */
  superseded: { contact: number; wecom: number };
  /** Tags WeCom's corp list does not have, kept in sopflow only (`tags.createMissing` is off). */
  sopflowOnly: string[];
  /** Tags created in WeCom (`tags.createMissing`). */
  created: string[];
  /** Contacts without a WeCom external user id or a following staff member: nothing to mark through. */
  unreachable: string[];
  /** Calls WeCom refused; `retry`: a later pass tries again. */
  failed: { contactId: string; staffId?: string; message: string; retry: boolean }[];
}

const BATCH = 200;

/**
 * Hands WeCom the tag changes sopflow made: for each contact with pending changes, the changes still
 * standing become one `mark_tag` per following staff member (tag ids by name from the catalog).
 * Marking is idempotent on WeCom's side, so a pass cut short is simply done again. Asked for one
 * contact (`only`), a failure WeCom may get over fails the run, so Temporal retries it; the changes
 * stay pending for the scheduled pass either way.
 */
export const markTagsJob: ConnectorJob<TagsConfig> = {
  name: MARK_TAGS_JOB,
  label: { en: "Mark contacts' tags on WeCom", zh: '在企业微信上为客户打标签' },
  schedule: everySyncMinutes,
  startsOnTagChange: true,
  async run({ config, instance, tags, only }) {
    const report: MarkTagsReport = {
      contacts: 0,
      marked: 0,
      superseded: { contact: 0, wecom: 0 },
      sopflowOnly: [],
      created: [],
      unreachable: [],
      failed: [],
    };
    const batch = await tags.pending({
      ...(only === undefined ? {} : { only }),
      editedBy: WECOM_CUSTOMER_EDIT_EVENTS,
      limit: BATCH,
    });
    if (batch.length === 0) return { ...report };
    if (!hasCorpTags(instance)) return { ...report, skipped: 'This connector cannot mark WeCom tags.' };
    report.contacts = batch.length;
    let catalog = await tags.catalog(config.corpId);
    const idsOf = (name: string) =>
      catalog.flatMap((g) => g.tags.filter((t) => t.name === name).map((t) => t.id));

    const standing = new Map<ContactTagChanges, PendingTagChange[]>();
    for (const contact of batch) {
      const live: PendingTagChange[] = [];
      for (const change of contact.changes) {
        const by = supersededBy(change, contact);
        if (by) report.superseded[by]++;
        else live.push(change);
      }
      standing.set(contact, live);
    }
    const missing = [
      ...new Set(
        [...standing.values()].flatMap((changes) =>
          changes.filter((c) => c.wanted && idsOf(c.tag).length === 0).map((c) => c.tag),
        ),
      ),
    ];
    if (missing.length > 0 && config.tags.createMissing) {
      const creatable = missing.filter((name) => [...name].length <= MAX_TAG_NAME_CHARS);
      if (creatable.length > 0) {
        await instance.corpTags.addCorpTags(config.tags.groupName, creatable);
        // Read back whole, so the catalog (and the pickers) know the new ids at once.
        await tags.replaceCatalog(config.corpId, await instance.corpTags.listCorpTags());
        catalog = await tags.catalog(config.corpId);
        report.created.push(...creatable.filter((name) => idsOf(name).length > 0));
      }
    }
    report.sopflowOnly = missing.filter((name) => idsOf(name).length === 0);

    let retryLater = false;
    for (const [contact, changes] of standing) {
      const add = [...new Set(changes.filter((c) => c.wanted).flatMap((c) => idsOf(c.tag).slice(0, 1)))];
      const remove = [...new Set(changes.filter((c) => !c.wanted).flatMap((c) => idsOf(c.tag)))];
      const externalUserId = contact.addresses.wecomExternalUserId;
      const staff = staffIdsOf(contact.attributes);
      if (add.length + remove.length > 0 && (!externalUserId || staff.length === 0)) {
        report.unreachable.push(contact.contactId);
      } else if (add.length + remove.length > 0 && externalUserId) {
        let retry = false;
        for (const userid of staff) {
          try {
            await instance.corpTags.markTag({ userid, externalUserId, add, remove });
            report.marked++;
          } catch (error) {
            const again = !(error instanceof SendError) || error.kind !== 'permanent';
            retry ||= again;
            report.failed.push({
              contactId: contact.contactId,
              staffId: userid,
              message: (error as Error).message,
              retry: again,
            });
          }
        }
        if (retry) {
          retryLater = true;
          continue;
        }
      }
      await tags.settle(contact.contactId, contact.changes);
    }
    if (retryLater && only !== undefined)
      throw new Error(
        `WeCom did not take the tag changes of ${only} yet: ${report.failed.map((f) => f.message).join('; ')}`,
      );
    return { ...report };
  },
};
