import { describe, expect, it } from 'vitest';
import { legacyStableFraction, stableFraction } from './stable-hash';

describe('stable hash', () => {
  it('keeps the legacy hash FNV-1a (32 bit), checked against the published test vectors', () => {
    expect(legacyStableFraction('') * 0x1_0000_0000).toBe(0x811c9dc5);
    expect(legacyStableFraction('a') * 0x1_0000_0000).toBe(0xe40c292c);
    expect(legacyStableFraction('foobar') * 0x1_0000_0000).toBe(0xbf9cf968);
  });

  it('spreads one-character differences over the whole range', () => {
    const values = Array.from({ length: 10 }, (_, i) => stableFraction(`c${i}`));
    for (const v of values) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
    }
    // Ten consecutive ids fall into at least 5 of 10 equal buckets (they shared one before mixing).
    expect(new Set(values.map((v) => Math.floor(v * 10))).size).toBeGreaterThanOrEqual(5);
    expect(
      new Set(Array.from({ length: 10 }, (_, i) => Math.floor(legacyStableFraction(`c${i}`) * 10))).size,
    ).toBeLessThan(5);
  });
});
