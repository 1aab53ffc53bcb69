import type { JoinWay } from '@sopflow/core/api';
import type { DeliverInput } from '@sopflow/workflows';
import { describe, expect, it } from 'vitest';
import { withJoinWayInvite } from './join-way-invite';

const way = (over: Partial<JoinWay> = {}): JoinWay => ({
  id: 'cfg-1',
  scene: 'qr-code',
  chatIds: ['wrChat'],
  autoCreateRoom: true,
  state: 'poster',
  qrCode: 'https://wework.qpic.cn/wwpic/qr-1.png',
  channel: 'wechat',
  createdAt: '2026-12-07T00:00:00.000Z',
  updatedAt: '2026-12-07T00:00:00.000Z',
  ...over,
});
const input = (message: DeliverInput['message']) => ({ message }) as DeliverInput;
const store = (found: JoinWay | undefined) => ({ joinWay: async () => found });

describe('withJoinWayInvite', () => {
  it('adds the join way QR code to the message as a link card after its own cards', async () => {
    const out = await withJoinWayInvite(
      store(way({ remark: '读书会' })),
      input({ text: 'Join us', joinWay: 'cfg-1', articles: [{ title: 'Rules', url: 'https://x.test/r' }] }),
    );
    expect(out.message.articles).toEqual([
      { title: 'Rules', url: 'https://x.test/r' },
      { title: '读书会', url: way().qrCode, picUrl: way().qrCode },
    ]);
  });

  it('leaves a message without a join way as it is', async () => {
    const plain = input({ text: 'Hi' });
    expect(await withJoinWayInvite(store(undefined), plain)).toBe(plain);
  });

  it('fails for good when the join way is gone or has no QR code', async () => {
    await expect(
      withJoinWayInvite(store(undefined), input({ text: 'x', joinWay: 'gone' })),
    ).rejects.toMatchObject({
      nonRetryable: true,
      message: expect.stringContaining('no longer exists'),
    });
    await expect(
      withJoinWayInvite(
        store(way({ scene: 'mini-program', qrCode: undefined })),
        input({ text: 'x', joinWay: 'cfg-1' }),
      ),
    ).rejects.toMatchObject({ nonRetryable: true, message: expect.stringContaining('mini-program') });
  });
});
