import type { ConnectorRecords } from '../connector';

/**
 * What the mass-send connector remembers about each idempotency key: that an attempt to create a
 * task began (and when), and the task's msgid once WeCom answered. See mass-send-connector.ts.
 */
export interface MassSendRecord {
  firstAttemptAt: number;
  lastAttemptAt: number;
  msgid?: string;
}

export interface MassSendStore {
  get(key: string): Promise<MassSendRecord | undefined>;
  /**
   * Records that an attempt starts at `at`, if the record is still as the caller read it
   * (`previousAttemptAt`: its last attempt, or undefined for none). False when another attempt got there
   * first: the caller must not create a task then.
   */
  recordAttempt(key: string, at: number, previousAttemptAt: number | undefined): Promise<boolean>;
  complete(key: string, msgid: string): Promise<void>;
}

/**
 * The store on the connector's own records (in Postgres when the server runs it, shared by all
 * workers): one record per key, every change a compare-and-set on its version.
 */
export function recordsMassSendStore(records: ConnectorRecords): MassSendStore {
  return {
    async get(key) {
      return (await records.get<MassSendRecord>(key))?.value;
    },
    async recordAttempt(key, at, previousAttemptAt) {
      const current = await records.get<MassSendRecord>(key);
      if (current?.value.lastAttemptAt !== previousAttemptAt || current?.value.msgid) return false;
      const next: MassSendRecord = { firstAttemptAt: current?.value.firstAttemptAt ?? at, lastAttemptAt: at };
      return records.put(key, next, current?.version);
    },
    async complete(key, msgid) {
      // Only attempts race here, and an attempt never overwrites a msgid: a lost race is re-read and retried.
      for (;;) {
        const current = await records.get<MassSendRecord>(key);
        const now = Date.now();
        const done: MassSendRecord = {
          firstAttemptAt: current?.value.firstAttemptAt ?? now,
          lastAttemptAt: current?.value.lastAttemptAt ?? now,
          msgid,
        };
        if (await records.put(key, done, current?.version)) return;
      }
    },
  };
}
