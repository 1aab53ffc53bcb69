import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ContactTagChanges, JobContext } from '../connector';
import { memoryStorage } from '../shared/memory-storage';
import { MassSendConfig } from './config';
import {
  MARK_TAGS_JOB,
  type MarkTagsReport,
  markTagsJob,
  SYNC_CORP_TAGS_JOB,
  supersededBy,
  syncCorpTagsJob,
} from './corp-tags';
import { FakeWeComServer } from './fake-wecom-server';
import { weComMassSendConnector } from './mass-send-connector';
import { memoryTags } from './test-support';
import { resetWeComTokenCache } from './wecom-client';

const CORP = 'ww-fake-corp';
const contact = (overrides: Partial<ContactTagChanges> = {}): ContactTagChanges => ({
  contactId: 'c1',
  addresses: { wecomExternalUserId: 'wm-ext-1' },
  attributes: { wecomStaffIds: ['mei', 'li'] },
  tags: ['VIP'],
  changes: [{ tag: 'VIP', wanted: true, changedAt: 1_000 }],
  ...overrides,
});

describe('WeCom corp tags both ways', () => {
  let fake: FakeWeComServer;
  const config = (tags: Record<string, unknown> = {}) =>
    MassSendConfig.parse({ corpId: CORP, secret: 'fake-secret', sender: 'mei', baseUrl: fake.url, tags });
  const contextOf = (
    tags: ReturnType<typeof memoryTags>,
    options: { only?: string; tagConfig?: Record<string, unknown> } = {},
  ): JobContext<MassSendConfig> => {
    const storage = memoryStorage();
    const cfg = config(options.tagConfig);
    return {
      config: cfg,
      instance: weComMassSendConnector.create(cfg, { storage }),
      storage,
      groups: { list: async () => [] } as never,
      contacts: {} as never,
      tags: tags.port,
      ...(options.only ? { only: options.only } : {}),
    };
  };
  const mark = async (tags: ReturnType<typeof memoryTags>, options: Parameters<typeof contextOf>[1] = {}) =>
    (await markTagsJob.run(contextOf(tags, options))) as unknown as MarkTagsReport;
  const sync = (tags: ReturnType<typeof memoryTags>) => syncCorpTagsJob.run(contextOf(tags));

  beforeEach(async () => {
    resetWeComTokenCache();
    fake = await FakeWeComServer.start();
  });
  afterEach(async () => {
    await fake.close();
  });

  it('are jobs of the mass-send connector, on the interval its config gives (0: off), read at once', () => {
    const names = weComMassSendConnector.jobs?.map((j) => j.name);
    expect(names).toEqual(expect.arrayContaining([SYNC_CORP_TAGS_JOB, MARK_TAGS_JOB]));
    for (const job of [syncCorpTagsJob, markTagsJob]) {
      expect(job.schedule(config())).toEqual({ intervals: [{ every: 60 * 60_000 }] });
      expect(job.schedule(config({ syncMinutes: 0 }))).toBeUndefined();
    }
    expect(syncCorpTagsJob.runsWhenScheduled).toBe(true);
    expect(markTagsJob.startsOnTagChange).toBe(true);
  });

  it('reads the corp tag list with groups, ids, names and order, and notes deleted tags', async () => {
    const ids = fake.corpTags.addGroup('客户等级', ['VIP', '普通'], 5);
    fake.corpTags.addGroup('来源', ['直播'], 1);
    const tags = memoryTags();
    expect(await sync(tags)).toEqual({ groups: 2, tags: 3, deleted: 0 });
    const [level] = await tags.port.catalog(CORP);
    expect(level).toMatchObject({ name: '客户等级', order: 5, tags: [{ name: 'VIP' }, { name: '普通' }] });
    expect(level?.tags[0]?.id).toBe(ids.VIP);

    fake.corpTags.deleteTag(ids.VIP!);
    expect(await sync(tags)).toEqual({ groups: 2, tags: 2, deleted: 1 });
  });

  it("marks a contact's tag change through every staff member the customer follows, once settled", async () => {
    const ids = fake.corpTags.addGroup('客户等级', ['VIP', '普通']);
    fake.corpTags.markInClient('mei', 'wm-ext-1', [ids.普通!], []);
    const tags = memoryTags([
      contact({
        tags: ['VIP'],
        changes: [
          { tag: 'VIP', wanted: true, changedAt: 1_000 },
          { tag: '普通', wanted: false, changedAt: 1_000 },
        ],
      }),
    ]);
    await sync(tags);
    expect(await mark(tags)).toMatchObject({ contacts: 1, marked: 2, failed: [], sopflowOnly: [] });
    expect(fake.corpTags.namesOn('mei', 'wm-ext-1')).toEqual(['VIP']);
    expect(fake.corpTags.namesOn('li', 'wm-ext-1')).toEqual(['VIP']);
    expect(tags.settled.map((s) => s.contactId)).toEqual(['c1']);
    // Nothing left: a second pass calls WeCom for nothing.
    const calls = fake.count('externalcontact/mark_tag');
    expect(await mark(tags)).toMatchObject({ contacts: 0, marked: 0 });
    expect(fake.count('externalcontact/mark_tag')).toBe(calls);
  });

  it('later events win: a WeCom edit after our change, or a later change of the contact, makes it moot', () => {
    const change = { tag: 'VIP', wanted: true, changedAt: 1_000 };
    expect(supersededBy(change, { tags: ['VIP'] })).toBeUndefined();
    expect(supersededBy(change, { tags: ['VIP'], editedAt: 999 })).toBeUndefined();
    expect(supersededBy(change, { tags: ['VIP'], editedAt: 1_001 })).toBe('wecom');
    expect(supersededBy(change, { tags: [] })).toBe('contact');
  });

  it('does not mark a change WeCom edited the customer after, and settles it', async () => {
    fake.corpTags.addGroup('客户等级', ['VIP']);
    const tags = memoryTags([contact({ editedAt: 2_000 })]);
    await sync(tags);
    expect(await mark(tags)).toMatchObject({ marked: 0, superseded: { wecom: 1, contact: 0 } });
    expect(fake.count('externalcontact/mark_tag')).toBe(0);
    expect(tags.settled).toHaveLength(1);
  });

  it('keeps a tag WeCom does not have in sopflow only, and says so', async () => {
    const tags = memoryTags([
      contact({ tags: ['book-club'], changes: [{ tag: 'book-club', wanted: true, changedAt: 1 }] }),
    ]);
    expect(await mark(tags)).toMatchObject({ marked: 0, sopflowOnly: ['book-club'], created: [] });
    expect(fake.count('externalcontact/add_corp_tag')).toBe(0);
    expect(tags.settled).toHaveLength(1);
  });

  it('creates a missing tag in the sopflow group when told to, then marks it', async () => {
    const tags = memoryTags([
      contact({
        attributes: { wecomStaffIds: ['mei'] },
        tags: ['读书会'],
        changes: [{ tag: '读书会', wanted: true, changedAt: 1 }],
      }),
    ]);
    const report = await mark(tags, { tagConfig: { createMissing: true } });
    expect(report).toMatchObject({ marked: 1, created: ['读书会'], sopflowOnly: [] });
    expect(fake.corpTags.groups.map((g) => [g.group_name, g.tag.map((t) => t.name)])).toEqual([
      ['sopflow', ['读书会']],
    ]);
    expect(fake.corpTags.namesOn('mei', 'wm-ext-1')).toEqual(['读书会']);
    expect((await tags.port.catalog(CORP))[0]?.tags.map((t) => t.name)).toEqual(['读书会']);
  });

  it('settles a change WeCom refuses for good (not a contact of that staff member), and reports it', async () => {
    fake.corpTags.addGroup('客户等级', ['VIP']);
    fake.corpTags.relations = new Set(['mei\nwm-ext-1']);
    const tags = memoryTags([contact()]);
    await sync(tags);
    const report = await mark(tags);
    expect(report.marked).toBe(1);
    expect(report.failed).toEqual([
      { contactId: 'c1', staffId: 'li', message: expect.stringContaining('84061'), retry: false },
    ]);
    expect(tags.settled).toHaveLength(1);
  });

  it('keeps a change WeCom could not take yet, and fails a run asked for that contact so it is retried', async () => {
    fake.corpTags.addGroup('客户等级', ['VIP']);
    const tags = memoryTags([contact({ attributes: { wecomStaffIds: ['mei'] } })]);
    await sync(tags);
    fake.fail('externalcontact/mark_tag', { errcode: -1 });
    await expect(mark(tags, { only: 'c1' })).rejects.toThrow(/did not take the tag changes of c1/);
    expect(tags.settled).toHaveLength(0);
    expect(await mark(tags, { only: 'c1' })).toMatchObject({ marked: 1 });
    expect(fake.corpTags.namesOn('mei', 'wm-ext-1')).toEqual(['VIP']);
  });

  it('marks nothing for a contact that follows no staff member, and says so', async () => {
    fake.corpTags.addGroup('客户等级', ['VIP']);
    const tags = memoryTags([contact({ attributes: {} })]);
    await sync(tags);
    expect(await mark(tags)).toMatchObject({ marked: 0, unreachable: ['c1'] });
  });
});

