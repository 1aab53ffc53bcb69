import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SendError } from '../connector';
import { type FakeGroupMember, FakeWeComServer } from './fake-wecom-server';
import { reconcileGroup } from './reconcile';
import { thrown } from './test-support';
import { resetWeComTokenCache, WeComClient } from './wecom-client';

const chatId = 'wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA';
const member = (userid: string, extra: Partial<FakeGroupMember> = {}): FakeGroupMember => ({
  userid,
  type: 2,
  join_time: 1718000000,
  join_scene: 1,
  ...extra,
});

describe('reconcileGroup', () => {
  let fake: FakeWeComServer;
  let client: WeComClient;

  beforeEach(async () => {
    resetWeComTokenCache();
    fake = await FakeWeComServer.start();
    client = new WeComClient({ corpId: 'ww-fake-corp', secret: 'fake-secret', baseUrl: fake.url });
    fake.setGroupChat({
      chat_id: chatId,
      owner: 'zhangsan',
      create_time: 1717000000,
      member_version: 'v2',
      member_list: [
        member('zhangsan', { type: 1, join_scene: 1 }),
        member('wm-a'),
        member('wm-new', {
          join_time: 1718000500,
          join_scene: 3,
          invitor: { userid: 'zhangsan' },
          unionid: 'u-1',
        }),
        member('wm-link', { join_time: 1718000600, join_scene: 2 }),
      ],
    });
  });
  afterEach(() => fake.close());

  it('returns the joins and leaves sopflow has not seen', async () => {
    const result = await reconcileGroup(
      client,
      chatId,
      { members: ['zhangsan', 'wm-a', 'wm-gone'], memberVersion: 'v1' },
      {
        contactIdOf: (id) => (id === 'wm-new' ? 'contact-new' : undefined),
      },
    );
    expect(result.memberVersion).toBe('v2');
    expect(result.unchanged).toBe(false);
    expect(result.joins.map((m) => [m.userid, m.joinMethod])).toEqual([
      ['wm-new', 'qr-code'],
      ['wm-link', 'invite-link'],
    ]);
    expect(result.joins[0]).toMatchObject({
      type: 'external',
      invitor: 'zhangsan',
      unionid: 'u-1',
      joinTime: 1718000500,
    });
    expect(result.leaves).toEqual(['wm-gone']);
    expect(result.members).toHaveLength(4);
    expect(result.events.map((e) => [e.name, e.memberId, e.contactId])).toEqual([
      ['member.joined', 'wm-new', 'contact-new'],
      ['member.joined', 'wm-link', undefined],
      ['member.left', 'wm-gone', undefined],
    ]);
    expect(result.events[0]!.payload).toEqual({
      chatId,
      memberId: 'wm-new',
      source: 'reconcile',
      joinScene: 3,
      joinMethod: 'qr-code',
      memberType: 'external',
      memberVersion: 'v2',
      at: 1718000500_000,
    });
    expect(fake.calls.find((c) => c.api === 'externalcontact/groupchat/get')!.body).toEqual({
      chat_id: chatId,
      need_name: 1,
    });
    expect(result.events.every((e) => e.id.length <= 200)).toBe(true);
  });

  it('gives the same event ids for the same gap, so a repeated reconcile counts once', async () => {
    const known = ['zhangsan', 'wm-a', 'wm-gone'];
    const first = await reconcileGroup(client, chatId, known);
    const second = await reconcileGroup(client, chatId, new Set(known));
    expect(second.events.map((e) => e.id)).toEqual(first.events.map((e) => e.id));
    expect(new Set(first.events.map((e) => e.id)).size).toBe(3);
  });

  it('finds nothing once the known state is up to date', async () => {
    const first = await reconcileGroup(client, chatId, ['zhangsan', 'wm-a']);
    const next = await reconcileGroup(client, chatId, {
      members: first.members.map((m) => m.userid),
      memberVersion: first.memberVersion,
    });
    expect(next).toMatchObject({ unchanged: true, joins: [], leaves: [], events: [] });
  });

  it('a member who leaves and joins again later is a new join', async () => {
    const before = await reconcileGroup(client, chatId, ['zhangsan', 'wm-a', 'wm-link']);
    fake.setGroupChat({
      chat_id: chatId,
      owner: 'zhangsan',
      create_time: 1717000000,
      member_version: 'v4',
      member_list: [
        member('zhangsan', { type: 1 }),
        member('wm-a'),
        member('wm-new', { join_time: 1718090000, join_scene: 3 }),
      ],
    });
    const after = await reconcileGroup(client, chatId, ['zhangsan', 'wm-a', 'wm-link']);
    const joinId = (r: typeof before) => r.events.find((e) => e.memberId === 'wm-new')!.id;
    expect(joinId(after)).not.toBe(joinId(before));
    expect(after.leaves).toEqual(['wm-link']);
  });

  it('an unknown chat is a permanent error', async () => {
    const error = (await thrown(() => reconcileGroup(client, 'wr-missing', []))) as SendError;
    expect(error.kind).toBe('permanent');
    expect(error.details.providerCode).toBe(40050);
  });
});
