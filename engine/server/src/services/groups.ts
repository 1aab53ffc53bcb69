import { type GroupMemberEvent, type GroupsPort, weComExternalUserIdAddress } from '@sopflow/connectors';
import type { Database } from '../persistence';
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
   * Returns how many joins and leaves of customers were posted anew (staff changes are only noted).
   */
  async accept(
    groupId: string,
    events: readonly GroupMemberEvent[],
  ): Promise<{ joins: number; leaves: number }> {
    const posted = { joins: 0, leaves: 0 };
    await this.store.watchedGroups.watch(groupId);
    for (const event of events) {
      // Staff are members of every group they run; they are not the audience.
      if (event.payload.memberType !== 'staff') {
        // A member we have not seen becomes a contact: joining is how most members arrive.
        // Group members are WeCom customers today; GroupMemberEvent does not yet say its member's kind.
        const contact = await this.store.contacts.findOrCreateByAddress(
          weComExternalUserIdAddress.name,
          event.memberId,
          `wecom:${event.memberId}`,
        );
        const outcome = await this.events.post({
          id: event.id,
          contactId: contact.id,
          name: event.name,
          payload: event.payload,
        });
        if (outcome.status !== 'duplicate') posted[event.name === 'member.joined' ? 'joins' : 'leaves']++;
      }
      // Noted once posted: a failure in between posts again next time, and the repeat is dropped.
      await this.store.watchedGroups.noteMember(groupId, event.memberId, event.name === 'member.joined');
    }
    return posted;
  }
}