describe("the fake WeCom's corp tags answer as WeCom documents", () => {
  let fake: FakeWeComServer;
  beforeEach(async () => {
    resetWeComTokenCache();
    fake = await FakeWeComServer.start();
  });
  afterEach(async () => {
    await fake.close();
  });

  const call = async (api: string, body: unknown) => {
    const token = (await (
      await fetch(`${fake.url}/cgi-bin/gettoken?corpid=${CORP}&corpsecret=fake-secret`)
    ).json()) as {
      access_token: string;
    };
    const answer = await fetch(
      `${fake.url}/cgi-bin/externalcontact/${api}?access_token=${token.access_token}`,
      {
        method: 'POST',
        body: JSON.stringify(body),
      },
    );
    return (await answer.json()) as { errcode: number };
  };

  it('refuses an unknown tag id (40068), a name already in the group (40071), and an empty mark (40058)', async () => {
    fake.corpTags.addGroup('客户等级', ['VIP']);
    expect(
      await call('mark_tag', { userid: 'mei', external_userid: 'wm1', add_tag: ['etNope'] }),
    ).toMatchObject({
      errcode: 40068,
    });
    expect(await call('add_corp_tag', { group_name: '客户等级', tag: [{ name: 'VIP' }] })).toMatchObject({
      errcode: 40071,
    });
    expect(await call('mark_tag', { userid: 'mei', external_userid: 'wm1' })).toMatchObject({
      errcode: 40058,
    });
    expect(await call('add_corp_tag', { group_name: 'g', tag: [{ name: 'x'.repeat(31) }] })).toMatchObject({
      errcode: 40058,
    });
  });
});
