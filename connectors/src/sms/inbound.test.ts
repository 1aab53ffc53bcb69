import { describe, expect, it } from 'vitest';
import type { InboundContext, InboundRequest } from '../inbound';
import { InboundRefusal } from '../inbound';
import {
  aliyunRepliesHandler,
  aliyunReportsHandler,
  tencentRepliesHandler,
  tencentStatusHandler,
  twilioInboundHandler,
  twilioStatusHandler,
} from './inbound';
import { computeTwilioSignature } from './twilio-signature';

function request(
  body: string,
  headers: Record<string, string> = {},
  publicUrl = 'https://ops.example.com/api/inbound/x',
): InboundRequest {
  return {
    method: 'POST',
    publicUrl,
    params: {},
    query: {},
    header: (name) => headers[name.toLowerCase()],
    text: async () => body,
    json: async () => (body.trim() === '' ? undefined : JSON.parse(body)),
  };
}

const noSecrets: InboundContext = { routeSecret: async () => undefined };

async function refusal(promise: Promise<unknown>): Promise<InboundRefusal> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InboundRefusal);
  return error as InboundRefusal;
}

describe('Aliyun SMS replies', () => {
  it('reads a batch into one reply per message, mainland numbers in both forms', async () => {
    const batch = [
      { phone_number: '13800000000', content: 'TD', sequence_id: 12, send_time: '2026-01-01 10:00:00' },
    ];
    const answer = await aliyunRepliesHandler.handle(request(JSON.stringify(batch)), noSecrets);
    expect(JSON.parse(answer.body)).toEqual({ code: 0, msg: '接收成功' });
    expect(answer.facts).toEqual([
      {
        kind: 'reply',
        id: 'aliyun-sms:12',
        channel: 'sms',
        from: ['13800000000', '+8613800000000'],
        text: 'TD',
        honoursOptIn: false,
      },
    ]);
  });

  it('refuses what is not a batch, naming the field', async () => {
    const error = await refusal(aliyunRepliesHandler.handle(request('[{"content":"hi"}]'), noSecrets));
    expect(error).toMatchObject({ status: 400, code: 'invalid_payload' });
    expect(JSON.stringify(error.details)).toContain('phone_number');
  });
});

describe('Tencent SMS replies', () => {
  it('gives a reply with no id of its own a stable one from sender, time and text', async () => {
    const reply = { mobile: '13800000000', nationcode: '86', text: '好的', time: 1_700_000_000 };
    const one = await tencentRepliesHandler.handle(request(JSON.stringify(reply)), noSecrets);
    const again = await tencentRepliesHandler.handle(request(JSON.stringify([reply])), noSecrets);
    expect(one.facts).toHaveLength(1);
    expect(one.facts[0]).toMatchObject({ from: ['+8613800000000', '13800000000'], text: '好的' });
    expect(again.facts[0]).toEqual(one.facts[0]);
    const other = await tencentRepliesHandler.handle(
      request(JSON.stringify({ ...reply, text: '不' })),
      noSecrets,
    );
    expect(other.facts[0]).not.toMatchObject({ id: (one.facts[0] as { id: string }).id });
  });
});

describe('Twilio inbound SMS', () => {
  const url = 'https://ops.example.com/api/inbound/twilio';
  const params = { MessageSid: 'SM1', From: '+15551234567', Body: 'START' };
  const form = new URLSearchParams(params).toString();
  const withToken: InboundContext = {
    routeSecret: async (path) => (path === 'authToken' ? 'tok' : undefined),
  };

  it('is not there until a Twilio route has an auth token', async () => {
    const error = await refusal(twilioInboundHandler.handle(request(form, {}, url), noSecrets));
    expect(error).toMatchObject({ status: 404, code: 'not_configured' });
  });

  it('refuses a call Twilio did not sign', async () => {
    const signature = computeTwilioSignature('another token', url, params);
    const error = await refusal(
      twilioInboundHandler.handle(request(form, { 'x-twilio-signature': signature }, url), withToken),
    );
    expect(error).toMatchObject({ status: 401, code: 'bad_signature' });
  });

  it('takes a signed reply, honouring opt-in words as Twilio does', async () => {
    const signature = computeTwilioSignature('tok', url, params);
    const answer = await twilioInboundHandler.handle(
      request(form, { 'x-twilio-signature': signature }, url),
      withToken,
    );
    expect(answer).toMatchObject({ status: 200, body: '<Response/>', contentType: 'text/xml' });
    expect(answer.facts).toEqual([
      {
        kind: 'reply',
        id: 'twilio:SM1',
        channel: 'sms',
        from: ['+15551234567'],
        text: 'START',
        honoursOptIn: true,
      },
    ]);
  });
});

describe('SMS delivery reports', () => {
  it('reads an Aliyun SmsReport batch by BizId, with the report time in Beijing time', async () => {
    const batch = [
      {
        success: true,
        err_code: 'DELIVERED',
        err_msg: '用户接收成功',
        biz_id: '1^a',
        report_time: '2026-12-07 10:00:00',
      },
      { success: false, err_code: 'MK:0001', err_msg: '停机', biz_id: '2^b', report_time: 'soon' },
    ];
    const answer = await aliyunReportsHandler.handle(request(JSON.stringify(batch)), noSecrets);
    expect(JSON.parse(answer.body)).toEqual({ code: 0, msg: '接收成功' });
    expect(answer.facts).toEqual([
      {
        kind: 'message-status',
        providerMessageId: '1^a',
        status: 'delivered',
        at: Date.parse('2026-12-07T02:00:00Z'),
        code: 'DELIVERED',
        detail: '用户接收成功',
      },
      { kind: 'message-status', providerMessageId: '2^b', status: 'failed', code: 'MK:0001', detail: '停机' },
    ]);
    expect(
      (await refusal(aliyunReportsHandler.handle(request('[{"success":true}]'), noSecrets))).status,
    ).toBe(400);
  });

  it('reads a Tencent status callback by sid', async () => {
    const batch = [{ report_status: 'FAIL', errmsg: 'MN:0001', description: '空号', sid: '2028:x' }];
    const answer = await tencentStatusHandler.handle(request(JSON.stringify(batch)), noSecrets);
    expect(JSON.parse(answer.body)).toEqual({ result: 0, errmsg: 'OK' });
    expect(answer.facts).toEqual([
      {
        kind: 'message-status',
        providerMessageId: '2028:x',
        status: 'failed',
        code: 'MN:0001',
        detail: '空号',
      },
    ]);
  });

  it('reads a signed Twilio status callback; states before acceptance say nothing new', async () => {
    const url = 'https://ops.example.com/api/inbound/twilio/status';
    const context: InboundContext = { routeSecret: async () => 'token' };
    const post = (params: Record<string, string>, token = 'token') =>
      twilioStatusHandler.handle(
        request(
          new URLSearchParams(params).toString(),
          { 'x-twilio-signature': computeTwilioSignature(token, url, params) },
          url,
        ),
        context,
      );
    expect(
      (await post({ MessageSid: 'SM1', MessageStatus: 'undelivered', ErrorCode: '30003' })).facts,
    ).toEqual([{ kind: 'message-status', providerMessageId: 'SM1', status: 'failed', code: '30003' }]);
    expect((await post({ MessageSid: 'SM1', MessageStatus: 'sending' })).facts).toEqual([]);
    expect((await refusal(post({ MessageSid: 'SM1', MessageStatus: 'delivered' }, 'other'))).status).toBe(
      401,
    );
  });
});
