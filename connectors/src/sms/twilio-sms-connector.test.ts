import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeServer, startFakeServer } from '../shared/fake-http-server';
import { memoryStorage } from '../shared/memory-storage';
import { isOptedOut } from '../shared/provider-errors';
import { outbound, sendFailure } from './fakes/messages';
import { type FakeTwilio, startFakeTwilio } from './fakes/twilio-fake';
import { computeTwilioSignature, parseTwilioForm, verifyTwilioSignature } from './twilio-signature';
import { twilioSmsConfigSchema, twilioSmsConnector } from './twilio-sms-connector';

const accountSid = `AC${'a1'.repeat(16)}`;
const authToken = 'fake-auth-token';
const context = { storage: memoryStorage() };

describe('Twilio webhook signatures', () => {
  // Twilio's documented example (security/signature_validation, helper library 3.x+).
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const params = {
    CallSid: 'CA1234567890ABCDE',
    Caller: '+14158675310',
    Digits: '1234',
    From: '+14158675310',
    To: '+18005551212',
  };

  it('matches the documented test vector', () => {
    expect(computeTwilioSignature('12345', url, params)).toBe('GvWf1cFY/Q7PnoempGyD5oXAezc=');
    expect(verifyTwilioSignature('12345', url, params, 'GvWf1cFY/Q7PnoempGyD5oXAezc=')).toBe(true);
  });

  it('rejects tampered params, another URL, another token, a missing header', () => {
    const good = 'GvWf1cFY/Q7PnoempGyD5oXAezc=';
    expect(verifyTwilioSignature('12345', url, { ...params, Digits: '1235' }, good)).toBe(false);
    expect(verifyTwilioSignature('12345', `${url}&x=1`, params, good)).toBe(false);
    expect(verifyTwilioSignature('54321', url, params, good)).toBe(false);
    expect(verifyTwilioSignature('12345', url, params, undefined)).toBe(false);
    expect(verifyTwilioSignature('12345', url, params, 'short')).toBe(false);
  });

  it('accepts the URL with or without the default port', () => {
    const withPort = 'https://mycompany.com:443/myapp.php?foo=1&bar=2';
    expect(verifyTwilioSignature('12345', withPort, params, 'GvWf1cFY/Q7PnoempGyD5oXAezc=')).toBe(true);
    const signedWithPort = computeTwilioSignature('12345', withPort, params);
    expect(verifyTwilioSignature('12345', url, params, signedWithPort)).toBe(true);
  });

  it('sorts repeated parameters by value', () => {
    const form = parseTwilioForm('MediaUrl=b&To=%2B1&MediaUrl=a');
    expect(form).toEqual({ MediaUrl: ['b', 'a'], To: '+1' });
    expect(computeTwilioSignature('t', 'https://x/y', form)).toBe(
      computeTwilioSignature('t', 'https://x/y', { MediaUrl: ['a', 'b'], To: '+1' }),
    );
  });
});

