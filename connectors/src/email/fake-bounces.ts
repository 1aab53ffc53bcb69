import { randomBytes } from 'node:crypto';

/**
 * A fake mail server's bounces: the delivery status notification (RFC 3464) a receiving or relaying
 * MTA sends back for a message, built from the message as it was received, and posted raw to a
 * bounce intake URL as a mail server's pipe or a relay forwards it.
 */

/** What the remote side did with one recipient. */
export interface FakeDsnOutcome {
  /** `failed`, `delayed`, `delivered`, `relayed` or `expanded` (RFC 3464 §2.3.3). */
  action: string;
  /** The enhanced status code, `5.1.1`. */
  status: string;
  /** The remote server's reply, `550 5.1.1 User unknown`. */
  diagnostic?: string;
}

const headersOf = (raw: string) => raw.split(/\r?\n\r?\n/, 1)[0] ?? '';

/** The DSN for `originalRaw` (the message as an MTA received it) to `recipient`. */
export function deliveryStatusNotification(
  originalRaw: string,
  recipient: string,
  outcome: FakeDsnOutcome,
  reportingMta = 'mx.fake-receiver.test',
): string {
  const boundary = `dsn-${randomBytes(8).toString('hex')}`;
  const human =
    outcome.action === 'failed'
      ? `Your message could not be delivered to ${recipient}.`
      : `Delivery report for ${recipient}: ${outcome.action}.`;
  return [
    `From: Mail Delivery System <MAILER-DAEMON@${reportingMta}>`,
    'To: bounces@sopflow.test',
    `Subject: Delivery Status Notification (${outcome.action === 'failed' ? 'Failure' : 'Report'})`,
    `Message-ID: <${randomBytes(8).toString('hex')}@${reportingMta}>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    human,
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    `Reporting-MTA: dns; ${reportingMta}`,
    `Arrival-Date: ${new Date().toUTCString()}`,
    '',
    `Final-Recipient: rfc822; ${recipient}`,
    `Action: ${outcome.action}`,
    `Status: ${outcome.status}`,
    ...(outcome.diagnostic ? [`Diagnostic-Code: smtp; ${outcome.diagnostic}`] : []),
    '',
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    headersOf(originalRaw).replace(/\r\n/g, '\n'),
    '',
    `--${boundary}--`,
    '',
  ].join('\r\n');
}

/** Posts a raw DSN to a bounce intake URL; resolves with the answer. */
export async function postBounce(url: string, dsn: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'message/rfc822' },
    body: dsn,
  });
  return { status: response.status, body: await response.text() };
}
