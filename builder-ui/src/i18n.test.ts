import { describe, expect, it } from 'vitest';
import { formatTime, preferredLocale } from './i18n';

describe('times as operators read them', () => {
  const at = '2026-12-07T04:10:00Z';

  it('names the zone they are in, in each language', () => {
    expect(formatTime(at, 'zh', 'Asia/Shanghai')).toBe('2026/12/7 12:10 GMT+8');
    expect(formatTime(at, 'en', 'UTC')).toMatch(/^12\/7\/26, 4:10\sAM UTC$/);
    expect(formatTime(Date.parse(at), 'en', 'America/New_York')).toMatch(/^12\/6\/26, 11:10\sPM EST$/);
  });

  it('picks the browser language first, then the operator’s choice', () => {
    expect(preferredLocale(null, ['zh-CN', 'en'])).toBe('zh');
    expect(preferredLocale(null, ['en-GB'])).toBe('en');
    expect(preferredLocale('en', ['zh-CN'])).toBe('en');
  });
});
