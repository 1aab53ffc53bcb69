import { createHash } from 'node:crypto';
import nodemailer, { type SendMailOptions, type SMTPSentMessageInfo, type Transporter } from 'nodemailer';
import { z } from 'zod';
import { type ConnectorContext, defineConnector, type OutboundMessage, SendError } from '../connector';
import { emailBouncesHandler } from './bounces';
import { emailAddress } from './email-address';
import { classifySmtpError } from './smtp-errors';

/**
 * Email through any SMTP server or relay (a provider's SMTP endpoint, Postfix, Exchange), with
 * nodemailer. One pool of connections per connector instance; every failure is classified as
 * retryable, rate-limited or permanent (see `smtp-errors.ts`).
 */

const secret = { secret: true } as const;

export const SmtpConfig = z
  .object({
    host: z.string().min(1).meta({ description: 'The SMTP server, e.g. smtp.example.com.' }),
    port: z.number().int().min(1).max(65_535).default(587).meta({
      description: '587 for STARTTLS submission, 465 for implicit TLS, 25 for a relay.',
    }),
    secure: z.boolean().default(false).meta({
      description:
        'Implicit TLS from the first byte (port 465). Off: STARTTLS is used when the server offers it.',
    }),
    requireTLS: z.boolean().default(false).meta({
      description: 'With secure off, refuse to send unless the server upgrades the connection with STARTTLS.',
    }),
    auth: z
      .object({
        user: z.string().min(1),
        pass: z.string().min(1).meta(secret),
      })
      .optional()
      .meta({ description: 'Login. Leave out for a relay that trusts this host.' }),
    from: z.object({
      address: z.email(),
      /** Shown as the sender's name. */
      name: z.string().optional(),
    }),
    replyTo: z.email().optional(),
    pool: z
      .object({
        /** Keep connections open and reuse them across messages. @default true */
        enabled: z.boolean().default(true),
        /** @default 5 */
        maxConnections: z.number().int().min(1).default(5),
        /** Messages per connection before it is replaced. @default 100 */
        maxMessages: z.number().int().min(1).default(100),
        /** The window for `rateLimit`, in ms. @default 1000 */
        rateDelta: z.number().int().min(1).default(1000),
        /** At most this many messages per `rateDelta` across all connections. @default unlimited */
        rateLimit: z.number().int().min(1).optional(),
      })
      .prefault({}),
    timeouts: z
      .object({
        /** Opening the TCP connection. @default 10000 */
        connectionMs: z.number().int().min(1).default(10_000),
        /** Waiting for the server's greeting once connected. @default 10000 */
        greetingMs: z.number().int().min(1).default(10_000),
        /** Silence on an open connection. @default 20000 */
        socketMs: z.number().int().min(1).default(20_000),
        /**
         * The whole send, queueing in the pool included. Keep it under the deliver activity's
         * start-to-close timeout (30 s), so a send is given up on before its attempt is.
         * @default 25000
         */
        sendMs: z.number().int().min(1).default(25_000),
      })
      .prefault({}),
    listUnsubscribeMailto: z.string().min(1).optional().meta({
      description:
        'An address (or mailto: URI) for List-Unsubscribe next to the one-click link, e.g. unsubscribe@example.com.',
    }),
    messageIdDomain: z.string().min(1).optional().meta({
      description: "The domain in Message-IDs. @default the from address's domain",
    }),
  })
  .strict();
export type SmtpConfig = z.infer<typeof SmtpConfig>;

/**
 * The Message-ID for a delivery, derived from its idempotency key alone.
 *
 * SMTP has no idempotency: when a send fails ambiguously (the connection drops or times out after
 * the message data went out, before the server's 250), the runtime retries and the server may now
 * hold two copies. Because both attempts carry the same Message-ID, receiving systems that dedup on
 * it (Gmail and many MTAs do) show one, and our bounce handling can match a DSN or feedback report
 * to the one delivery row whatever attempt it came from (it is also `providerMessageId`). The key
 * is hashed so no internal ids leak into headers and any key makes a valid msg-id.
 */
export function smtpMessageId(idempotencyKey: string, domain: string): string {
  const hash = createHash('sha256').update(idempotencyKey, 'utf8').digest('hex').slice(0, 40);
  return `<sopflow.${hash}@${domain}>`;
}

