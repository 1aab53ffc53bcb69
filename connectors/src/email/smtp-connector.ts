import { createHash } from 'node:crypto';
import nodemailer, { type SendMailOptions, type SMTPSentMessageInfo, type Transporter } from 'nodemailer';
import { z } from 'zod';
import {
  type ConnectorContext,
  configField,
  defineConnector,
  type OutboundMessage,
  SendError,
} from '../connector';
import { emailBouncesHandler } from './bounces';
import { emailAddress } from './email-address';
import { classifySmtpError } from './smtp-errors';

/**
 * Email through any SMTP server or relay (a provider's SMTP endpoint, Postfix, Exchange), with
 * nodemailer. One pool of connections per connector instance; every failure is classified as
 * retryable, rate-limited or permanent (see `smtp-errors.ts`).
 */

/** A whole number of milliseconds, at least 1. */
const ms = (label: readonly [string, string], help: readonly [string, string], byDefault: number) =>
  z.number().int().min(1).default(byDefault).meta(configField(label, help));

export const SmtpConfig = z
  .object({
    host: z
      .string()
      .min(1)
      .meta(
        configField(['SMTP server', 'SMTP 服务器'], ['e.g. smtp.example.com.', '例如 smtp.example.com。']),
      ),
    port: z
      .number()
      .int()
      .min(1)
      .max(65_535)
      .default(587)
      .meta(
        configField(
          ['Port', '端口'],
          [
            '587 for STARTTLS submission, 465 for implicit TLS, 25 for a relay.',
            '587 用于 STARTTLS 提交，465 用于 SSL/TLS 直连，25 用于中继。',
          ],
        ),
      ),
    secure: z
      .boolean()
      .default(false)
      .meta(
        configField(
          ['SSL/TLS from the start', '直接使用 SSL/TLS'],
          [
            'Implicit TLS from the first byte (port 465). Off: STARTTLS is used when the server offers it.',
            '从连接开始即使用 TLS（端口 465）。关闭时，服务器支持 STARTTLS 则使用 STARTTLS。',
          ],
        ),
      ),
    requireTLS: z
      .boolean()
      .default(false)
      .meta(
        configField(
          ['Require STARTTLS', '强制 STARTTLS'],
          [
            'With the option above off, refuse to send unless the server upgrades the connection with STARTTLS.',
            '上一项关闭时，服务器不通过 STARTTLS 加密连接就不发送。',
          ],
        ),
      ),
    auth: z
      .object({
        user: z
          .string()
          .min(1)
          .meta(
            configField(
              ['User name', '用户名'],
              ['The SMTP login, often the mailbox address.', 'SMTP 登录名，通常是邮箱地址。'],
            ),
          ),
        pass: z
          .string()
          .min(1)
          .meta(
            configField(
              ['Password', '密码'],
              [
                'The SMTP password or the provider’s authorization code.',
                'SMTP 密码，或邮箱服务商提供的授权码。',
              ],
              { secret: true },
            ),
          ),
      })
      .optional()
      .meta(
        configField(
          ['Login', '登录'],
          ['Leave out for a relay that trusts this host.', '中继服务器信任本机时可不填。'],
        ),
      ),
    from: z
      .object({
        address: z
          .email()
          .meta(configField(['Address', '邮箱地址'], ['The sender’s address.', '发件人的邮箱地址。'])),
        name: z
          .string()
          .optional()
          .meta(configField(['Name', '名称'], ['Shown as the sender’s name.', '显示为发件人名称。'])),
      })
      .meta(configField(['From', '发件人'], ['Who the mail is from.', '邮件的发件人。'])),
    replyTo: z
      .email()
      .optional()
      .meta(
        configField(
          ['Reply-To', '回复地址'],
          ['Where replies go, if not the sender.', '回复邮件发往的地址（不同于发件人时填写）。'],
        ),
      ),
    pool: z
      .object({
        enabled: z
          .boolean()
          .default(true)
          .meta(
            configField(
              ['Reuse connections', '复用连接'],
              ['Keep connections open and reuse them across messages.', '保持连接并在多封邮件间复用。'],
            ),
          ),
        maxConnections: z
          .number()
          .int()
          .min(1)
          .default(5)
          .meta(
            configField(
              ['Connections', '连接数'],
              ['Connections open at once, at most.', '同时打开的最大连接数。'],
            ),
          ),
        maxMessages: z
          .number()
          .int()
          .min(1)
          .default(100)
          .meta(
            configField(
              ['Messages per connection', '每个连接的邮件数'],
              ['Messages per connection before it is replaced.', '一个连接发送多少封邮件后更换。'],
            ),
          ),
        rateDelta: ms(
          ['Rate window (ms)', '限速窗口（毫秒）'],
          ['The window the rate limit counts in.', '限速计数所用的时间窗口。'],
          1000,
        ),
        rateLimit: z
          .number()
          .int()
          .min(1)
          .optional()
          .meta(
            configField(
              ['Rate limit', '限速'],
              [
                'At most this many messages per window across all connections; unlimited when empty.',
                '所有连接在每个窗口内最多发送的邮件数；留空表示不限。',
              ],
            ),
          ),
      })
      .prefault({})
      .meta(configField(['Connection pool', '连接池'], ['How connections are reused.', '连接的复用方式。'])),
    timeouts: z
      .object({
        connectionMs: ms(
          ['Connect (ms)', '连接（毫秒）'],
          ['Opening the TCP connection.', '建立 TCP 连接的超时。'],
          10_000,
        ),
        greetingMs: ms(
          ['Greeting (ms)', '问候（毫秒）'],
          ['Waiting for the server’s greeting once connected.', '连接后等待服务器问候的超时。'],
          10_000,
        ),
        socketMs: ms(
          ['Idle (ms)', '空闲（毫秒）'],
          ['Silence on an open connection.', '已打开连接无响应的超时。'],
          20_000,
        ),
        // Kept under the deliver activity's start-to-close timeout (30 s), so a send is given up on before its attempt is.
        sendMs: ms(
          ['Whole send (ms)', '整次发送（毫秒）'],
          ['The whole send, waiting in the pool included.', '整次发送的超时，包括在连接池中排队的时间。'],
          25_000,
        ),
      })
      .prefault({})
      .meta(
        configField(['Timeouts', '超时'], ['Timeouts of the SMTP conversation.', 'SMTP 会话各阶段的超时。']),
      ),
    listUnsubscribeMailto: z
      .string()
      .min(1)
      .optional()
      .meta(
        configField(
          ['Unsubscribe address', '退订邮箱'],
          [
            'An address (or mailto: URI) for List-Unsubscribe next to the one-click link, e.g. unsubscribe@example.com.',
            'List-Unsubscribe 中与一键退订链接并列的邮箱（或 mailto: URI），例如 unsubscribe@example.com。',
          ],
        ),
      ),
    messageIdDomain: z
      .string()
      .min(1)
      .optional()
      .meta(
        configField(
          ['Message-ID domain', 'Message-ID 域名'],
          [
            'The domain in Message-IDs; by default the from address’s domain.',
            'Message-ID 中的域名；默认为发件人地址的域名。',
          ],
        ),
      ),
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
  description: {
    en: 'Sends email through an SMTP server, with pooled connections and one-click unsubscribe headers.',
    zh: '通过 SMTP 服务器发送邮件，复用连接，并带一键退订邮件头。',
  },
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
