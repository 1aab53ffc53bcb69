import { type GroupMemberEvent, type GroupsPort, weComExternalUserIdAddress } from '@sopflow/connectors';
import { ContactErasedError, type Database } from '../persistence';
import type { EventRouter } from './events';

/**
 * The customer groups sopflow watches, as connectors reach them (`GroupsPort`): callbacks and
 * scheduled reconciling post member changes here, which become events for the members' contacts,
 * once (event ids are stable, and the events API drops a repeat).
 */
export class Groups implements GroupsPort {
  constructor(
    private readonly store: Database,
    private readonly events: EventRouter,
  ) {}

  list(only?: string) {
    return this.store.watchedGroups.list(only);
  }

  markReconciled(groupId: string) {
    return this.store.watchedGroups.markReconciled(groupId);
  }

  replaceMembers(groupId: string, members: string[], memberVersion?: string) {
    return this.store.watchedGroups.replaceMembers(groupId, members, memberVersion);
  }

  forget(groupId: string) {
    return this.store.watchedGroups.forget(groupId);
  }

  /**
   * Posts member changes as events for their contacts, and notes them in the group's members.
   * Returns how many joins and leaves of customers were posted anew (staff changes are only noted),
   * and how many joiners were left for a read of the group because their kind is unknown.
   *
   * Only a member the provider typed as external becomes a contact. A callback's event carries no
   * kind (WeCom's do not say staff or customer): it counts for a contact that already has this
   * address (a customer, since staff are never made contacts), and is otherwise left unnoted, so
   * the read of the group (`groupchat/get`, with each member's type) finds it as a join. A join
   * of a member already noted in the group was counted already (the read got there first, and
   * WeCom retried the callback, whose event id is not the read's).
   */
  async accept(
    groupId: string,
    events: readonly GroupMemberEvent[],
  ): Promise<{ joins: number; leaves: number; unresolved: number }> {
    const posted = { joins: 0, leaves: 0, unresolved: 0 };
    await this.store.watchedGroups.watch(groupId);
    const [group] = await this.store.watchedGroups.list(groupId);
    const noted = new Set(group?.members);
    for (const event of events) {
      const joined = event.name === 'member.joined';
      if (joined && event.payload.memberType === undefined && noted.has(event.memberId)) continue;
      const contactId = await this.contactOf(event, joined);
      if (contactId === 'unresolved') {
        posted.unresolved++;
        continue;
      }
      if (contactId) {
        const outcome = await this.events.post({
          id: event.id,
          contactId,
          name: event.name,
          payload: joined ? await this.withJoinWays(event.payload) : event.payload,
        });
        if (outcome.status !== 'duplicate') posted[joined ? 'joins' : 'leaves']++;
      }
      // Noted once posted: a failure in between posts again next time, and the repeat is dropped.
      await this.store.watchedGroups.noteMember(groupId, event.memberId, joined);
    }
    return posted;
  }

  /**
   * A join names the join ways it may have come through, so a flow that invited the contact through
   * one waits for `payload.joinWays contains "<id>"`: the one whose `state` the provider told (a
   * read of the group), else every join way that lets into the group (callbacks carry no state).
   */
  private async withJoinWays(payload: GroupMemberEvent['payload']): Promise<GroupMemberEvent['payload']> {
    const byState = payload.state ? await this.store.groupEntry.joinWayByState(payload.state) : undefined;
    const joinWays = byState ? [byState.id] : await this.store.groupEntry.joinWayIdsOfChat(payload.chatId);
    return joinWays.length > 0 ? { ...payload, joinWays } : payload;
  }

  /**
   * The contact an event is for: undefined for a member who is no one's contact and need not be
   * (staff, or an unknown member leaving), 'unresolved' for a joiner of unknown kind.
   */
  private async contactOf(
    event: GroupMemberEvent,
    joined: boolean,
  ): Promise<string | undefined | 'unresolved'> {
    // Staff are members of every group they run; they are not the audience.
    if (event.payload.memberType === 'staff') return undefined;
    const address = weComExternalUserIdAddress.name;
    if (event.payload.memberType === 'external' && joined) {
      // A customer we have not seen becomes a contact: joining is how most members arrive.
      try {
        return (
          await this.store.contacts.findOrCreateByAddress(address, event.memberId, `wecom:${event.memberId}`)
        ).id;
      } catch (error) {
        // An erased customer joining stays no one's contact; the other members are still taken.
        if (error instanceof ContactErasedError) return undefined;
        throw error;
      }
    }
    const known = await this.store.contacts.idByAddress(address, [event.memberId]);
    return known ?? (joined ? 'unresolved' : undefined);
  }
}
