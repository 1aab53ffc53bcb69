import { describe, expect, it } from 'vitest';
import type { MassSendStore } from './mass-send-store';

/** The store's contract; test/wecom-mass-send-store.test.ts runs it against Postgres too. */
export function contract(name: string, make: () => MassSendStore) {
  describe(name, () => {
    it('records attempts with compare-and-set, then the msgid', async () => {
      const store = make();
      const key = `key-${Math.random()}`;
      expect(await store.get(key)).toBeUndefined();
      expect(await store.recordAttempt(key, 1_000, undefined)).toBe(true);
      // A second attempt that read "no record" lost the race.
      expect(await store.recordAttempt(key, 1_001, undefined)).toBe(false);
      expect(await store.get(key)).toEqual({ firstAttemptAt: 1_000, lastAttemptAt: 1_000 });
      expect(await store.recordAttempt(key, 5_000, 1_000)).toBe(true);
      expect(await store.recordAttempt(key, 6_000, 1_000)).toBe(false);
      expect(await store.get(key)).toEqual({ firstAttemptAt: 1_000, lastAttemptAt: 5_000 });
      await store.complete(key, 'msg-1');
      expect(await store.get(key)).toEqual({ firstAttemptAt: 1_000, lastAttemptAt: 5_000, msgid: 'msg-1' });
      // Done is done.
      expect(await store.recordAttempt(key, 7_000, 5_000)).toBe(false);
    });
  });
}
