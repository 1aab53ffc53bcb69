import { describe, expect, it } from 'vitest';
import { InboundRefusal, type InboundRequest } from '../inbound';
import { weComCallbackHandler } from './inbound';

const request = (query: Record<string, string>): InboundRequest => ({
  method: 'GET',
  publicUrl: 'https://ops.example.com/api/inbound/wecom',
  params: {},
  query,
  header: () => undefined,
  text: async () => '',
  json: async () => undefined,
});

describe('the WeCom callback handler', () => {
  it('is not there until the server has the callback settings', async () => {
    const error = await weComCallbackHandler
      .handle(request({}), { routeSecret: async () => undefined })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InboundRefusal);
    expect(error).toMatchObject({ status: 404, code: 'not_configured' });
  });

  it('refuses a URL check WeCom did not sign', async () => {
    const settings = {
      token: 'token',
      encodingAESKey: 'a'.repeat(43),
      receiveId: 'ww-corp',
    };
    const query = { msg_signature: 'f'.repeat(40), timestamp: '1700000000', nonce: 'n', echostr: 'abc' };
    const error = await weComCallbackHandler
      .handle(request(query), { routeSecret: async () => undefined, settings })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, code: 'bad-signature' });
  });
});
