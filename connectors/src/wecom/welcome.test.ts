import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SendError } from '../connector';
import { memoryStorage } from '../shared/memory-storage';
import { MassSendConfig } from './config';
import { FakeWeComServer } from './fake-wecom-server';
import { createMassSender, type MassSendInstance } from './mass-send-connector';
import { recordsMassSendStore } from './mass-send-store';
import { outbound, thrown } from './test-support';
import { resetWeComTokenCache } from './wecom-client';

const STAFF = 'lily';
const customer = { id: 'contact-1', wecomExternalUserId: 'wm-new' };

describe('the new-friend welcome (send_welcome_msg)', () => {
  let fake: FakeWeComServer;
  let storage: ReturnType<typeof memoryStorage>;
  const sender = (timeoutMs = 2_000): MassSendInstance =>
    createMassSender(
      MassSendConfig.parse({
        corpId: 'ww-fake-corp',
        secret: 'fake-secret',
        sender: STAFF,
        baseUrl: fake.url,
        timeoutMs,
        lookup: { settleMs: 0 },
      }),
      { store: recordsMassSendStore(storage.records), welcomes: storage.records },
    );
  const welcome = (code: string | undefined, otherwise: 'message' | 'failed', addedAt = Date.now()) =>
    outbound({
      to: customer,
      text: 'Welcome to the reading club',
      articles: [{ title: 'Start here', url: 'https://example.com/start' }],
      welcome: { ...(code ? { code } : {}), addedAt, otherwise },
    });

  beforeEach(async () => {
    resetWeComTokenCache();
    storage = memoryStorage();
    fake = await FakeWeComServer.start({ welcome: { perMinute: 3 } });
  });
  afterEach(() => fake.close());

  it('sends the text and articles (as link attachments) through the code, once per code', async () => {
    const code = fake.welcomes.issue(STAFF, customer.wecomExternalUserId);
    const message = welcome(code, 'failed');
    await expect(sender().send(message)).resolves.toEqual({ status: 'sent' });
    expect(fake.welcomes.sent).toEqual([
      expect.objectContaining({
        code,
        externalUserId: 'wm-new',
        text: 'Welcome to the reading club',
        attachments: [{ msgtype: 'link', link: { title: 'Start here', url: 'https://example.com/start' } }],
      }),
    ]);
    // A retry of the same send (or another step with the same code) does not call WeCom again.
    await expect(sender().send(message)).resolves.toEqual({ status: 'duplicate' });
    await expect(sender().send({ ...message, idempotencyKey: 'other' })).resolves.toEqual({
      status: 'duplicate',
    });
    expect(fake.count('externalcontact/send_welcome_msg')).toBe(1);
    expect(fake.count('externalcontact/add_msg_template')).toBe(0);
  });

  it('falls back to an ordinary mass message, or fails for good, when there is no code', async () => {
    await expect(sender().send(welcome(undefined, 'message'))).resolves.toMatchObject({ status: 'sent' });
    expect(fake.tasks).toHaveLength(1);
    const error = (await thrown(() => sender().send(welcome(undefined, 'failed')))) as SendError;
    expect(error.kind).toBe('permanent');
    expect(error.message).toContain('admin console');
    expect(fake.count('externalcontact/send_welcome_msg')).toBe(0);
  });

  it('does not call with a code past its 20 s, and the fake refuses one used late', async () => {
    const late = Date.now() - 21_000;
    const code = fake.welcomes.issue(STAFF, customer.wecomExternalUserId, late);
    const error = (await thrown(() => sender().send(welcome(code, 'failed', late)))) as SendError;
    expect(error.message).toMatch(/expired/);
    expect(fake.count('externalcontact/send_welcome_msg')).toBe(0);
    // The code's outcome is kept: asked again, it is not called either.
    await thrown(() => sender().send(welcome(code, 'failed', late)));
    // Called anyway (an add time that says otherwise), WeCom's side refuses it, and the step falls back.
    const another = fake.welcomes.issue(STAFF, customer.wecomExternalUserId, late);
    await expect(sender().send(welcome(another, 'message', Date.now()))).resolves.toMatchObject({
      status: 'sent',
    });
    expect(fake.welcomes.answers.map((a) => a.errcode)).toEqual([40058]);
    expect(fake.tasks).toHaveLength(1);
  });

  it('falls back when another app sent its welcome first (41051), and retries 41096', async () => {
    const taken = fake.welcomes.issue(STAFF, customer.wecomExternalUserId);
    fake.welcomes.useElsewhere(taken);
    const error = (await thrown(() => sender().send(welcome(taken, 'failed')))) as SendError;
    expect(error.kind).toBe('permanent');
    expect(error.message).toMatch(/41051.*another app/);

    const busy = fake.welcomes.issue(STAFF, customer.wecomExternalUserId);
    fake.fail('externalcontact/send_welcome_msg', {
      errcode: 41096,
      errmsg: 'welcome msg is being distributed',
    });
    expect(((await thrown(() => sender().send(welcome(busy, 'failed')))) as SendError).kind).toBe(
      'retryable',
    );
    await expect(sender().send(welcome(busy, 'failed'))).resolves.toEqual({ status: 'sent' });
  });

  it('counts a 41051 after its own unanswered attempt as its welcome, sending nothing twice', async () => {
    const code = fake.welcomes.issue(STAFF, customer.wecomExternalUserId);
    fake.fail('externalcontact/send_welcome_msg', { delayAfterHandlingMs: 1_500 });
    const message = welcome(code, 'message');
    expect(((await thrown(() => sender(500).send(message))) as SendError).kind).toBe('retryable');
    expect(fake.welcomes.sent).toHaveLength(1);
    await expect(sender().send(message)).resolves.toEqual({ status: 'duplicate' });
    expect(fake.tasks).toHaveLength(0);
  });

  it('is rate-limited as WeCom documents (45009), and a later try is a first try again', async () => {
    const codes = [1, 2, 3, 4].map(() => fake.welcomes.issue(STAFF, customer.wecomExternalUserId));
    for (const code of codes.slice(0, 3)) await sender().send(welcome(code, 'failed'));
    const limited = (await thrown(() => sender().send(welcome(codes[3], 'failed')))) as SendError;
    expect(limited.kind).toBe('rate-limited');
    expect(limited.details.providerCode).toBe(45009);
    expect(storage.records.entries.get(`welcome:${codes[3]}`)?.value).toEqual({ state: 'free' });
  });
});
