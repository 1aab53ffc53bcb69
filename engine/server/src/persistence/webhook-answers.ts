import type { Sql } from 'postgres';

/** A webhook delivery's answer kept for its Idempotency-Key, and what that delivery asked for. */
export interface KeptAnswer {
  status: number;
  response: unknown;
  /** The SHA-256 of the delivery's body, keys sorted; absent on answers kept before it was. */
  bodyHash?: string;
}

/**
 * The final answers given to webhook deliveries that carried an Idempotency-Key, for replaying;
 * and the signatures of deliveries taken, for refusing replays of a captured one.
 */
export class WebhookAnswerRepository {
  private sightings = 0;

  constructor(private readonly sql: Sql) {}

  /**
   * Notes a delivery's signature; false when it was noted before (a replay). Signatures older than
   * `forgetAfterSeconds` (past the signing tolerance, so refused anyway) are purged now and then.
   */
  async firstSighting(flowId: string, signature: string, forgetAfterSeconds: number): Promise<boolean> {
    if (++this.sightings % 100 === 0)
      await this.sql`
        delete from webhook_signatures_seen where seen_at < now() - make_interval(secs => ${forgetAfterSeconds})`;
    const inserted = await this.sql`
      insert into webhook_signatures_seen (flow_id, signature) values (${flowId}, ${signature})
      on conflict do nothing returning 1`;
    return inserted.length === 1;
  }

  /** Forgets a sighting whose delivery got no final answer, so the sender's retry is taken. */
  async forgetSighting(flowId: string, signature: string): Promise<void> {
    await this
      .sql`delete from webhook_signatures_seen where flow_id = ${flowId} and signature = ${signature}`;
  }

  async find(flowId: string, key: string): Promise<KeptAnswer | undefined> {
    const [seen] = await this.sql<{ status: number; response: unknown; body_hash: string | null }[]>`
      select status, response, body_hash from webhook_deliveries
      where flow_id = ${flowId} and idempotency_key = ${key}`;
    if (!seen) return undefined;
    return {
      status: seen.status,
      response: seen.response,
      ...(seen.body_hash ? { bodyHash: seen.body_hash } : {}),
    };
  }

  /** Keeps the first answer for the key; a later one for the same key is dropped. */
  async keep(flowId: string, key: string, answer: Required<KeptAnswer>): Promise<void> {
    await this.sql`
      insert into webhook_deliveries (flow_id, idempotency_key, status, response, body_hash)
      values (${flowId}, ${key}, ${answer.status}, ${this.sql.json(answer.response as never)}, ${answer.bodyHash})
      on conflict do nothing`;
  }
}
