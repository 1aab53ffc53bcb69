import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FakeTwilio, startFakeTwilio } from '../../connectors/src/sms/fakes/twilio-fake';

/**
 * An SMS provider that has bad days: a front to the fake Twilio that answers each call as the test
 * says (deliver, an HTTP error, a rate limit with Retry-After), or refuses connections altogether,
 * and records every call it answered. What reached the person is `twilio.messages`.
 */

export const TWILIO = {
  accountSid: 'AC0123456789abcdef0123456789abcdef',
  authToken: 'flaky-twilio-auth-token',
  from: '+15005550006',
} as const;

export interface ProviderCall {
  to: string;
  body: string;
  /** The HTTP status answered. */
  status: number;
  /** When it was answered, on `clock` (the workflows' clock on a time-skipping server). */
  at: number;
}

/** How to answer a call: hand it to the provider, or answer this instead. */
export type Answer = 'deliver' | { status: number; headers?: Record<string, string>; body: unknown };

export const serviceUnavailable: Answer = {
  status: 503,
  body: { code: 20500, message: 'Service Unavailable', status: 503 },
};
export const rateLimited = (retryAfterSeconds: number): Answer => ({
  status: 429,
  headers: { 'retry-after': String(retryAfterSeconds) },
  body: { code: 20429, message: 'Too Many Requests', status: 429 },
});

export interface FlakyProvider {
  /** The `baseUrl` for the twilio-sms connector. */
  url: string;
  twilio: FakeTwilio;
  calls: ProviderCall[];
  /** Decides each call's answer; `at` is the call's time on `clock`. */
  answer: (call: { to: string; at: number }) => Answer;
  clock: () => Promise<number> | number;
  /** Stops listening and drops open connections: calls fail with ECONNREFUSED. */
  refuse(): Promise<void>;
  /** Listens again on the same port. */
  accept(): Promise<void>;
  close(): Promise<void>;
}

export async function startFlakyProvider(): Promise<FlakyProvider> {
  const twilio = await startFakeTwilio({ accountSid: TWILIO.accountSid, authToken: TWILIO.authToken });
  const provider = {
    twilio,
    calls: [] as ProviderCall[],
    answer: (() => 'deliver') as FlakyProvider['answer'],
    clock: (() => Date.now()) as FlakyProvider['clock'],
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const form = new URLSearchParams(body);
    const at = await provider.clock();
    const to = form.get('To') ?? '';
    const answer = provider.answer({ to, at });
    let status: number;
    let headers: Record<string, string>;
    let text: string;
    if (answer === 'deliver') {
      const forwarded = await fetch(`${twilio.url}${req.url}`, {
        method: req.method,
        headers: {
          authorization: String(req.headers.authorization ?? ''),
          'content-type': String(req.headers['content-type'] ?? ''),
        },
        body,
      });
      status = forwarded.status;
      headers = { 'content-type': forwarded.headers.get('content-type') ?? 'application/json' };
      text = await forwarded.text();
    } else {
      status = answer.status;
      headers = { 'content-type': 'application/json', ...answer.headers };
      text = JSON.stringify(answer.body);
    }
    provider.calls.push({ to, body: form.get('Body') ?? '', status, at });
    res.writeHead(status, headers).end(text);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const stopListening = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return Object.assign(provider, {
    url: `http://127.0.0.1:${port}`,
    refuse: stopListening,
    accept: () =>
      new Promise<void>((resolve, reject) => {
        if (server.listening) return resolve();
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      }),
    async close() {
      await stopListening();
      await twilio.close();
    },
  });
}
