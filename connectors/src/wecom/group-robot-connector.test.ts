import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SendError } from '../connector';
import { GroupRobotConfig } from './config';
import { FakeWeComServer } from './fake-wecom-server';
import { createGroupRobotSender, splitMentions, weComGroupRobotConnector } from './group-robot-connector';
import { outbound, thrown } from './test-support';

describe('wecom-group-robot connector', () => {
  let fake: FakeWeComServer;
  // Robot limits are kept per key for the whole process: every test gets keys of its own.
  let key: string;
  let disabledKey: string;
  const config = (extra: Record<string, unknown> = {}) =>
    GroupRobotConfig.parse({
      robots: { 'group-a': key, 'group-off': disabledKey, 'group-gone': `gone-${key}` },
      baseUrl: fake.url,
      timeoutMs: 2_000,
      ...extra,
    });
  const toGroup = (groupId: string) => ({ id: `group:${groupId}`, groupId });

  beforeEach(async () => {
    key = randomUUID();
    disabledKey = randomUUID();
    fake = await FakeWeComServer.start({ robots: [key], disabledRobots: [disabledKey] });
  });
  afterEach(() => fake.close());

  it('declares itself for wechat_group; robot keys are secrets', () => {
    expect(weComGroupRobotConnector.name).toBe('wecom-group-robot');
    expect(weComGroupRobotConnector.channels).toEqual(['wechat_group']);
    expect(weComGroupRobotConnector.secretFields).toEqual(['robots']);
    expect(config().limits).toEqual({ perRobotPerMinute: 20, rateLimitedRetryMs: 60_000 });
  });

  it('sorts mentions into user ids and mobiles by shape', () => {
    expect(
      splitMentions([
        'zhangsan',
        '13800001111',
        '+86 139-0000-2222',
        '@all',
        '+14155550100',
        '1001',
        'zhangsan',
      ]),
    ).toEqual({
      userIds: ['zhangsan', '@all', '1001'],
      mobiles: ['13800001111', '13900002222', '+14155550100'],
    });
  });

  it('sends text with mentioned_list and mentioned_mobile_list, exactly as documented', async () => {
    const sender = createGroupRobotSender(config());
    const result = await sender.send(
      outbound({
        channel: 'wechat_group',
        to: toGroup('group-a'),
        text: 'Class starts in 10 minutes',
        mentions: ['wangqing', '13800001111', '@all'],
      }),
    );
    expect(result).toEqual({ status: 'sent' });
    expect(fake.calls[0]!.query).toEqual({ key });
    expect(fake.robotMessages).toEqual([
      {
        key,
        body: {
          msgtype: 'text',
          text: {
            content: 'Class starts in 10 minutes',
            mentioned_list: ['wangqing', '@all'],
            mentioned_mobile_list: ['13800001111'],
          },
        },
      },
    ]);
  });

  it('leaves the mention lists out when there is nobody to mention', async () => {
    await createGroupRobotSender(config()).send(outbound({ to: toGroup('group-a'), text: 'Hi' }));
    expect(fake.robotMessages[0]!.body).toEqual({ msgtype: 'text', text: { content: 'Hi' } });
  });

  it('puts <@userid> mentions inside markdown content', async () => {
    const logs: string[] = [];
    await createGroupRobotSender(config(), { log: (m) => logs.push(m) }).send(
      outbound({
        to: toGroup('group-a'),
        text: '**Homework** due, <@lisi>',
        format: 'markdown',
        mentions: ['zhangsan', 'lisi', '13800001111'],
      }),
    );
    expect(fake.robotMessages[0]!.body).toEqual({
      msgtype: 'markdown',
      markdown: { content: '**Homework** due, <@lisi>\n<@zhangsan>' },
    });
    expect(logs).toEqual(['WeCom robot markdown can mention user ids only; mobiles and @all are left out']);
  });

  it('sends articles as news', async () => {
    await createGroupRobotSender(config()).send(
      outbound({
        to: toGroup('group-a'),
        articles: [{ title: 'T', url: 'https://example.com', description: 'D' }],
      }),
    );
    expect(fake.robotMessages[0]!.body).toEqual({
      msgtype: 'news',
      news: { articles: [{ title: 'T', description: 'D', url: 'https://example.com' }] },
    });
  });

  it('a group without a configured robot is permanent and named', async () => {
    const error = (await thrown(() =>
      createGroupRobotSender(config()).send(outbound({ to: toGroup('group-z') })),
    )) as SendError;
    expect(error.kind).toBe('permanent');
    expect(error.message).toContain('"group-z"');
    const noGroup = (await thrown(() => createGroupRobotSender(config()).send(outbound()))) as SendError;
    expect(noGroup.kind).toBe('permanent');
    // Names of Object.prototype are not groups.
    const proto = (await thrown(() =>
      createGroupRobotSender(config()).send(outbound({ to: toGroup('constructor') })),
    )) as SendError;
    expect(proto.kind).toBe('permanent');
    expect(fake.calls).toHaveLength(0);
  });

  it('keeps the documented 20 messages a minute per robot', async () => {
    const sender = createGroupRobotSender(config());
    for (let i = 0; i < 20; i++) await sender.send(outbound({ to: toGroup('group-a'), text: `m${i}` }));
    const error = (await thrown(() =>
      sender.send(outbound({ to: toGroup('group-a'), text: 'm20' })),
    )) as SendError;
    expect(error.kind).toBe('rate-limited');
    expect(error.details.retryAfterMs).toBeGreaterThan(50_000);
    expect(error.details.retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(fake.count('webhook/send')).toBe(20);
    // The limit is the robot's, shared by every instance of the process.
    const again = (await thrown(() =>
      createGroupRobotSender(config()).send(outbound({ to: toGroup('group-a') })),
    )) as SendError;
    expect(again.kind).toBe('rate-limited');
  });

  it('the limiter frees a slot as the minute passes', async () => {
    let now = 1_000_000;
    const sender = createGroupRobotSender(config({ limits: { perRobotPerMinute: 2 } }), { now: () => now });
    await sender.send(outbound({ to: toGroup('group-a') }));
    now += 30_000;
    await sender.send(outbound({ to: toGroup('group-a') }));
    const error = (await thrown(() => sender.send(outbound({ to: toGroup('group-a') })))) as SendError;
    expect(error.details.retryAfterMs).toBe(30_000);
    now += 30_000;
    await sender.send(outbound({ to: toGroup('group-a') }));
    expect(fake.count('webhook/send')).toBe(3);
  });

  it('45009 from WeCom is rate-limited for 60 s', async () => {
    const sender = createGroupRobotSender(config({ limits: { perRobotPerMinute: 100 } }));
    for (let i = 0; i < 20; i++) await sender.send(outbound({ to: toGroup('group-a') }));
    const error = (await thrown(() => sender.send(outbound({ to: toGroup('group-a') })))) as SendError;
    expect(error.kind).toBe('rate-limited');
    expect(error.details).toEqual({ providerCode: 45009, retryAfterMs: 60_000 });
  });

  it('93000 (robot gone) and 93004 (robot disabled) are permanent, and never show the key', async () => {
    const sender = createGroupRobotSender(config());
    const gone = (await thrown(() => sender.send(outbound({ to: toGroup('group-gone') })))) as SendError;
    expect(gone.kind).toBe('permanent');
    expect(gone.details.providerCode).toBe(93000);
    expect(gone.message).toContain('group-gone');
    expect(gone.message).not.toContain(key);
    const off = (await thrown(() => sender.send(outbound({ to: toGroup('group-off') })))) as SendError;
    expect(off.kind).toBe('permanent');
    expect(off.details.providerCode).toBe(93004);
    expect(off.message).not.toContain(disabledKey);
  });

  it('a slow answer times out as retryable', async () => {
    fake.fail('webhook/send', { delayMs: 1_000 });
    const error = (await thrown(() =>
      createGroupRobotSender(config({ timeoutMs: 150 })).send(outbound({ to: toGroup('group-a') })),
    )) as SendError;
    expect(error.kind).toBe('retryable');
  });
});