/** A deliberately strict address check: one address, no display name, nothing a parser could split. */
const SIMPLE_ADDRESS = /^[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+\.[^\s@<>,;:"()[\]\\]+$/;

/** The longest fallback subject, in characters. */
const SUBJECT_FALLBACK_LENGTH = 78;

/**
 * Email needs a subject. Flows should set one; when a node has none, the first non-empty line of
 * the text stands in (cut at a word near 78 characters), rather than failing the delivery or sending
 * a message with an empty subject, which spam filters score down.
 */
export function subjectFor(message: Pick<OutboundMessage, 'subject' | 'text'>): string | undefined {
  const given = message.subject?.replace(/\s+/g, ' ').trim();
  if (given) return given;
  const line = message.text
    .split(/\r?\n/)
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .find((l) => l.length > 0);
  if (!line) return undefined;
  if (line.length <= SUBJECT_FALLBACK_LENGTH) return line;
  const cut = line.slice(0, SUBJECT_FALLBACK_LENGTH - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > SUBJECT_FALLBACK_LENGTH / 2 ? cut.slice(0, space) : cut}…`;
}

/** A plain-text rendering of HTML for the text part, when a message arrives as HTML only. */
function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|li|tr)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function mailtoUri(value: string): string {
  return /^mailto:/i.test(value) ? value : `mailto:${value}?subject=unsubscribe`;
}

/** `flow=<id>; version=<n>; node=<id>`, with anything that could break a header line removed. */
function originHeader(origin: OutboundMessage['origin']): string {
  const clean = (value: string) => value.replace(/[^\w.:/@+-]/g, '_');
  return `flow=${clean(origin.flowId)}; version=${origin.flowVersion}; node=${clean(origin.nodeId)}`;
}

export const smtpConnector = defineConnector({
  name: 'smtp',
  description:
    'Sends email through an SMTP server, with pooled connections and one-click unsubscribe headers.',
  channels: ['email'],
  address: emailAddress,
  capabilities: ['html'],
  configSchema: SmtpConfig,
  secretFields: ['auth.pass'],
  inbound: [emailBouncesHandler],
  create: (input, context: ConnectorContext) => {
    // Parsing again is cheap and makes the defaults certain when a caller hands over raw config.
    const config = SmtpConfig.parse(input);
    const domain =
      config.messageIdDomain ?? config.from.address.slice(config.from.address.lastIndexOf('@') + 1);
    const connection = {
      host: config.host,
      port: config.port,
      secure: config.secure,
      requireTLS: config.requireTLS,
      ...(config.auth ? { auth: { user: config.auth.user, pass: config.auth.pass } } : {}),
      connectionTimeout: config.timeouts.connectionMs,
      greetingTimeout: config.timeouts.greetingMs,
      socketTimeout: config.timeouts.socketMs,
      logger: false,
    };
    const transporter: Transporter<SMTPSentMessageInfo> = config.pool.enabled
      ? nodemailer.createTransport({
          ...connection,
          pool: true,
          maxConnections: config.pool.maxConnections,
          maxMessages: config.pool.maxMessages,
          rateDelta: config.pool.rateDelta,
          ...(config.pool.rateLimit === undefined ? {} : { rateLimit: config.pool.rateLimit }),
          // The runtime is the one retry loop: it records each attempt and backs off. A message
          // silently re-sent by the pool after its connection closed would bypass both.
          maxRequeues: 0,
        })
      : nodemailer.createTransport(connection);
    // Only an OAuth2 token refresh emits here today; never let an unhandled 'error' take the worker down.
    transporter.on('error', (error: Error) =>
      context.log?.('smtp: transport error', { error: error.message }),
    );
    const from = config.from.name
      ? { name: config.from.name, address: config.from.address }
      : config.from.address;

    async function deliver(mail: SendMailOptions): Promise<SMTPSentMessageInfo> {
      let info: SMTPSentMessageInfo;
      try {
        info = await transporter.sendMail({ ...mail, signal: AbortSignal.timeout(config.timeouts.sendMs) });
      } catch (error) {
        throw classifySmtpError(error);
      }
      // One recipient per message, so a rejection without an error should not happen; never report it as sent.
      if (info.rejected.length > 0 || info.accepted.length === 0)
        throw new SendError('permanent', `The SMTP server did not accept the recipient: ${info.response}`);
      return info;
    }

    function recipientAddress(to: OutboundMessage['to']): SendMailOptions['to'] {
      const address = to.email?.trim();
      if (!address)
        throw new SendError('permanent', `The contact ${to.id} has no email address. 该联系人没有邮箱地址。`);
      if (!SIMPLE_ADDRESS.test(address))
        throw new SendError('permanent', `The contact ${to.id} has no valid email address ("${address}").`);
      return to.name ? { name: to.name, address } : address;
    }

    return {
      async send(message) {
        const to = recipientAddress(message.to);
        const subject = subjectFor(message);
        if (subject === undefined)
          throw new SendError('permanent', 'The email has neither a subject nor any text to send.');

        let text = message.text;
        let html = message.html;
        // A message written in HTML with no separate HTML part: send it as HTML, with a text part beside it.
        if (html === undefined && message.format === 'html') {
          html = message.text;
          text = htmlToText(message.text);
        }

        const messageId = smtpMessageId(message.idempotencyKey, domain);
        const headers: Record<string, string> = { 'X-Sopflow-Origin': originHeader(message.origin) };
        const mail: SendMailOptions = {
          from,
          to,
          subject,
          text,
          ...(html === undefined ? {} : { html }),
          ...(config.replyTo ? { replyTo: config.replyTo } : {}),
          messageId,
          headers,
        };

        if (message.unsubscribeUrl) {
          // RFC 2369: one List-Unsubscribe field listing every way out. RFC 8058: with an HTTPS
          // URI, List-Unsubscribe-Post tells receivers they may unsubscribe with one POST, no page.
          const ways = [message.unsubscribeUrl];
          if (config.listUnsubscribeMailto) ways.push(mailtoUri(config.listUnsubscribeMailto));
          mail.list = { unsubscribe: [ways] };
          if (/^https:\/\//i.test(message.unsubscribeUrl))
            headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
        }

        const info = await deliver(mail);
        context.log?.('smtp: sent', { messageId, response: info.response, connector: 'smtp' });
        return { status: 'sent', providerMessageId: info.messageId || messageId };
      },

      async test(recipient) {
        const info = await deliver({
          from,
          to: recipientAddress(recipient),
          subject: 'sopflow test message',
          text: 'This is a test message from sopflow: the SMTP connector is configured correctly.',
          ...(config.replyTo ? { replyTo: config.replyTo } : {}),
        });
        return { status: 'sent', providerMessageId: info.messageId };
      },

      async close() {
        transporter.close();
      },
    };
  },
});
