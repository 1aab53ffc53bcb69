import { randomBytes } from 'node:crypto';

/**
 * The fake WeCom server's corp customer tags (企业客户标签): the tag library (`get_corp_tag_list`,
 * `add_corp_tag`) and the tags each staff member marked on each customer (`mark_tag`), with WeCom's
 * documented answers: 40068 for a tag id it does not know, 40071 for a name already in the group,
 * 40058 for a bad request, 84061 when the customer is not the staff member's contact, and at most
 * 3000 corp tags per corp and 30 characters per name.
 */

export interface FakeCorpTag {
  id: string;
  name: string;
  create_time: number;
  order: number;
  deleted: boolean;
}

export interface FakeCorpTagGroup extends Omit<FakeCorpTag, 'id' | 'name'> {
  group_id: string;
  group_name: string;
  tag: FakeCorpTag[];
}

const ok = { errcode: 0, errmsg: 'ok' };
const MAX_CORP_TAGS = 3000;
const MAX_NAME_CHARS = 30;
const newId = () => `et${randomBytes(12).toString('base64url')}`;
const now = () => Math.floor(Date.now() / 1000);
const strings = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);

export class FakeCorpTags {
  readonly groups: FakeCorpTagGroup[] = [];
  /** `${staff}\n${external}` → the tag ids that staff member marked on the customer. */
  readonly marks = new Map<string, Set<string>>();
  /** Pairs of (staff, customer) that are contacts; unset: every pair is. */
  relations?: Set<string>;

  /** Adds a group with its tags, as an admin would in the console; returns their ids by name. */
  addGroup(name: string, tagNames: readonly string[], order = 0): Record<string, string> {
    const group: FakeCorpTagGroup = {
      group_id: newId(),
      group_name: name,
      create_time: now(),
      order,
      deleted: false,
      tag: [],
    };
    this.groups.push(group);
    for (const tagName of tagNames) this.newTag(group, tagName);
    return Object.fromEntries(group.tag.map((t) => [t.name, t.id]));
  }

  /** Deletes a tag as an admin would: WeCom lists it no more, and takes it off every customer. */
  deleteTag(id: string): void {
    for (const group of this.groups) group.tag = group.tag.filter((t) => t.id !== id);
    for (const marked of this.marks.values()) marked.delete(id);
  }

  /** The names of the tags a staff member has on a customer (what `externalcontact/get` would list). */
  namesOn(staffId: string, externalUserId: string): string[] {
    const ids = this.marks.get(`${staffId}\n${externalUserId}`) ?? new Set();
    return this.live()
      .flatMap((g) => g.tag)
      .filter((t) => ids.has(t.id))
      .map((t) => t.name)
      .sort();
  }

  /** A staff member changes a customer's tags in the WeCom client. */
  markInClient(
    staffId: string,
    externalUserId: string,
    add: readonly string[],
    remove: readonly string[],
  ): void {
    const marked = this.marksOf(staffId, externalUserId);
    for (const id of add) marked.add(id);
    for (const id of remove) marked.delete(id);
  }

  list(input: Record<string, unknown>): object {
    const groupIds = strings(input.group_id);
    const tagIds = strings(input.tag_id);
    const groups = this.live()
      .filter((g) => groupIds.length === 0 || groupIds.includes(g.group_id))
      .map((g) => ({
        ...g,
        tag: groupIds.length > 0 || tagIds.length === 0 ? g.tag : g.tag.filter((t) => tagIds.includes(t.id)),
      }))
      .filter((g) => groupIds.length > 0 || tagIds.length === 0 || g.tag.length > 0);
    return { ...ok, tag_group: groups };
  }

  add(input: Record<string, unknown>): object {
    const tags = Array.isArray(input.tag) ? (input.tag as { name?: unknown; order?: unknown }[]) : [];
    const names = tags.map((t) => String(t.name ?? ''));
    if (names.length === 0 || names.some((n) => n === '' || [...n].length > MAX_NAME_CHARS))
      return { errcode: 40058, errmsg: 'invalid tag name: 1 to 30 characters' };
    if (this.live().flatMap((g) => g.tag).length + names.length > MAX_CORP_TAGS)
      return { errcode: 40066, errmsg: 'corp tag count exceeds the limit of 3000' };
    let group: FakeCorpTagGroup | undefined;
    if (input.group_id !== undefined) {
      group = this.live().find((g) => g.group_id === input.group_id);
      if (!group) return { errcode: 40068, errmsg: 'invalid tagid' };
    } else {
      const groupName = String(input.group_name ?? '');
      if (groupName === '' || [...groupName].length > MAX_NAME_CHARS)
        return { errcode: 40058, errmsg: 'invalid group_name' };
      // An existing group of that name takes the new tags.
      group = this.live().find((g) => g.group_name === groupName);
      if (!group) {
        group = {
          group_id: newId(),
          group_name: groupName,
          create_time: now(),
          order: Number(input.order ?? 0),
          deleted: false,
          tag: [],
        };
        this.groups.push(group);
      }
    }
    const target = group;
    if (names.some((n) => target.tag.some((t) => t.name === n)) || new Set(names).size < names.length)
      return { errcode: 40071, errmsg: 'tag name already exists' };
    const created = names.map((name, i) => this.newTag(target, name, Number(tags[i]?.order ?? 0)));
    return { ...ok, tag_group: { ...target, tag: created } };
  }

  mark(input: Record<string, unknown>): object {
    const userid = typeof input.userid === 'string' ? input.userid : '';
    const external = typeof input.external_userid === 'string' ? input.external_userid : '';
    const add = strings(input.add_tag);
    const remove = strings(input.remove_tag);
    if (!userid) return { errcode: 40003, errmsg: 'invalid userid' };
    if (!external) return { errcode: 40096, errmsg: 'invalid external userid' };
    if (add.length === 0 && remove.length === 0)
      return { errcode: 40058, errmsg: 'add_tag and remove_tag are both empty' };
    if (this.relations && !this.relations.has(`${userid}\n${external}`))
      return { errcode: 84061, errmsg: 'not external contact' };
    const known = new Set(this.live().flatMap((g) => g.tag.map((t) => t.id)));
    if ([...add, ...remove].some((id) => !known.has(id))) return { errcode: 40068, errmsg: 'invalid tagid' };
    this.markInClient(userid, external, add, remove);
    return ok;
  }

  private live(): FakeCorpTagGroup[] {
    return this.groups.filter((g) => !g.deleted);
  }

  private marksOf(staffId: string, externalUserId: string): Set<string> {
    const key = `${staffId}\n${externalUserId}`;
    let marked = this.marks.get(key);
    if (!marked) {
      marked = new Set();
      this.marks.set(key, marked);
    }
    return marked;
  }

  private newTag(group: FakeCorpTagGroup, name: string, order = 0): FakeCorpTag {
    const tag = { id: newId(), name, create_time: now(), order, deleted: false };
    group.tag.push(tag);
    return tag;
  }
}
