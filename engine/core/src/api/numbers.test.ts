import { describe, expect, it } from 'vitest';
import {
  INT_MAX,
  POINTS_LIMIT,
  Points,
  SerialIdText,
  VersionNumber,
  VersionText,
  wholeNumber,
} from './numbers';

describe('whole numbers as requests give them', () => {
  it("take Postgres's int range and refuse past it, in bodies and in text", () => {
    expect(VersionNumber.parse(INT_MAX)).toBe(INT_MAX);
    expect(VersionText.parse(String(INT_MAX))).toBe(INT_MAX);
    for (const bad of [INT_MAX + 1, 99_999_999_999, 0, -1, 1.5, Number.NaN])
      expect(VersionNumber.safeParse(bad).success, String(bad)).toBe(false);
    for (const bad of ['2147483648', '99999999999', '0', '-1', '1.5', 'NaN', 'x', '1e308'])
      expect(VersionText.safeParse(bad).success, bad).toBe(false);
  });

  it('say what is wrong in en and zh', () => {
    const issue = VersionNumber.safeParse(99_999_999_999).error?.issues[0];
    expect(issue?.message).toBe(`Must be at most ${INT_MAX}. / 不能大于 ${INT_MAX}。`);
    expect(wholeNumber(1, 10).safeParse(1.5).error?.issues[0]?.message).toMatch(/whole number.*整数/);
  });

  it("bound points so that a change of balance fits the ledger's int too", () => {
    expect(Points.parse(-POINTS_LIMIT)).toBe(-POINTS_LIMIT);
    expect(Points.safeParse(POINTS_LIMIT + 1).success).toBe(false);
    expect(POINTS_LIMIT - -POINTS_LIMIT).toBeLessThanOrEqual(INT_MAX);
  });

  it('read a bigserial id as digits within a bigint, never throwing on other text', () => {
    expect(SerialIdText.parse('9223372036854775807')).toBe('9223372036854775807');
    for (const bad of ['9223372036854775808', '99999999999999999999', '1.5', '-1', '', 'x', ' 1'])
      expect(SerialIdText.safeParse(bad).success, bad).toBe(false);
  });
});
