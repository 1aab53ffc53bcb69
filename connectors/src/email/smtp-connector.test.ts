import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ConnectorInstance, type OutboundMessage, SendError } from '../connector';
import { memoryStorage } from '../shared/memory-storage';
import { type SmtpConfig, smtpConnector, smtpMessageId, subjectFor } from './smtp-connector';
import {
  closedPort,
  startSilentServer,
  startTestSmtpServer,
  type TestSmtpServer,
  type TestSmtpServerOptions,
} from './smtp-test-server';

const context = { storage: memoryStorage() };
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(options: TestSmtpServerOptions = {}): Promise<TestSmtpServer> {
  const s = await startTestSmtpServer(options);
  cleanups.push(() => s.close());
  return s;
}

function connector(port: number, overrides: Record<string, unknown> = {}): ConnectorInstance {
  const config: SmtpConfig = smtpConnector.configSchema.parse({
    host: '127.0.0.1',
    port,
    auth: { user: 'sopflow', pass: 'secret' },
    from: { address: 'news@example.com', name: 'Example Community' },
    replyTo: 'help@example.com',
    listUnsubscribeMailto: 'unsubscribe@example.com',
    timeouts: { connectionMs: 2000, greetingMs: 2000, socketMs: 2000, sendMs: 10_000 },
    ...overrides,
  });
  const instance = smtpConnector.create(config, context);
  cleanups.push(async () => instance.close?.());
  return instance;
}

function message(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    idempotencyKey: 'wf-c1:flow-1:3:welcome:0',
    channel: 'email',
    to: { id: 'c1', name: 'Lin Mei', email: 'lin@example.org' },
    subject: 'Welcome to the club',
    text: 'Hi Lin,\n\nwelcome aboard.',
    html: '<p>Hi Lin &amp; friends,</p>\n<p>welcome <b>aboard</b>. <a href="https://example.com/?a=1&amp;b=2">Events</a></p>',
    unsubscribeUrl: 'https://sopflow.example.com/u/abc.def',
    origin: { workflowId: 'wf-c1', flowId: 'flow-1', flowVersion: 3, nodeId: 'welcome' },
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<SendError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SendError);
  return error as SendError;
}