describe('twilio-sms against the fake Messages API', () => {
  let fake: FakeTwilio;
  let receiver: FakeServer;
  const callbacks: { valid: boolean; params: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    fake = await startFakeTwilio({
      accountSid,
      authToken,
      apiKeys: { [`SK${'b2'.repeat(16)}`]: 'key-secret' },
    });
    // Our StatusCallback route: verifies X-Twilio-Signature against the URL Twilio was given.
    receiver = await startFakeServer((req) => {
      const params = parseTwilioForm(req.body);
      const valid = verifyTwilioSignature(
        authToken,
        req.url.toString(),
        params,
        req.headers['x-twilio-signature'] as string,
      );
      callbacks.push({ valid, params });
      return valid ? { status: 204, body: '' } : { status: 403, body: 'bad signature' };
    });
  });
  afterAll(async () => {
    await fake.close();
    await receiver.close();
  });

  const connector = (overrides: Record<string, unknown> = {}) =>
    twilioSmsConnector.create(
      twilioSmsConfigSchema.parse({
        accountSid,
        authToken,
        from: '+15005550006',
        baseUrl: fake.url,
        timeoutMs: 1000,
        ...overrides,
      }),
      context,
    );
  let n = 0;
  const phone = () => `+1415555${String(1000 + n++).slice(-4)}`;

  it('sends the body with the opt-out line and returns the message sid', async () => {
    const to = phone();
    const result = await connector().send(
      outbound({ to: { id: 'c', phone: to }, text: 'Meetup tonight at 7!' }),
    );
    expect(result.status).toBe('sent');
    expect(result.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    expect(fake.messages.find((m) => m.sid === result.providerMessageId)).toMatchObject({
      to,
      from: '+15005550006',
      body: 'Meetup tonight at 7!\nReply STOP to opt out',
    });
  });

  it('does not repeat a line already there, and can be switched off or reworded', async () => {
    const a = await connector().send(
      outbound({ to: { id: 'c', phone: phone() }, text: 'Sale. Reply STOP to opt out' }),
    );
    expect(fake.messages.find((m) => m.sid === a.providerMessageId)?.body).toBe(
      'Sale. Reply STOP to opt out',
    );
    const b = await connector({ optOutLine: { enabled: false } }).send(
      outbound({ to: { id: 'c', phone: phone() }, text: 'OTP 1234' }),
    );
    expect(fake.messages.find((m) => m.sid === b.providerMessageId)?.body).toBe('OTP 1234');
    const c = await connector({ optOutLine: { locale: 'zh' } }).send(
      outbound({ to: { id: 'c', phone: phone() }, text: '活动提醒' }),
    );
    expect(fake.messages.find((m) => m.sid === c.providerMessageId)?.body).toBe('活动提醒\n拒收请回复R');
  });

  it('sends through a Messaging Service with an API key', async () => {
    const result = await connector({
      authToken: undefined,
      apiKeySid: `SK${'b2'.repeat(16)}`,
      apiKeySecret: 'key-secret',
      from: undefined,
      messagingServiceSid: `MG${'c3'.repeat(16)}`,
    }).send(outbound({ to: { id: 'c', phone: phone() } }));
    expect(fake.messages.find((m) => m.sid === result.providerMessageId)?.messagingServiceSid).toBe(
      `MG${'c3'.repeat(16)}`,
    );
  });

  it('is rejected with a wrong auth token (20003, permanent)', async () => {
    const error = await sendFailure(
      connector({ authToken: 'wrong' }).send(outbound({ to: { id: 'c', phone: phone() } })),
    );
    expect(error).toMatchObject({ kind: 'permanent', details: { providerCode: 20003 } });
  });

  it('maps 429 to rate-limited with Retry-After', async () => {
    const to = phone();
    fake.script(to, 20429);
    const error = await sendFailure(connector().send(outbound({ to: { id: 'c', phone: to } })));
    expect(error).toMatchObject({
      kind: 'rate-limited',
      details: { providerCode: 20429, retryAfterMs: 7000 },
    });
  });

  it('flags 21610 (recipient replied STOP) as opted out', async () => {
    const to = phone();
    fake.script(to, 21610);
    const error = await sendFailure(connector().send(outbound({ to: { id: 'c', phone: to } })));
    expect(error.kind).toBe('permanent');
    expect(isOptedOut(error)).toBe(true);
  });

  it('maps 21211 (invalid To) to permanent, and refuses numbers that are not E.164 itself', async () => {
    const to = phone();
    fake.script(to, 21211);
    const error = await sendFailure(connector().send(outbound({ to: { id: 'c', phone: to } })));
    expect(error).toMatchObject({ kind: 'permanent', details: { providerCode: 21211 } });
    expect(isOptedOut(error)).toBe(false);

    const count = fake.messages.length;
    const local = await sendFailure(connector().send(outbound({ to: { id: 'c', phone: '13800138000' } })));
    expect(local).toMatchObject({ kind: 'permanent', details: { providerCode: 'not-e164' } });
    expect(fake.messages.length).toBe(count);
  });

  it('retries 5xx and timeouts', async () => {
    const a = phone();
    fake.script(a, { status: 503, body: { code: 20500, message: 'Internal Server Error', status: 503 } });
    expect((await sendFailure(connector().send(outbound({ to: { id: 'c', phone: a } })))).kind).toBe(
      'retryable',
    );
    const b = phone();
    fake.script(b, { delayMs: 3000, status: 201, body: { sid: 'SMlate' } });
    expect((await sendFailure(connector().send(outbound({ to: { id: 'c', phone: b } })))).kind).toBe(
      'retryable',
    );
  });

  it('asks for a status callback; the signed callback verifies, a forged one does not', async () => {
    const statusCallbackUrl = `${receiver.url}/twilio/status?tenant=acme`;
    const result = await connector({ statusCallbackUrl }).send(outbound({ to: { id: 'c', phone: phone() } }));
    const sid = result.providerMessageId ?? '';
    expect(fake.messages.find((m) => m.sid === sid)?.statusCallback).toBe(statusCallbackUrl);

    expect(await fake.sendStatusCallback(sid, 'delivered')).toBe(204);
    expect(callbacks.at(-1)).toMatchObject({
      valid: true,
      params: { MessageSid: sid, MessageStatus: 'delivered' },
    });

    const forged = await fetch(statusCallbackUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': computeTwilioSignature('not-the-token', statusCallbackUrl, { MessageSid: sid }),
      },
      body: new URLSearchParams({ MessageSid: sid, MessageStatus: 'delivered' }).toString(),
    });
    expect(forged.status).toBe(403);
  });

  it('validates its config', () => {
    expect(twilioSmsConfigSchema.safeParse({ accountSid, authToken }).success).toBe(false); // no sender
    expect(twilioSmsConfigSchema.safeParse({ accountSid, from: '+1500' }).success).toBe(false); // no credentials
    expect(twilioSmsConfigSchema.safeParse({ accountSid: 'nope', authToken, from: '+1500' }).success).toBe(
      false,
    );
  });
});
