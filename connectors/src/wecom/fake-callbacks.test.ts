import { afterEach, describe, expect, it } from 'vitest';
import { type FakeServer, startFakeServer } from '../shared/fake-http-server';
import { handleWeComCallback } from './callback';
import { type CallbackTarget, customerEventXml, deliverCallback } from './fake-callbacks';

const CONFIG = {
  token: 'fake-callback-token',
  encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  receiveId: 'ww-corp',
};
const XML = customerEventXml('ww-corp', {
  changeType: 'add_external_contact',
  staffId: 'zhangsan',
  externalUserId: 'wmC1',
  state: 'poster',
});

describe('callbacks delivered as WeCom delivers them', () => {
  let server: FakeServer | undefined;
  afterEach(async () => server?.close());

  /** A callback URL that answers each try as `answers` says, and reads what it got. */
  const receiver = async (answers: { status: number; delayMs?: number }[]) => {
    const got: string[] = [];
    server = await startFakeServer((req) => {
      const outcome = handleWeComCallback(CONFIG, {
        method: req.method,
        query: Object.fromEntries(req.url.searchParams),
        body: req.body,
      });
      if (outcome.kind === 'event') got.push(String(outcome.fields.ExternalUserID));
      const answer = answers[got.length - 1] ?? { status: 200 };
      return { status: answer.status, body: '', ...(answer.delayMs ? { delayMs: answer.delayMs } : {}) };
    });
    return { got, target: { ...CONFIG, url: `${server.url}/api/inbound/wecom` } satisfies CallbackTarget };
  };

  it('encrypts and signs each try so the receiver can open it, and stops at the first 200', async () => {
    const { got, target } = await receiver([{ status: 500 }, { status: 200 }]);
    const delivery = await deliverCallback(target, XML);
    expect(delivery.delivered).toBe(true);
    expect(delivery.attempts.map((a) => a.status)).toEqual([500, 200]);
    expect(got).toEqual(['wmC1', 'wmC1']);
  });

  it('tries again when no answer comes within the deadline, three times in all', async () => {
    const { got, target } = await receiver([
      { status: 200, delayMs: 400 },
      { status: 200, delayMs: 400 },
      { status: 200, delayMs: 400 },
    ]);
    const delivery = await deliverCallback(target, XML, { timeoutMs: 100 });
    expect(delivery.delivered).toBe(false);
    expect(delivery.attempts).toHaveLength(3);
    expect(delivery.attempts.every((a) => a.status === undefined && a.ms < 400)).toBe(true);
    expect(got).toHaveLength(3);
  });
});
