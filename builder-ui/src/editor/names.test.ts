import { describe, expect, it } from 'vitest';
import { flowMatches, loadPinyin, slugify } from './names';

describe('flow ids from names', () => {
  it('keeps Latin names, and makes none from Chinese without the pinyin dictionary', () => {
    expect(slugify('VIP Welcome 2026!')).toBe('vip-welcome-2026');
    expect(slugify('入群欢迎')).toBeUndefined();
  });

  it('reads Chinese names as pinyin, keeping Latin words and digits among them', async () => {
    const pinyin = await loadPinyin();
    expect(slugify('入群欢迎', pinyin)).toBe('ru-qun-huan-ying');
    expect(slugify('VIP 第1天 促销！', pinyin)).toBe('vip-di-1-tian-cu-xiao');
    expect(slugify('绿色', pinyin)).toBe('lv-se');
    expect(slugify('！？', pinyin)).toBeUndefined();
    const long = slugify('一二三四五六七八九十'.repeat(3), pinyin)!;
    expect(long.length).toBeLessThanOrEqual(48);
    expect(long).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });
});

describe('searching flows', () => {
  const flows = [
    { id: 'welcome-vip', name: '欢迎新人' },
    { id: 'promo-618', name: '618 Promo' },
    { id: 'nurture', name: 'Nurture 培育' },
  ];
  const found = (query: string, pinyin?: Awaited<ReturnType<typeof loadPinyin>>) =>
    flows.filter((f) => flowMatches(f, query, pinyin)).map((f) => f.id);

  it('finds by name or id, any case, every word', () => {
    expect(found('PROMO')).toEqual(['promo-618']);
    expect(found('vip')).toEqual(['welcome-vip']);
    expect(found('新人')).toEqual(['welcome-vip']);
    expect(found('618 promo')).toEqual(['promo-618']);
    expect(found('618 nurture')).toEqual([]);
    expect(found('   ')).toEqual(flows.map((f) => f.id));
  });

  it('finds Chinese names by pinyin and by initials', async () => {
    const pinyin = await loadPinyin();
    expect(found('hyxr', pinyin)).toEqual(['welcome-vip']);
    expect(found('huanying', pinyin)).toEqual(['welcome-vip']);
    expect(found('peiyu', pinyin)).toEqual(['nurture']);
    expect(found('hyxr')).toEqual([]);
    expect(found('zzz', pinyin)).toEqual([]);
  });
});
