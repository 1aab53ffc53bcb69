import type { Sql } from 'postgres';

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

/** A store in this process's memory: for tests and single-process use only. */
export function memoryMassSendStore(): MassSendStore & { records: Map<string, MassSendRecord> } {
  const records = new Map<string, MassSendRecord>();
  return {
    records,
    async get(key) {
      const record = records.get(key);
      return record ? { ...record } : undefined;
    },
    async recordAttempt(key, at, previousAttemptAt) {
      const record = records.get(key);
      if (record?.lastAttemptAt !== previousAttemptAt || record?.msgid) return false;
      records.set(key, { firstAttemptAt: record?.firstAttemptAt ?? at, lastAttemptAt: at });
      return true;
    },
    async complete(key, msgid) {
      const record = records.get(key);
      records.set(key, {
        firstAttemptAt: record?.firstAttemptAt ?? 0,
        lastAttemptAt: record?.lastAttemptAt ?? 0,
        msgid,
      });
    },
  };
}

/** The table behind the Postgres store; belongs in the engine's migrations. */
export const WECOM_MASS_SEND_ATTEMPTS_DDL = `create table if not exists wecom_mass_send_attempts (
  idempotency_key text primary key,
  first_attempt_at timestamptz not null,
  last_attempt_at timestamptz not null,
  attempts integer not null default 1,
  msgid text
)`;

/**
 * The store in Postgres, shared by all workers. It creates its table on first use when no migration
 * did, under an advisory lock so workers starting together do not race on the catalog.
 */
export function postgresMassSendStore(sql: Sql): MassSendStore {
  let ready: Promise<void> | undefined;
  const ensure = () => {
    ready ??= sql
      .begin(async (tx) => {
        await tx`select pg_advisory_xact_lock(hashtext('wecom_mass_send_attempts'))`;
        await tx.unsafe(WECOM_MASS_SEND_ATTEMPTS_DDL);
      })
      .then(
        () => undefined,
        (error: unknown) => {
          ready = undefined;
          throw error;
        },
      );
    return ready;
  };
  return {
    async get(key) {
      await ensure();
      const [row] = await sql<{ first_attempt_at: Date; last_attempt_at: Date; msgid: string | null }[]>`
        select first_attempt_at, last_attempt_at, msgid from wecom_mass_send_attempts
        where idempotency_key = ${key}`;
      if (!row) return undefined;
      return {
        firstAttemptAt: row.first_attempt_at.getTime(),
        lastAttemptAt: row.last_attempt_at.getTime(),
        msgid: row.msgid ?? undefined,
      };
    },
    async recordAttempt(key, at, previousAttemptAt) {
      await ensure();
      const when = new Date(at);
      const rows =
        previousAttemptAt === undefined
          ? await sql`
              insert into wecom_mass_send_attempts (idempotency_key, first_attempt_at, last_attempt_at)
              values (${key}, ${when}, ${when})
              on conflict (idempotency_key) do nothing
              returning 1`
          : await sql`
              update wecom_mass_send_attempts
              set last_attempt_at = ${when}, attempts = attempts + 1
              where idempotency_key = ${key} and msgid is null
                and last_attempt_at = ${new Date(previousAttemptAt)}
              returning 1`;
      return rows.length === 1;
    },
    async complete(key, msgid) {
      await ensure();
      await sql`
        insert into wecom_mass_send_attempts (idempotency_key, first_attempt_at, last_attempt_at, msgid)
        values (${key}, now(), now(), ${msgid})
        on conflict (idempotency_key) do update set msgid = excluded.msgid`;
    },
  };
}
