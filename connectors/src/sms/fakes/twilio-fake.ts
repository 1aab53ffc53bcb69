import { createHmac, randomBytes } from 'node:crypto';
import { type FakeRequest, type FakeResponse, startFakeServer } from '../../shared/fake-http-server';

/**
 * A fake Twilio Messages API: `POST /2010-04-01/Accounts/{Sid}/Messages.json`, HTTP Basic auth
 * (AccountSid:AuthToken or ApiKeySid:Secret), form-encoded, 201 with the message resource, errors as
 * `{code, message, more_info, status}`. It can also post a StatusCallback signed with
 * X-Twilio-Signature, computed here independently of the connector's helper.
 */

export interface FakeTwilioOptions {
  accountSid: string;
  authToken: string;
  apiKeys?: Record<string, string>;
}

export interface FakeTwilioMessage {
  sid: string;
  to: string;
  from?: string;
  messagingServiceSid?: string;
  body: string;
  statusCallback?: string;
}

export interface FakeTwilio {
  url: string;
  messages: FakeTwilioMessage[];
  /** Answer sends to this number with a Twilio error code (e.g. 21610) or a raw reply. */
  script(to: string, reply: number | FakeResponse): void;
  /**
   * Posts a signed StatusCallback for a message, as Twilio does; resolves with the receiver's status.
   * `deliverTo`: where the post actually goes when the StatusCallback URL is a public one in front of
   * it (a proxy); the signature stays over the StatusCallback URL, as Twilio signs it.
   */
  sendStatusCallback(
    sid: string,
    status: string,
    extra?: Record<string, string>,
    options?: { deliverTo?: string; authToken?: string },
  ): Promise<number>;
  close(): Promise<void>;
}

const ERRORS: Record<number, { status: number; message: string }> = {
  20003: { status: 401, message: 'Authenticate' },
  20429: { status: 429, message: 'Too Many Requests' },
  21211: { status: 400, message: "The 'To' number is not a valid phone number." },
  21604: { status: 400, message: "A 'To' phone number is required." },
  21602: { status: 400, message: 'Message body is required.' },
  21606: {
    status: 400,
    message: "The 'From' phone number provided is not a valid message-capable Twilio phone number.",
  },
  21610: { status: 400, message: 'Attempt to send to unsubscribed recipient' },
  21614: { status: 400, message: "'To' number is not a valid mobile number" },
};

function twilioError(code: number, headers?: Record<string, string>): FakeResponse {
  const known = ERRORS[code] ?? { status: 400, message: 'Error' };
  return {
    status: known.status,
    ...(headers ? { headers } : {}),
    body: {
      code,
      message: known.message,
      more_info: `https://www.twilio.com/docs/errors/${code}`,
      status: known.status,
    },
  };
}

/** Twilio's algorithm, written out separately from the connector's. */
function sign(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf-8')).digest('base64');
}

export async function startFakeTwilio(options: FakeTwilioOptions): Promise<FakeTwilio> {
  const messages: FakeTwilioMessage[] = [];
  const scripts = new Map<string, number | FakeResponse>();

  function authenticated(req: FakeRequest): boolean {
    const match = /^Basic (.+)$/.exec(String(req.headers.authorization ?? ''));
    if (!match?.[1]) return false;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    if (user === options.accountSid) return password === options.authToken;
    return options.apiKeys?.[user] !== undefined && options.apiKeys[user] === password;
  }

  function handle(req: FakeRequest): FakeResponse {
    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(req.url.pathname);
    if (!match || req.method !== 'POST')
      return { status: 404, body: { code: 20404, message: 'Not Found', status: 404 } };
    if (!authenticated(req)) return twilioError(20003);
    if (match[1] !== options.accountSid) return twilioError(20003);
    if (!String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
      return { status: 400, body: { code: 21620, message: 'Invalid content type', status: 400 } };
    const form = new URLSearchParams(req.body);
    const to = form.get('To');
    const body = form.get('Body');
    const from = form.get('From');
    const messagingServiceSid = form.get('MessagingServiceSid');
    if (!to) return twilioError(21604);
    if (!body) return twilioError(21602);
    if (!from && !messagingServiceSid) return twilioError(21606);
    if (!/^\+[1-9]\d{6,14}$/.test(to)) return twilioError(21211);
    const script = scripts.get(to);
    if (typeof script === 'number')
      return twilioError(script, script === 20429 ? { 'retry-after': '7' } : undefined);
    if (script) return script;
    const sid = `SM${randomBytes(16).toString('hex')}`;
    const statusCallback = form.get('StatusCallback') ?? undefined;
    messages.push({
      sid,
      to,
      body,
      ...(from ? { from } : {}),
      ...(messagingServiceSid ? { messagingServiceSid } : {}),
      ...(statusCallback ? { statusCallback } : {}),
    });
    return {
      status: 201,
      body: {
        sid,
        account_sid: options.accountSid,
        to,
        from: from ?? null,
        messaging_service_sid: messagingServiceSid ?? null,
        body,
        status: messagingServiceSid ? 'accepted' : 'queued',
        num_segments: '1',
        direction: 'outbound-api',
        error_code: null,
        error_message: null,
        uri: `/2010-04-01/Accounts/${options.accountSid}/Messages/${sid}.json`,
      },
    };
  }

  return {
    ...(await startFakeServer(handle)),
    messages,
    script: (to, reply) => scripts.set(to, reply),
    async sendStatusCallback(sid, status, extra = {}, delivery = {}) {
      const message = messages.find((m) => m.sid === sid);
      if (!message?.statusCallback) throw new Error(`No StatusCallback for ${sid}.`);
      const params: Record<string, string> = {
        AccountSid: options.accountSid,
        ApiVersion: '2010-04-01',
        From: message.from ?? '',
        MessageSid: sid,
        MessageStatus: status,
        SmsSid: sid,
        SmsStatus: status,
        To: message.to,
        ...extra,
      };
      const response = await fetch(delivery.deliverTo ?? message.statusCallback, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          // `authToken` stands in for a forger who does not know the account's.
          'x-twilio-signature': sign(delivery.authToken ?? options.authToken, message.statusCallback, params),
        },
        body: new URLSearchParams(params).toString(),
      });
      await response.arrayBuffer();
      return response.status;
    },
  };
}
