import { describe, expect, it } from 'vitest';
import { SendError } from '../connector';
import { msUntilLocalTime } from '../shared/local-time';
import { isOptedOut } from '../shared/provider-errors';
import {
  appendOptOutLine,
  DEFAULT_OPT_OUT_LINES,
  enforceSendWindow,
  isOptInReply,
  isOptOutReply,
  isWithinSendWindow,
  optOutLine,
  sendWindowSchema,
} from './compliance';

const HOUR = 60 * 60_000;

describe('opt-out line', () => {
  it('defaults per locale and can be reworded', () => {
    expect(optOutLine({ locale: 'zh' })).toBe('拒收请回复R');
    expect(optOutLine({ locale: 'en' })).toBe('Reply STOP to opt out');
    expect(optOutLine({ locale: 'zh', text: '回T退订' })).toBe('回T退订');
    expect(DEFAULT_OPT_OUT_LINES.zh).toBe('拒收请回复R');
  });

  it('appends the line once, on its own line', () => {
    expect(appendOptOutLine('Spring sale: 20% off  ', 'Reply STOP to opt out')).toBe(
      'Spring sale: 20% off\nReply STOP to opt out',
    );
    const once = appendOptOutLine('春季促销', '拒收请回复R');
    expect(once).toBe('春季促销\n拒收请回复R');
    expect(appendOptOutLine(once, '拒收请回复R')).toBe(once);
    expect(appendOptOutLine('Sale! reply stop to opt out', 'Reply STOP to opt out')).toBe(
      'Sale! reply stop to opt out',
    );
  });
});

describe('isOptOutReply', () => {
  it.each([
    'R',
    ' r ',
    'T',
    'td',
    'TD',
    'Ｔ',
    'ｔｄ',
    '　TD。',
    '退订',
    ' 退订！',
    'STOP',
    'stop',
    'Stop!',
    'ＳＴＯＰ',
    'UNSUBSCRIBE',
    'unsubscribe.',
    'STOPALL',
    'cancel',
  ])('recognises %j', (reply) => {
    expect(isOptOutReply(reply)).toBe(true);
  });

  it.each(['', '   ', 'OK', 'RT', 'stop calling me', '我想退订一下可以吗', 'Thanks', 'TDX', 'Y'])(
    'leaves %j for a person',
    (reply) => {
      expect(isOptOutReply(reply)).toBe(false);
    },
  );

  it('takes extra keywords', () => {
    expect(isOptOutReply('n', ['N'])).toBe(true);
    expect(isOptOutReply('n')).toBe(false);
  });
});

describe('send windows', () => {
  const window = sendWindowSchema.parse({}); // 08:00–21:00 Asia/Shanghai, defer

  it('knows local time in the window time zone', () => {
    expect(isWithinSendWindow(new Date('2024-05-01T00:00:00Z'), window)).toBe(true); // 08:00
    expect(isWithinSendWindow(new Date('2024-04-30T23:59:59Z'), window)).toBe(false); // 07:59:59
    expect(isWithinSendWindow(new Date('2024-05-01T12:59:59Z'), window)).toBe(true); // 20:59:59
    expect(isWithinSendWindow(new Date('2024-05-01T13:00:00Z'), window)).toBe(false); // 21:00
  });

  it('handles overnight and all-day windows', () => {
    const night = { start: '22:00', end: '06:00', timeZone: 'UTC' };
    expect(isWithinSendWindow(new Date('2024-05-01T23:00:00Z'), night)).toBe(true);
    expect(isWithinSendWindow(new Date('2024-05-01T03:00:00Z'), night)).toBe(true);
    expect(isWithinSendWindow(new Date('2024-05-01T12:00:00Z'), night)).toBe(false);
    expect(
      isWithinSendWindow(new Date('2024-05-01T12:00:00Z'), { start: '00:00', end: '00:00', timeZone: 'UTC' }),
    ).toBe(true);
  });

  it('counts the time until the window opens, across a daylight-saving change', () => {
    // 21:30 in Shanghai -> 08:00 next day.
    expect(msUntilLocalTime(new Date('2024-05-01T13:30:00Z'), 'Asia/Shanghai', '08:00')).toBe(10.5 * HOUR);
    // 07:59:30 -> 08:00.
    expect(msUntilLocalTime(new Date('2024-04-30T23:59:30Z'), 'Asia/Shanghai', '08:00')).toBe(30_000);
    // New York springs forward on 2024-03-10: 23:00 EST -> 08:00 EDT is 8 hours, not 9.
    expect(msUntilLocalTime(new Date('2024-03-10T04:00:00Z'), 'America/New_York', '08:00')).toBe(8 * HOUR);
  });

  it('defers outside the window until it opens (rate-limited)', () => {
    const now = new Date('2024-05-01T14:00:00Z'); // 22:00 Shanghai
    const error = (() => {
      try {
        enforceSendWindow(window, now);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SendError);
    expect(error).toMatchObject({
      kind: 'rate-limited',
      details: { providerCode: 'outside-window', retryAfterMs: 10 * HOUR },
    });
    expect(isOptedOut(error)).toBe(false);
  });

  it('fails permanently outside the window when told to', () => {
    const strict = sendWindowSchema.parse({ outside: 'fail' });
    expect(() => enforceSendWindow(strict, new Date('2024-05-01T14:00:00Z'))).toThrow(
      expect.objectContaining({
        kind: 'permanent',
        message: expect.stringMatching(/outside the allowed window/i),
      }),
    );
  });

  it('lets messages through inside the window or without one', () => {
    expect(() => enforceSendWindow(window, new Date('2024-05-01T02:00:00Z'))).not.toThrow();
    expect(() => enforceSendWindow(undefined, new Date('2024-05-01T14:00:00Z'))).not.toThrow();
  });

  it('rejects unknown time zones and malformed times', () => {
    expect(sendWindowSchema.safeParse({ timeZone: 'Mars/Olympus' }).success).toBe(false);
    expect(sendWindowSchema.safeParse({ start: '8:00' }).success).toBe(false);
  });
});

describe('isOptInReply', () => {
  it('takes the keywords Twilio lifts its block on, read like opt-outs', () => {
    for (const reply of ['START', ' start ', 'Unstop', 'ＹＥＳ', 'yes!'])
      expect(isOptInReply(reply), reply).toBe(true);
    for (const reply of ['STOP', 'R', 'start again please', 'yes please', ''])
      expect(isOptInReply(reply), reply).toBe(false);
  });
});
