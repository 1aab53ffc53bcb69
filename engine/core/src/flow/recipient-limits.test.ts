import { describe, expect, it } from 'vitest';
import { MASS_SEND_LIMIT } from '../test-support';
import { applyQuotas, quotaPeriod, steadyRate } from './recipient-limits';

describe('recipient limits', () => {
  it("counts the days of the month in the limit's own zone", () => {
    // 31 January 20:00 UTC is already 1 February in Shanghai.
    expect(quotaPeriod(Date.parse('2026-01-31T20:00:00Z'), MASS_SEND_LIMIT)).toEqual({
      key: '2026-02',
      max: 28,
      text: '28 in 2026-02',
    });
    expect(quotaPeriod(Date.parse('2026-01-31T10:00:00Z'), MASS_SEND_LIMIT).max).toBe(31);
  });

  it('puts the quotas admins set in place of the declared ones, by limit id', () => {
    const [weekly] = applyQuotas([MASS_SEND_LIMIT], { [MASS_SEND_LIMIT.id]: { max: 7, per: 'week' } });
    expect(weekly!.perRecipient).toEqual({ max: 7, per: 'week', zone: 'Asia/Shanghai' });
    expect(quotaPeriod(Date.parse('2026-03-02T10:00:00+08:00'), weekly!)).toEqual({
      key: '2026-W10',
      max: 7,
      text: '7 a week',
    });
    expect(applyQuotas([MASS_SEND_LIMIT], { other: { max: 1, per: 'day' } })).toEqual([MASS_SEND_LIMIT]);
    // A quota named like an Object property is not taken for one.
    expect(applyQuotas([{ ...MASS_SEND_LIMIT, id: 'toString' }], {})[0]!.perRecipient.max).toBe(
      'daysInMonth',
    );
  });

  it('reads the steadiest sending a quota allows', () => {
    expect(steadyRate({ max: 'daysInMonth', per: 'month' })).toEqual({ max: 1, windowMs: 86_400_000 });
    expect(steadyRate({ max: 1, per: 'day' })).toEqual({ max: 1, windowMs: 86_400_000 });
    expect(steadyRate({ max: 7, per: 'week' })).toEqual({ max: 7, windowMs: 7 * 86_400_000 });
  });
});
