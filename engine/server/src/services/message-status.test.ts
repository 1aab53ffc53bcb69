import { describe, expect, it } from 'vitest';
import { messageStatusAdvances } from './message-status';

describe('messageStatusAdvances', () => {
  it('moves a message forward only', () => {
    expect(messageStatusAdvances('queued', 'sent')).toBe(true);
    expect(messageStatusAdvances('sent', 'delivered')).toBe(true);
    expect(messageStatusAdvances('queued', 'delivered')).toBe(true);
    expect(messageStatusAdvances('delivered', 'read')).toBe(true);
    expect(messageStatusAdvances('read', 'clicked')).toBe(true);
    // A late report of an earlier status leaves it where it is.
    expect(messageStatusAdvances('read', 'delivered')).toBe(false);
    expect(messageStatusAdvances('delivered', 'sent')).toBe(false);
    expect(messageStatusAdvances('sent', 'sent')).toBe(false);
  });

  it('ends a message at its first failure, unless the person had it already', () => {
    expect(messageStatusAdvances('sent', 'failed')).toBe(true);
    expect(messageStatusAdvances('queued', 'rejected')).toBe(true);
    expect(messageStatusAdvances('delivered', 'bounced')).toBe(true);
    expect(messageStatusAdvances('failed', 'delivered')).toBe(false);
    expect(messageStatusAdvances('bounced', 'failed')).toBe(false);
    expect(messageStatusAdvances('suppressed', 'sent')).toBe(false);
    expect(messageStatusAdvances('read', 'failed')).toBe(false);
    expect(messageStatusAdvances('clicked', 'bounced')).toBe(false);
  });
});
