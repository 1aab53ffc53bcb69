import {
  ConnectorRegistry,
  type ContactsPort,
  defineConnector,
  type GroupsPort,
  type JobContext,
  memoryStorage,
  type TagsPort,
  weComExternalUserIdAddress,
} from '@sopflow/connectors';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { TemporalGateway } from '../temporal/gateway';
import type { ChannelRoutes } from './channel-routes';
import { ConnectorJobs, connectorJobScheduleId, tagChangeAddressKinds } from './connector-jobs';

const ran: JobContext<{ everyMinutes: number }>[] = [];
const tidy = defineConnector({
  name: 'tidy',
  description: { en: 'A connector with a job, for tests.', zh: '带定时任务的测试连接器。' },
  channels: ['chat', 'chat_group'],
  configSchema: z.object({ everyMinutes: z.number().default(5) }),
  create: () => ({ send: async () => ({ status: 'sent' }) }),
  jobs: [
    {
      name: 'sweep',
      label: { en: 'Sweep', zh: '清理' },
      schedule: ({ everyMinutes }) =>
        everyMinutes > 0 ? { intervals: [{ every: everyMinutes * 60_000 }] } : undefined,
      async run(context) {
        ran.push(context);
        return { swept: context.only ?? 'all' };
      },
    },
  ],
});
const plain = defineConnector({
  name: 'plain',
  description: { en: 'A connector without jobs.', zh: '没有定时任务的连接器。' },
  channels: ['chat'],
  configSchema: z.object({}),
  create: () => ({ send: async () => ({ status: 'sent' }) }),
});

/** Channel routes as the jobs read them: which connector each channel goes through, with its config. */
function routesOf(table: Record<string, { connector: string; config: unknown }>) {
  return {
    async list() {
      return Object.entries(table).map(([channel, r]) => ({ channel, connector: r.connector }));
    },
    async route(channel: string) {
      const r = table[channel];
      return (
        r && {
          connector: r.connector,
          config: r.config,
          instance: { send: async () => ({ status: 'sent' }) },
        }
      );
    },
  } as unknown as ChannelRoutes;
}

function recordingGateway() {
  const calls: [string, string, unknown?][] = [];
  const gateway = {
    async putSchedule(id: string, definition: unknown) {
      calls.push(['put', id, definition]);
    },
    async deleteSchedule(id: string) {
      calls.push(['delete', id]);
      return false;
    },
  } as unknown as TemporalGateway;
  return { gateway, calls };
}

const groups = {} as GroupsPort;
const contacts = {} as ContactsPort;
const tags = {} as TagsPort;
const storage = memoryStorage();
const jobsFor = (table: Parameters<typeof routesOf>[0], gateway = recordingGateway().gateway) =>
  new ConnectorJobs(
    new ConnectorRegistry([tidy as never, plain as never]),
    routesOf(table),
    groups,
    () => ({ storage }),
    gateway,
    contacts,
    () => tags,
  );

