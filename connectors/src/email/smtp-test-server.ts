import net from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

/**
 * A real SMTP server on 127.0.0.1 for the SMTP connector's tests (the `smtp-server` package, with
 * login, no TLS), which parses what it receives with `mailparser`. Test-only: nothing in the
 * package's runtime imports it.
 */

export interface SmtpReply {
  code: number;
  message: string;
}

export interface TestSmtpServerOptions {
  /** Accepted logins. @default { sopflow: 'secret' } */
  users?: Record<string, string>;
  /** Answer the connection itself with this reply (e.g. 421 too many connections). */
  onConnect?: () => SmtpReply | undefined;
  /** Refuse a recipient with this reply. */
  onRcptTo?: (address: string) => SmtpReply | undefined;
  /** Wait this long before answering the end of DATA (a slow server); a function is asked per message. */
  dataDelayMs?: number | (() => number);
}

export interface ReceivedMail {
  /** Which connection (session) carried it. */
  sessionId: string;
  envelope: { from: string; to: string[] };
  /** The message as received, CRLF line ends. */
  raw: string;
  parsed: ParsedMail;
}

export interface TestSmtpServer {
  host: string;
  port: number;
  received: ReceivedMail[];
  /** Connections opened and closed so far. */
  connections: { opened: number; closed: number };
  close(): Promise<void>;
}

function smtpError(reply: SmtpReply): Error {
  return Object.assign(new Error(reply.message), { responseCode: reply.code });
}

function listen(server: { listen: (port: number, host: string, cb: () => void) => net.Server }) {
  return new Promise<number>((resolve) => {
    const listening = server.listen(0, '127.0.0.1', () =>
      resolve((listening.address() as net.AddressInfo).port),
    );
  });
}

export async function startTestSmtpServer(options: TestSmtpServerOptions = {}): Promise<TestSmtpServer> {
  const users = options.users ?? { sopflow: 'secret' };
  const received: ReceivedMail[] = [];
  const connections = { opened: 0, closed: 0 };
  const timers = new Set<NodeJS.Timeout>();

  const serverOptions: SMTPServerOptions = {
    logger: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: false,
    // Replies are sent exactly as the test words them (enhanced status codes included by hand).
    hideENHANCEDSTATUSCODES: true,
    disableReverseLookup: true,
    // close() ends connections a test left open (a pool) soon instead of after 30 s.
    closeTimeout: 200,
    onConnect(_session, callback) {
      connections.opened += 1;
      const reply = options.onConnect?.();
      callback(reply ? smtpError(reply) : null);
    },
    onClose() {
      connections.closed += 1;
    },
    onAuth(auth, _session, callback) {
      if (auth.username && users[auth.username] === auth.password) callback(null, { user: auth.username });
      else callback(smtpError({ code: 535, message: '5.7.8 Authentication credentials invalid' }));
    },
    onRcptTo(address, _session, callback) {
      const reply = options.onRcptTo?.(address.address);
      callback(reply ? smtpError(reply) : null);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (parsed) => {
            received.push({
              sessionId: session.id,
              envelope: {
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                to: session.envelope.rcptTo.map((r) => r.address),
              },
              raw,
              parsed,
            });
            const delay =
              typeof options.dataDelayMs === 'function' ? options.dataDelayMs() : (options.dataDelayMs ?? 0);
            if (delay <= 0) return callback(null);
            const timer = setTimeout(() => {
              timers.delete(timer);
              callback(null);
            }, delay);
            timers.add(timer);
          },
          (error: Error) => callback(error),
        );
      });
    },
  };
  const server = new SMTPServer(serverOptions);
  server.on('error', () => {});
  const port = await listen(server);

  return {
    host: '127.0.0.1',
    port,
    received,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.close(() => resolve());
      }),
  };
}

/** A TCP server that accepts connections and never says a word (no SMTP greeting). */
export async function startSilentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listen(server);
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 nothing listens on (connection refused). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
