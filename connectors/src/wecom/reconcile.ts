import { createHash } from 'node:crypto';
import type { GroupMemberEvent, JoinMethod } from '../inbound';
import { eventIdFor } from './callback';
import type { WeComClient } from './wecom-client';

/**
 * WeCom's group change events can be lost or come out of order, and WeCom processes them
 * asynchronously. `reconcileGroup` reads the group as it is now (`groupchat/get`) and returns the
 * joins and leaves sopflow has not seen, given the members it knows, each once: post their events
 * (their ids are stable, so a repeated reconcile with the same known set is deduplicated by the events
 * API), then store `members` and `memberVersion` as the new known state. Join events from callbacks
 * and from reconciling have different ids, so add callback joins to the known set as they come.
 */

export interface GroupMember {
  userid: string;
  type: 'staff' | 'external';
  joinTime?: number;
  /** groupchat/get's join_scene: 1 direct invite, 2 invite link, 3 QR code. */
  joinScene?: number;
  joinMethod: JoinMethod;
  /** The `state` of the join way the member came through (groupchat/get's `state`), if any. */
  state?: string;
  unionid?: string;
  invitor?: string;
  name?: string;
}

export interface KnownGroup {
  members: Iterable<string>;
  /** The `member_version` the known members were read at, if any. */
  memberVersion?: string;
}

export interface ReconcileResult {
  chatId: string;
  memberVersion?: string;
  /** The member version is the one known: nothing changed since. */
  unchanged: boolean;
  members: GroupMember[];
  joins: GroupMember[];
  /** Known member ids no longer in the group. */
  leaves: string[];
  /** `member.joined` for each join, `member.left` for each leave. */
  events: GroupMemberEvent[];
}

interface RawMember {
  userid: string;
  type?: number;
  join_time?: number;
  join_scene?: number;
  state?: string;
  unionid?: string;
  invitor?: { userid?: string };
  name?: string;
}

export function joinMethodOfScene(scene: number | undefined): JoinMethod {
  return scene === 1 ? 'invite' : scene === 2 ? 'invite-link' : scene === 3 ? 'qr-code' : 'unknown';
}

export async function reconcileGroup(
  client: Pick<WeComClient, 'post'>,
  chatId: string,
  known: Iterable<string> | KnownGroup,
  options: { contactIdOf?: (memberId: string) => string | undefined } = {},
): Promise<ReconcileResult> {
  const knownGroup: KnownGroup = Symbol.iterator in known ? { members: known as Iterable<string> } : known;
  const knownIds = new Set(knownGroup.members);
  const answer = await client.post<{ group_chat?: { member_list?: RawMember[]; member_version?: string } }>(
    '/cgi-bin/externalcontact/groupchat/get',
    { chat_id: chatId, need_name: 1 },
  );
  const memberVersion = answer.group_chat?.member_version || undefined;
  const members = (answer.group_chat?.member_list ?? []).map(
    (m): GroupMember => ({
      userid: m.userid,
      type: m.type === 1 ? 'staff' : 'external',
      joinTime: m.join_time,
      joinScene: m.join_scene,
      joinMethod: joinMethodOfScene(m.join_scene),
      ...(m.state ? { state: m.state } : {}),
      ...(m.unionid ? { unionid: m.unionid } : {}),
      ...(m.invitor?.userid ? { invitor: m.invitor.userid } : {}),
      ...(m.name ? { name: m.name } : {}),
    }),
  );
  const current = new Set(members.map((m) => m.userid));
  const joins = members.filter((m) => !knownIds.has(m.userid));
  const leaves = [...knownIds].filter((id) => !current.has(id)).sort();

  // Ids: a join by member and join time (a later re-join is a new event); a leave by the member
  // version that first lacks the member (or the member list, when WeCom gives no version).
  const state =
    memberVersion ??
    createHash('sha256')
      .update([...current].sort().join('\n'))
      .digest('hex')
      .slice(0, 32);
  const base = `wecom:reconcile:${createHash('sha256').update(chatId).digest('hex').slice(0, 24)}`;
  const withContact = (memberId: string) => {
    const contactId = options.contactIdOf?.(memberId);
    return contactId ? { contactId } : {};
  };
  const events: GroupMemberEvent[] = [
    ...joins.map(
      (m): GroupMemberEvent => ({
        id: eventIdFor(`${base}:join:${m.joinTime ?? state}`, m.userid),
        name: 'member.joined',
        ...withContact(m.userid),
        memberId: m.userid,
        payload: {
          chatId,
          memberId: m.userid,
          source: 'reconcile',
          joinScene: m.joinScene,
          joinMethod: m.joinMethod,
          memberType: m.type,
          ...(m.state ? { state: m.state } : {}),
          ...(memberVersion ? { memberVersion } : {}),
          ...(m.joinTime ? { at: m.joinTime * 1000 } : {}),
        },
      }),
    ),
    ...leaves.map(
      (memberId): GroupMemberEvent => ({
        id: eventIdFor(`${base}:leave:${state}`, memberId),
        name: 'member.left',
        ...withContact(memberId),
        memberId,
        payload: { chatId, memberId, source: 'reconcile', ...(memberVersion ? { memberVersion } : {}) },
      }),
    ),
  ];
  return {
    chatId,
    memberVersion,
    unchanged: memberVersion !== undefined && memberVersion === knownGroup.memberVersion,
    members,
    joins,
    leaves,
    events,
  };
}