/** A header as received, unfolded, e.g. `List-Unsubscribe: <...>, <...>` → `<...>, <...>`. */
function header(raw: string, name: string): string[] {
  const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  return head
    .split('\r\n')
    .filter((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    .map((line) => line.slice(name.length + 1).trim());
}

describe('smtp connector: what the server receives', () => {
  it('sends from, to, subject, text and HTML parts, unsubscribe headers and the deterministic Message-ID', async () => {
    const smtp = await server();
    const result = await connector(smtp.port).send(message());

    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0]!;
    const expectedId = smtpMessageId('wf-c1:flow-1:3:welcome:0', 'example.com');
    expect(result).toEqual({ status: 'sent', providerMessageId: expectedId });

    expect(mail.envelope).toEqual({ from: 'news@example.com', to: ['lin@example.org'] });
    expect(mail.parsed.from?.value).toEqual([{ name: 'Example Community', address: 'news@example.com' }]);
    const to = Array.isArray(mail.parsed.to) ? mail.parsed.to[0] : mail.parsed.to;
    expect(to?.value).toEqual([{ name: 'Lin Mei', address: 'lin@example.org' }]);
    expect(mail.parsed.replyTo?.value).toEqual([{ name: '', address: 'help@example.com' }]);
    expect(mail.parsed.subject).toBe('Welcome to the club');
    expect(mail.parsed.text?.trimEnd()).toBe('Hi Lin,\n\nwelcome aboard.');
    // The runtime renders and escapes the HTML; the connector passes it through byte for byte.
    expect(mail.parsed.html).toBe(message().html);
    expect(mail.raw).toMatch(/Content-Type: multipart\/alternative/i);

    expect(mail.parsed.messageId).toBe(expectedId);
    expect(header(mail.raw, 'Message-ID')).toEqual([expectedId]);
    expect(header(mail.raw, 'List-Unsubscribe')).toEqual([
      '<https://sopflow.example.com/u/abc.def>, <mailto:unsubscribe@example.com?subject=unsubscribe>',
    ]);
    expect(header(mail.raw, 'List-Unsubscribe-Post')).toEqual(['List-Unsubscribe=One-Click']);
    expect(header(mail.raw, 'X-Sopflow-Origin')).toEqual(['flow=flow-1; version=3; node=welcome']);
  });

  it('encodes non-ASCII names and subjects', async () => {
    const smtp = await server();
    await connector(smtp.port, { from: { address: 'news@example.com', name: '读书会' } }).send(
      message({ subject: '欢迎加入读书会 🎉', to: { id: 'c1', name: '林梅', email: 'lin@example.org' } }),
    );
    const mail = smtp.received[0]!;
    expect(mail.parsed.subject).toBe('欢迎加入读书会 🎉');
    expect(mail.parsed.from?.value[0]?.name).toBe('读书会');
    expect(mail.raw.slice(0, mail.raw.indexOf('\r\n\r\n'))).toMatch(/^[\x20-\x7e\r\n\t]*$/);
  });

  it('gives a retried delivery the same Message-ID, and another delivery a different one', async () => {
    const smtp = await server();
    const instance = connector(smtp.port);
    await instance.send(message());
    await instance.send(message());
    await instance.send(message({ idempotencyKey: 'wf-c1:flow-1:3:reminder:0' }));
    const ids = smtp.received.map((m) => m.parsed.messageId);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(ids[0]).toMatch(/^<sopflow\.[0-9a-f]{40}@example\.com>$/);
  });

  it('leaves out the unsubscribe headers without an unsubscribe URL, and the one-click header for plain http', async () => {
    const smtp = await server();
    const instance = connector(smtp.port, { listUnsubscribeMailto: undefined });
    await instance.send(message({ unsubscribeUrl: undefined }));
    await instance.send(message({ unsubscribeUrl: 'http://localhost:8080/u/abc.def' }));
    const [none, plain] = smtp.received;
    expect(header(none!.raw, 'List-Unsubscribe')).toEqual([]);
    expect(header(none!.raw, 'List-Unsubscribe-Post')).toEqual([]);
    expect(header(plain!.raw, 'List-Unsubscribe')).toEqual(['<http://localhost:8080/u/abc.def>']);
    expect(header(plain!.raw, 'List-Unsubscribe-Post')).toEqual([]);
  });

  it('sends a text-only message when there is no HTML', async () => {
    const smtp = await server();
    await connector(smtp.port).send(message({ html: undefined }));
    const mail = smtp.received[0]!;
    expect(mail.parsed.html).toBe(false);
    expect(mail.raw).toMatch(/Content-Type: text\/plain/i);
    expect(mail.raw).not.toMatch(/multipart/i);
  });

  it('sends text written as HTML as an HTML part with a plain-text part beside it', async () => {
    const smtp = await server();
    await connector(smtp.port).send(
      message({ html: undefined, format: 'html', text: '<p>Fish &amp; chips</p><p>on <b>Friday</b></p>' }),
    );
    const mail = smtp.received[0]!;
    expect(mail.parsed.html).toBe('<p>Fish &amp; chips</p><p>on <b>Friday</b></p>');
    expect(mail.parsed.text?.trim()).toBe('Fish & chips\non Friday');
  });

  it('takes the subject from the first line of text when the message has none', async () => {
    const smtp = await server();
    await connector(smtp.port).send(
      message({ subject: undefined, text: '\n  Your seat is booked \nSee you' }),
    );
    expect(smtp.received[0]!.parsed.subject).toBe('Your seat is booked');
  });

  it('refuses a contact with no email address, permanently, without connecting', async () => {
    const smtp = await server();
    const instance = connector(smtp.port);
    const error = await failure(instance.send(message({ to: { id: 'c2' } })));
    expect(error.kind).toBe('permanent');
    expect(error.message).toMatch(/no email address/);
    const bad = await failure(
      instance.send(message({ to: { id: 'c3', email: 'a@example.org, b@example.org' } })),
    );
    expect(bad.kind).toBe('permanent');
    expect(smtp.connections.opened).toBe(0);
  });

  it('sends a short test message', async () => {
    const smtp = await server();
    const result = await connector(smtp.port).test!({ id: 'staff-1', email: 'ops@example.org' });
    expect(result.status).toBe('sent');
    expect(smtp.received[0]!.parsed.subject).toBe('sopflow test message');
    expect(smtp.received[0]!.envelope.to).toEqual(['ops@example.org']);
  });
});

describe('smtp connector: failures', () => {
  it('classifies 451 to RCPT as retryable', async () => {
    const smtp = await server({ onRcptTo: () => ({ code: 451, message: '4.3.0 Temporary local problem' }) });
    const error = await failure(connector(smtp.port).send(message()));
    expect(error.kind).toBe('retryable');
    expect(error.details.providerCode).toBe(451);
    expect(smtp.received).toHaveLength(0);
  });

  it('classifies 550 to RCPT as permanent', async () => {
    const smtp = await server({ onRcptTo: () => ({ code: 550, message: '5.1.1 No such user here' }) });
    const error = await failure(connector(smtp.port).send(message()));
    expect(error.kind).toBe('permanent');
    expect(error.details.providerCode).toBe(550);
    expect(error.message).toMatch(/No such user/);
  });

  it('classifies 450 4.7.x "too many" as rate-limited, with a wait', async () => {
    const smtp = await server({
      onRcptTo: () => ({ code: 450, message: '4.7.1 Too many messages, slow down' }),
    });
    const error = await failure(connector(smtp.port).send(message()));
    expect(error.kind).toBe('rate-limited');
    expect(error.details.retryAfterMs).toBe(60_000);
  });

  it('classifies 421 too many connections as rate-limited, waiting as long as the server says', async () => {
    const smtp = await server({
      onConnect: () => ({ code: 421, message: '4.7.0 Too many connections, try again in 2 minutes' }),
    });
    const error = await failure(connector(smtp.port).send(message()));
    expect(error.kind).toBe('rate-limited');
    expect(error.details.retryAfterMs).toBe(120_000);
  });

  it('classifies a refused login as a permanent configuration error', async () => {
    const smtp = await server();
    const error = await failure(
      connector(smtp.port, { auth: { user: 'sopflow', pass: 'wrong' } }).send(message()),
    );
    expect(error.kind).toBe('permanent');
    expect(error.details.providerCode).toBe(535);
    expect(error.message).toMatch(/authentication failed.*user and password/i);
  });

  it('classifies a missing login the server requires as permanent', async () => {
    const smtp = await server();
    const error = await failure(connector(smtp.port, { auth: undefined }).send(message()));
    expect(error.kind).toBe('permanent');
    expect(error.details.providerCode).toBe(530);
  });

  it('classifies connection refused as retryable', async () => {
    const error = await failure(connector(await closedPort()).send(message()));
    expect(error.kind).toBe('retryable');
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('classifies a server that never greets as a retryable timeout', async () => {
    const silent = await startSilentServer();
    cleanups.push(() => silent.close());
    const started = Date.now();
    const error = await failure(connector(silent.port, { timeouts: { greetingMs: 300 } }).send(message()));
    expect(error.kind).toBe('retryable');
    expect(error.details.providerCode).toBe('ETIMEDOUT');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('classifies a server slow to confirm the data as retryable; the retry carries the same Message-ID', async () => {
    let slow = true;
    const smtp = await server({ dataDelayMs: () => (slow ? 1500 : 0) });
    const instance = connector(smtp.port, { timeouts: { socketMs: 300 } });
    const error = await failure(instance.send(message()));
    expect(error.kind).toBe('retryable');
    expect(error.details.providerCode).toBe('ETIMEDOUT');
    // The ambiguous case: the server has the message although the send failed.
    expect(smtp.received).toHaveLength(1);

    // The runtime's retry, perhaps on another worker with its own connector instance.
    slow = false;
    await connector(smtp.port).send(message());
    expect(smtp.received).toHaveLength(2);
    expect(smtp.received[1]!.parsed.messageId).toBe(smtp.received[0]!.parsed.messageId);
  });

  it('gives up on a send after its overall deadline', async () => {
    const smtp = await server({ dataDelayMs: 1500 });
    const instance = connector(smtp.port, {
      timeouts: { sendMs: 300 },
    });
    const error = await failure(instance.send(message()));
    expect(error.kind).toBe('retryable');
    expect(error.details.providerCode).toBe('EABORT');
  });
});

describe('smtp connector: connection pool', () => {
  it('reuses one pooled connection for sends one after another', async () => {
    const smtp = await server();
    const instance = connector(smtp.port);
    for (let i = 0; i < 5; i++) await instance.send(message({ idempotencyKey: `k${i}` }));
    expect(smtp.received).toHaveLength(5);
    expect(smtp.connections.opened).toBe(1);
    expect(new Set(smtp.received.map((m) => m.sessionId)).size).toBe(1);
  });

  it('opens at most maxConnections for concurrent sends', async () => {
    const smtp = await server();
    const instance = connector(smtp.port, { pool: { maxConnections: 2 } });
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => instance.send(message({ idempotencyKey: `k${i}` }))),
    );
    expect(smtp.received).toHaveLength(8);
    expect(smtp.connections.opened).toBeLessThanOrEqual(2);
  });

  it('replaces a connection after maxMessages', async () => {
    const smtp = await server();
    const instance = connector(smtp.port, { pool: { maxConnections: 1, maxMessages: 2 } });
    for (let i = 0; i < 5; i++) await instance.send(message({ idempotencyKey: `k${i}` }));
    expect(smtp.connections.opened).toBe(3);
  });

  it('opens a connection per message with the pool off', async () => {
    const smtp = await server();
    const instance = connector(smtp.port, { pool: { enabled: false } });
    for (let i = 0; i < 3; i++) await instance.send(message({ idempotencyKey: `k${i}` }));
    expect(smtp.connections.opened).toBe(3);
  });

  it('close() closes the pooled connections', async () => {
    const smtp = await server();
    const instance = connector(smtp.port, { pool: { maxConnections: 3 } });
    await Promise.all(
      Array.from({ length: 6 }, (_, i) => instance.send(message({ idempotencyKey: `k${i}` }))),
    );
    expect(smtp.connections.opened).toBeGreaterThan(0);
    await instance.close!();
    await vi.waitFor(() => expect(smtp.connections.closed).toBe(smtp.connections.opened), { timeout: 2000 });
  });
});

describe('subjectFor', () => {
  it('prefers the subject, collapsing whitespace', () => {
    expect(subjectFor({ subject: ' Hello\n there ', text: 'x' })).toBe('Hello there');
  });
  it('cuts a long first line at a word', () => {
    const text = `${'word '.repeat(30)}end`;
    const subject = subjectFor({ text })!;
    expect(subject.length).toBeLessThanOrEqual(78);
    expect(subject).toMatch(/^word( word)*…$/);
  });
  it('has nothing to offer for empty text', () => {
    expect(subjectFor({ subject: '  ', text: ' \n ' })).toBeUndefined();
  });
});
