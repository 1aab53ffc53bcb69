import { simpleParser } from 'mailparser';
import {
  type InboundFact,
  type InboundHandler,
  InboundRefusal,
  type ReportedMessageStatus,
} from '../inbound';

/**
 * Email bounces: a delivery status notification (DSN, RFC 3464: a `multipart/report;
 * report-type=delivery-status` message) posted raw to a URL carrying its key, as a mail server or a
 * relay forwards what comes back to the bounce address. The DSN names the message by the original's
 * `Message-ID` (the SMTP connector's `providerMessageId`, derived from the delivery's key) and says
 * per recipient what became of it:
 * - `Action: failed` with a 5.x.x `Status`: the receiving side refused it for good → bounced;
 * - `Action: failed` with a 4.x.x `Status`: it gave up after its own retries → failed;
 * - `Action: delivered` or `relayed` → delivered;
 * - `delayed` and `expanded` say nothing final, and are not recorded.
 */

/** One recipient's fields of a DSN (RFC 3464 §2.3). */
export interface DsnRecipient {
  action: string;
  /** The enhanced status code (RFC 3463), `5.1.1`. */
  status: string;
  finalRecipient?: string;
  /** The remote server's reply, `smtp; 550 5.1.1 User unknown`. */
  diagnosticCode?: string;
}

export interface DeliveryStatusNotification {
  /** The Message-ID of the message it reports on, with its angle brackets. */
  originalMessageId?: string;
  recipients: DsnRecipient[];
}

/** Header blocks of a `message/delivery-status` body, with folded lines unfolded; names lower-cased. */
function fieldBlocks(text: string): Record<string, string>[] {
  return text
    .replace(/\r\n/g, '\n')
    .replace(/\n[ \t]+/g, ' ')
    .split(/\n\s*\n/)
    .map((block) => {
      const fields: Record<string, string> = {};
      for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) fields[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      return fields;
    })
    .filter((fields) => Object.keys(fields).length > 0);
}

const MESSAGE_ID = /^message-id:[ \t]*(<[^>\r\n]+>)/im;

/** Reads a raw DSN; undefined when the message is not a delivery status report. */
export async function parseDeliveryStatusNotification(
  raw: string,
): Promise<DeliveryStatusNotification | undefined> {
  const parsed = await simpleParser(raw, {
    keepDeliveryStatus: true,
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipTextLinks: true,
  });
  const report = parsed.attachments.find((a) => a.contentType === 'message/delivery-status');
  if (!report) return undefined;
  // The per-message block comes first; each further block is one recipient (RFC 3464 §2.1).
  const recipients = fieldBlocks(report.content.toString('utf8'))
    .filter((fields) => fields.action && fields.status)
    .map((fields) => ({
      action: fields.action!.toLowerCase(),
      status: /\d\.\d{1,3}\.\d{1,3}/.exec(fields.status!)?.[0] ?? fields.status!,
      ...(fields['final-recipient'] ? { finalRecipient: fields['final-recipient'] } : {}),
      ...(fields['diagnostic-code'] ? { diagnosticCode: fields['diagnostic-code'] } : {}),
    }));
  const original = parsed.attachments.find(
    (a) => a.contentType === 'text/rfc822-headers' || a.contentType === 'message/rfc822',
  );
  const originalMessageId = original ? MESSAGE_ID.exec(original.content.toString('utf8'))?.[1] : undefined;
  return { ...(originalMessageId ? { originalMessageId } : {}), recipients };
}

/** What a recipient's fields say became of the message; undefined for a report that is not final. */
export function dsnStatus(recipient: DsnRecipient): ReportedMessageStatus | undefined {
  if (recipient.action === 'delivered' || recipient.action === 'relayed') return 'delivered';
  if (recipient.action !== 'failed') return undefined;
  return recipient.status.startsWith('5.') ? 'bounced' : 'failed';
}

/** Email bounces (DSNs) posted raw to a URL that carries its key. */
export const emailBouncesHandler: InboundHandler = {
  path: 'email-bounces/:key',
  methods: ['POST'],
  summary: 'Email bounces: a delivery status notification (RFC 3464 multipart/report) posted raw',
  auth: { kind: 'url-key', label: 'emailBounces' },
  responses: {
    200: 'Taken (also for a message sopflow did not send).',
    400: 'Not a DSN.',
    404: 'Unknown key.',
  },
  bodyMedia: 'message/rfc822',
  async handle(request) {
    const dsn = await parseDeliveryStatusNotification(await request.text());
    if (!dsn)
      throw new InboundRefusal(
        400,
        'not_a_dsn',
        'The body is not a delivery status notification (RFC 3464).',
      );
    const facts: InboundFact[] = [];
    if (dsn.originalMessageId)
      for (const recipient of dsn.recipients) {
        const status = dsnStatus(recipient);
        if (status)
          facts.push({
            kind: 'message-status',
            providerMessageId: dsn.originalMessageId,
            status,
            code: recipient.status,
            ...(recipient.diagnosticCode ? { detail: recipient.diagnosticCode } : {}),
          });
      }
    else console.warn('An email bounce names no original Message-ID; ignored.');
    return { status: 200, body: 'ok', facts };
  },
};
