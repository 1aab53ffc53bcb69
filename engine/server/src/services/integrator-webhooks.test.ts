import { describe, expect, it } from 'vitest';
import { retryDelay } from './integrator-webhooks';

describe('retryDelay', () => {
  it('doubles from the base after each failed attempt, up to the most', () => {
    const waits = [1, 2, 3, 4, 5, 6].map((attempts) => retryDelay(attempts, 1000, 10_000, 0));
    expect(waits).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('takes up to a fifth off at random, so recovered endpoints are not hit all at once', () => {
    expect(retryDelay(3, 1000, 10_000, 1)).toBe(3200);
    expect(retryDelay(3, 1000, 10_000, 0.5)).toBe(3600);
  });
});
