import { type GroupMemberEvent, readsCustomerGroups, weComExternalUserIdAddress } from '@sopflow/connectors';
import { type WeComReconcileReport, wecomReconcile } from '@sopflow/workflows';
import { errorCauses } from '../error-causes';
import type { Database } from '../persistence';
import type { WeComGroupRepository } from '../persistence/wecom-groups';
import type { TemporalGateway } from '../temporal/gateway';
import type { ChannelRoutes } from './channel-routes';
import type { EventRouter } from './events';

/** WeCom's errcode for a chat id it does not know (the group was dissolved). */
const CHAT_NOT_FOUND = 40050;

/**
 * The customer groups sopflow watches. Callbacks post member changes as they come and note them
 * here; `reconcile` reads each group from WeCom and posts the changes the callbacks missed, once
 * (event ids are stable, and the events API drops a repeat).
 */
export class WeComGroups {
  constructor(
    private readonly groups: WeComGroupRepository,
    private readonly store: Database,
    private readonly events: EventRouter,
    private readonly channelRoutes: ChannelRoutes,
  ) {}

  /**
   * Posts member changes as events for their contacts, and notes them in the group's members.
   * Returns how many joins and leaves of customers were posted anew (staff changes are only noted).
   */
  async accept(
    chatId: string,
    events: readonly GroupMemberEvent[],
  ): Promise<{ joins: number; leaves: number }> {
    const posted = { joins: 0, leaves: 0 };
    await this.groups.watch(chatId);
    for (const event of events) {
      // Staff are members of every group they run; they are not the audience.
      if (event.payload.memberType !== 'staff') {
        // A member we have not seen becomes a contact: joining is how most members arrive.
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
      await this.groups.noteMember(chatId, event.memberId, event.name === 'member.joined');
    }
    return posted;
  }

  /** Compares every watched group (or the one named) with WeCom and posts what was missed. */
  async reconcile(only?: string): Promise<WeComReconcileReport> {
    const groups = await this.groups.list(only);
    const report: WeComReconcileReport = {
      groups: groups.length,
      unchanged: 0,
      joins: 0,
      leaves: 0,
      failed: [],
      forgotten: [],
    };
    if (groups.length === 0) return report;
    const reader = await this.groupReader();
    if (!reader)
      return {
        ...report,
        skipped: 'No channel goes through the WeCom mass-send (customer contact) connector.',
      };
    for (const group of groups) {
      try {
        const result = await reader.reconcileGroup(group.chatId, {
          members: group.members,
          ...(group.memberVersion ? { memberVersion: group.memberVersion } : {}),
        });
        if (result.unchanged) {
          report.unchanged++;
          await this.groups.markReconciled(group.chatId);
          continue;
        }
        const posted = await this.accept(group.chatId, result.events);
        report.joins += posted.joins;
        report.leaves += posted.leaves;
        const members = result.members.map((m) => m.userid);
        await this.groups.replaceMembers(group.chatId, members, result.memberVersion ?? null);
      } catch (error) {
        // WeCom no longer has the group (dissolved): stop watching it instead of failing every pass.
        if ((error as { details?: { providerCode?: unknown } }).details?.providerCode === CHAT_NOT_FOUND) {
          await this.groups.forget(group.chatId);
          report.forgotten.push(group.chatId);
          continue;
        }
        report.failed.push({ chatId: group.chatId, message: (error as Error).message });
      }
    }
    return report;
  }

  private async groupReader() {
    for (const route of await this.channelRoutes.list()) {
      const found = await this.channelRoutes.route(route.channel);
      if (found && readsCustomerGroups(found.instance)) return found.instance;
    }
    return undefined;
  }
}

/** The Temporal Schedule that reconciles the watched groups. */
export const WECOM_RECONCILE_SCHEDULE = 'sopflow-wecom-reconcile';

/**
 * Keeps the reconcile schedule in step with the setting: every `minutes`, or none at 0. Each API
 * start calls it; an existing schedule is updated in place, so replicas agree on one.
 */
export async function syncWeComReconcileSchedule(temporal: TemporalGateway, minutes: number): Promise<void> {
  try {
    await applyReconcileSchedule(temporal, minutes);
  } catch (error) {
    // Temporal's Java time-skipping test server has no schedules. Callbacks still work there, and a
    // callback that names no member still reconciles its group at once.
    if (!isUnimplemented(error)) throw error;
    console.warn('This Temporal server has no schedules: WeCom groups are not reconciled on a timer.');
  }
}

/** gRPC UNIMPLEMENTED (12), as Temporal's client reports it. */
function isUnimplemented(error: unknown): boolean {
  for (const e of errorCauses(error)) if (e.code === 12) return true;
  return false;
}

async function applyReconcileSchedule(temporal: TemporalGateway, minutes: number): Promise<void> {
  if (minutes <= 0) {
    await temporal.deleteSchedule(WECOM_RECONCILE_SCHEDULE);
    return;
  }
  await temporal.putSchedule(WECOM_RECONCILE_SCHEDULE, {
    spec: { intervals: [{ every: minutes * 60_000 }] },
    start: { workflow: wecomReconcile, args: [], workflowId: 'sopflow-wecom-reconcile' },
    // A pass still running when the next is due: the next is skipped, not queued.
    overlap: 'SKIP',
    memo: { purpose: 'Reconcile WeCom customer-group members with what sopflow saw' },
  });
}