describe('connector jobs', () => {
  it("run with the account's config, instance and ports, narrowed when asked", async () => {
    ran.length = 0;
    const jobs = jobsFor({ chat: { connector: 'tidy', config: { everyMinutes: 5 } } });
    expect(await jobs.run({ connector: 'tidy', account: 'chat', job: 'sweep' })).toEqual({ swept: 'all' });
    expect(ran[0]).toMatchObject({ config: { everyMinutes: 5 }, storage, groups, contacts });
    expect(ran[0]!.instance.send).toBeTypeOf('function');
    expect(await jobs.run({ connector: 'tidy', account: 'chat', job: 'sweep', only: 'g1' })).toEqual({
      swept: 'g1',
    });
  });

  it('skip an account routed elsewhere since, and refuse a job nobody declares', async () => {
    const jobs = jobsFor({ chat: { connector: 'plain', config: {} } });
    expect(await jobs.run({ connector: 'tidy', account: 'chat', job: 'sweep' })).toEqual({
      skipped: 'Channel "chat" does not go through tidy.',
    });
    await expect(jobs.run({ connector: 'tidy', account: 'chat', job: 'dust' })).rejects.toThrow(
      /no job "dust"/,
    );
  });

  it('start a run for one item on each account routed to the connector, with an id per item', async () => {
    const started: [string, unknown][] = [];
    const gateway = {
      async startConnectorJob(id: string, input: unknown) {
        started.push([id, input]);
      },
    } as unknown as TemporalGateway;
    const jobs = jobsFor(
      {
        chat: { connector: 'tidy', config: { everyMinutes: 5 } },
        chat_group: { connector: 'tidy', config: { everyMinutes: 0 } },
        other: { connector: 'plain', config: {} },
      },
      gateway,
    );
    expect(await jobs.startNow('tidy', 'sweep', 'g1')).toEqual([
      'sopflow-job:tidy:chat:sweep:g1',
      'sopflow-job:tidy:chat_group:sweep:g1',
    ]);
    expect(started[0]).toEqual([
      'sopflow-job:tidy:chat:sweep:g1',
      { connector: 'tidy', account: 'chat', job: 'sweep', only: 'g1' },
    ]);
  });

  it('keep one schedule per job of each channel routed to the connector, and none for the others', async () => {
    const { gateway, calls } = recordingGateway();
    const jobs = jobsFor(
      {
        chat: { connector: 'tidy', config: { everyMinutes: 5 } },
        chat_group: { connector: 'tidy', config: { everyMinutes: 0 } },
      },
      gateway,
    );
    await jobs.syncSchedules();
    const chat = { connector: 'tidy', account: 'chat', job: 'sweep' };
    expect(connectorJobScheduleId(chat)).toBe('sopflow-job:tidy:chat:sweep');
    expect(calls.map(([what, id]) => [what, id])).toEqual([
      ['delete', 'sopflow-wecom-reconcile'],
      ['put', 'sopflow-job:tidy:chat:sweep'],
      // Turned off by its config: no schedule.
      ['delete', 'sopflow-job:tidy:chat_group:sweep'],
    ]);
    expect(calls[1]![2]).toMatchObject({
      spec: { intervals: [{ every: 5 * 60_000 }] },
      start: { args: [chat], workflowId: 'sopflow-job:tidy:chat:sweep' },
      overlap: 'SKIP',
    });

    // One channel after its route changed: only its schedules are touched.
    calls.length = 0;
    await jobsFor({ chat: { connector: 'plain', config: {} } }, gateway).syncSchedules('chat');
    expect(calls).toEqual([['delete', 'sopflow-job:tidy:chat:sweep']]);
  });

  describe('that follow tags', () => {
    const tagger = defineConnector({
      name: 'tagger',
      description: {
        en: 'A connector that marks tags on its provider, for tests.',
        zh: '在服务商处标记标签的测试连接器。',
      },
      channels: ['chat'],
      address: weComExternalUserIdAddress,
      configSchema: z.object({}),
      create: () => ({ send: async () => ({ status: 'sent' }) }),
      jobs: [
        {
          name: 'mark',
          label: { en: 'Mark', zh: '标记' },
          schedule: () => ({ intervals: [{ every: 60_000 }] }),
          startsOnTagChange: true,
          runsWhenScheduled: true,
          run: async () => ({}),
        },
      ],
    });
    const registry = new ConnectorRegistry([tagger as never, tidy as never]);
    const started: string[] = [];
    const calls: string[] = [];
    const gateway = {
      async startConnectorJob(id: string) {
        started.push(id);
      },
      async putSchedule(id: string) {
        calls.push(`put ${id}`);
      },
      async deleteSchedule(id: string) {
        calls.push(`delete ${id}`);
        return false;
      },
    } as unknown as TemporalGateway;
    const jobs = new ConnectorJobs(
      registry,
      routesOf({ chat: { connector: 'tagger', config: {} } }),
      groups,
      () => ({ storage }),
      gateway,
      contacts,
      () => tags,
    );

    it('note tag changes for the address kinds of connectors whose jobs follow them', () => {
      expect(tagChangeAddressKinds(registry)).toEqual(['wecomExternalUserId']);
      expect(tagChangeAddressKinds(new ConnectorRegistry([tidy as never]))).toEqual([]);
    });

    it('start for each contact whose tags changed, but leave a large import to the scheduled pass', async () => {
      started.length = 0;
      await jobs.startForTagChanges(['c1', 'c2']);
      expect(started).toEqual(['sopflow-job:tagger:chat:mark:c1', 'sopflow-job:tagger:chat:mark:c2']);
      started.length = 0;
      await jobs.startForTagChanges(Array.from({ length: 21 }, (_, i) => `c${i}`));
      expect(started).toEqual([]);
    });

    it('run once when their schedule is made, besides the schedule', async () => {
      started.length = 0;
      await jobs.syncSchedules('chat');
      expect(calls).toContain('put sopflow-job:tagger:chat:mark');
      expect(started).toEqual(['sopflow-job:tagger:chat:mark:scheduled']);
    });
  });
});
