import { describe, expect, it } from 'vitest';
import { dsnStatus, parseDeliveryStatusNotification } from './bounces';
import { deliveryStatusNotification } from './fake-bounces';

const original = [
  'From: Ops <ops@sopflow.test>',
  'To: vera@example.com',
  'Subject: Welcome',
  'Message-ID: <sopflow.abc123@sopflow.test>',
  '',
  'Hello',
].join('\r\n');

describe('email bounces (RFC 3464 DSNs)', () => {
  it('reads the original Message-ID and each recipient’s action and status', async () => {
    const dsn = deliveryStatusNotification(original, 'vera@example.com', {
      action: 'failed',
      status: '5.1.1',
      diagnostic: '550 5.1.1 User unknown',
    });
    expect(await parseDeliveryStatusNotification(dsn)).toEqual({
      originalMessageId: '<sopflow.abc123@sopflow.test>',
      recipients: [
        {
          action: 'failed',
          status: '5.1.1',
          finalRecipient: 'rfc822; vera@example.com',
          diagnosticCode: 'smtp; 550 5.1.1 User unknown',
        },
      ],
    });
  });

  it('maps a permanent failure to bounced, a failure after retries to failed, a delivery to delivered', () => {
    expect(dsnStatus({ action: 'failed', status: '5.1.1' })).toBe('bounced');
    expect(dsnStatus({ action: 'failed', status: '4.4.7' })).toBe('failed');
    expect(dsnStatus({ action: 'delivered', status: '2.0.0' })).toBe('delivered');
    expect(dsnStatus({ action: 'relayed', status: '2.0.0' })).toBe('delivered');
    expect(dsnStatus({ action: 'delayed', status: '4.4.1' })).toBeUndefined();
  });

  it('says a message without a delivery-status part is not a DSN', async () => {
    expect(await parseDeliveryStatusNotification(original)).toBeUndefined();
  });
});
