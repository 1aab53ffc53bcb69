import type { ConnectorInstance, ConnectorJob } from '../connector';
import type { KnownGroup, ReconcileResult } from './reconcile';

/** WeCom's errcode for a chat id it does not know (the group was dissolved). */
const CHAT_NOT_FOUND = 40050;

/** What one pass of reconciling WeCom customer groups did. */
export interface GroupReconcileReport {
  groups: number;
  /** Groups whose member version had not moved: nothing to compare. */
  unchanged: number;
  /** Customers' joins and leaves posted as events (staff changes are only noted). */
  joins: number;
  leaves: number;
  /** Groups WeCom would not read, with why; the next pass tries them again. */
  failed: { chatId: string; message: string }[];
  /** Groups WeCom no longer has (dissolved): no longer watched. */
  forgotten: string[];
  /** Set when this account's connector cannot read customer groups. */
  skipped?: string;
}

/** Reads a customer group as it is now and says which joins and leaves the known members miss. */
export interface CustomerGroupReader {
  reconcileGroup(chatId: string, known: KnownGroup): Promise<ReconcileResult>;
}

function readsGroups(instance: ConnectorInstance): instance is ConnectorInstance & CustomerGroupReader {
  return typeof (instance as Partial<CustomerGroupReader>).reconcileGroup === 'function';
}

/** The job's name, which the WeCom callback asks for when a group changed but it did not say who. */
export const RECONCILE_GROUPS_JOB = 'reconcile-groups';

/**
 * WeCom's customer-group callbacks can be lost or come out of order. Every group a callback named
 * is watched; this job reads each from WeCom (through the account's customer-contact secret) and
 * posts the joins and leaves the callbacks missed, once (event ids are stable, and the events API
 * drops a repeat). A group WeCom no longer has is watched no more.
 */
export const reconcileGroupsJob: ConnectorJob<{ reconcileMinutes: number }> = {
  name: RECONCILE_GROUPS_JOB,
  label: { en: 'Reconcile customer-group members with WeCom', zh: '与企业微信核对客户群成员' },
  schedule: ({ reconcileMinutes }) =>
    reconcileMinutes > 0 ? { intervals: [{ every: reconcileMinutes * 60_000 }] } : undefined,
  async run({ instance, groups: port, only }) {
    const groups = await port.list(only);
    const report: GroupReconcileReport = {
      groups: groups.length,
      unchanged: 0,
      joins: 0,
      leaves: 0,
      failed: [],
      forgotten: [],
    };
    if (groups.length === 0) return { ...report };
    if (!readsGroups(instance))
      return { ...report, skipped: 'This connector cannot read WeCom customer groups.' };
    for (const group of groups) {
      try {
        const result = await instance.reconcileGroup(group.id, {
          members: group.members,
          ...(group.memberVersion ? { memberVersion: group.memberVersion } : {}),
        });
        if (result.unchanged) {
          report.unchanged++;
          await port.markReconciled(group.id);
          continue;
        }
        const posted = await port.accept(group.id, result.events);
        report.joins += posted.joins;
        report.leaves += posted.leaves;
        await port.replaceMembers(
          group.id,
          result.members.map((m) => m.userid),
          result.memberVersion,
        );
      } catch (error) {
        // WeCom no longer has the group (dissolved): stop watching it instead of failing every pass.
        if ((error as { details?: { providerCode?: unknown } }).details?.providerCode === CHAT_NOT_FOUND) {
          await port.forget(group.id);
          report.forgotten.push(group.id);
          continue;
        }
        report.failed.push({ chatId: group.id, message: (error as Error).message });
      }
    }
    return { ...report };
  },
};
