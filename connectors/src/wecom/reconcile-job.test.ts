import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GroupsPort, JobContext, WatchedGroup } from '../connector';
import type { ContactsPort, GroupMemberEvent } from '../inbound';
import { memoryStorage } from '../shared/memory-storage';
import { MassSendConfig } from './config';
import { type FakeGroupMember, FakeWeComServer } from './fake-wecom-server';
import { weComMassSendConnector } from './mass-send-connector';
import { type GroupReconcileReport, RECONCILE_GROUPS_JOB, reconcileGroupsJob } from './reconcile-job';
import { memoryTags } from './test-support';
import { resetWeComTokenCache } from './wecom-client';

const member = (userid: string, type: 1 | 2 = 2): FakeGroupMember => ({
  userid,
  type,
  join_time: 1718000000,
  join_scene: 3,
});

/** Group reconciling changes no contact itself. */
const noContacts: ContactsPort = {
  change: async () => {
    throw new Error('The reconcile job changed a contact.');
  },
};

/** The runtime's watched groups, in memory: what the job posted and noted. */
function memoryGroups(watched: WatchedGroup[]) {
  const groups = new Map(watched.map((g) => [g.id, g]));
  const posted: GroupMemberEvent[] = [];
  const reconciled: string[] = [];
  const port: GroupsPort = {
    async list(only) {
      return [...groups.values()].filter((g) => only === undefined || g.id === only);
    },
    async accept(_groupId, events) {
      const fresh = events.filter((e) => !posted.some((p) => p.id === e.id));
      posted.push(...fresh);
      const customers = fresh.filter((e) => e.payload.memberType !== 'staff');
      return {
        joins: customers.filter((e) => e.name === 'member.joined').length,
        leaves: customers.filter((e) => e.name === 'member.left').length,
      };
    },
    async replaceMembers(groupId, members, memberVersion) {
      groups.set(groupId, { id: groupId, members, ...(memberVersion ? { memberVersion } : {}) });
    },
    async markReconciled(groupId) {
      reconciled.push(groupId);
    },
    async forget(groupId) {
      groups.delete(groupId);
    },
  };
  return { port, groups, posted, reconciled };
}

describe("WeCom's reconcile-groups job", () => {
  let fake: FakeWeComServer;
  const config = () =>
    MassSendConfig.parse({
      corpId: 'ww-fake-corp',
      secret: 'fake-secret',
      sender: 'staff',
      baseUrl: fake.url,
    });
  const run = async (groups: GroupsPort, only?: string) => {
    const storage = memoryStorage();
    const context: JobContext<MassSendConfig> = {
      config: config(),
      instance: weComMassSendConnector.create(config(), { storage }),
      storage,
      groups,
      tags: memoryTags().port,
      contacts: noContacts,
      ...(only ? { only } : {}),
    };
    return (await reconcileGroupsJob.run(context)) as unknown as GroupReconcileReport;
  };

  beforeEach(async () => {
    resetWeComTokenCache();
    fake = await FakeWeComServer.start();
  });
  afterEach(() => fake.close());

  it('is declared by the mass-send connector, on the interval its config gives (0: off)', () => {
    expect(weComMassSendConnector.jobs?.map((j) => j.name)).toContain(RECONCILE_GROUPS_JOB);
    expect(reconcileGroupsJob.schedule(config())).toEqual({ intervals: [{ every: 30 * 60_000 }] });
    expect(reconcileGroupsJob.schedule({ ...config(), reconcileMinutes: 15 })).toEqual({
      intervals: [{ every: 15 * 60_000 }],
    });
    expect(reconcileGroupsJob.schedule({ ...config(), reconcileMinutes: 0 })).toBeUndefined();
  });

  it('posts the joins and leaves it missed once, notes the members, and forgets a dissolved group', async () => {
    fake.setGroupChat({
      chat_id: 'g1',
      owner: 'staff',
      create_time: 1717000000,
      member_version: 'v2',
      member_list: [member('staff', 1), member('wm-seen'), member('wm-lost')],
    });
    const memory = memoryGroups([
      { id: 'g1', members: ['staff', 'wm-seen', 'wm-gone'], memberVersion: 'v1' },
    ]);

    expect(await run(memory.port)).toEqual({
      groups: 1,
      unchanged: 0,
      joins: 1,
      leaves: 1,
      failed: [],
      forgotten: [],
    });
    expect(memory.posted.map((e) => [e.name, e.memberId, e.payload.source])).toEqual([
      ['member.joined', 'wm-lost', 'reconcile'],
      ['member.left', 'wm-gone', 'reconcile'],
    ]);
    expect(memory.groups.get('g1')).toEqual({
      id: 'g1',
      members: ['staff', 'wm-seen', 'wm-lost'],
      memberVersion: 'v2',
    });

    // The member version has not moved: nothing is compared or posted.
    expect(await run(memory.port)).toMatchObject({ unchanged: 1, joins: 0, leaves: 0 });
    expect(memory.reconciled).toEqual(['g1']);
    expect(memory.posted).toHaveLength(2);

    fake.dissolveGroupChat('g1');
    expect(await run(memory.port)).toMatchObject({ forgotten: ['g1'], failed: [] });
    expect(memory.groups.has('g1')).toBe(false);
  });

  it('reads only the group an inbound call named, and says which groups WeCom would not read', async () => {
    fake.setGroupChat({
      chat_id: 'g1',
      owner: 'staff',
      create_time: 1717000000,
      member_version: 'v1',
      member_list: [member('wm-a')],
    });
    const memory = memoryGroups([
      { id: 'g1', members: [] },
      { id: 'g2', members: [] },
    ]);
    expect(await run(memory.port, 'g1')).toMatchObject({ groups: 1, joins: 1, failed: [] });
    expect(memory.posted.map((e) => e.memberId)).toEqual(['wm-a']);
    // WeCom refuses to read g2 (no privilege): it stays watched, for the next pass to try again.
    fake.fail('externalcontact/groupchat/get', { errcode: 60011 });
    const refused = await run(memory.port, 'g2');
    expect(refused.failed).toEqual([{ chatId: 'g2', message: expect.any(String) }]);
    expect(refused.forgotten).toEqual([]);
    expect(memory.groups.has('g2')).toBe(true);
  });

  it('skips when the account cannot read customer groups', async () => {
    const memory = memoryGroups([{ id: 'g1', members: [] }]);
    const storage = memoryStorage();
    const report = await reconcileGroupsJob.run({
      config: config(),
      instance: { send: async () => ({ status: 'sent' }) },
      storage,
      groups: memory.port,
      tags: memoryTags().port,
      contacts: noContacts,
    });
    expect(report).toMatchObject({ groups: 1, skipped: expect.stringContaining('cannot read') });
  });
});
