import type { Sql } from 'postgres';

/** A webhook delivery's answer kept for its Idempotency-Key, and what that delivery asked for. */
export interface KeptAnswer {
  status: number;
  response: unknown;
  /** The SHA-256 of the delivery's body, keys sorted; absent on answers kept before it was. */
  bodyHash?: string;
}

/** The final answers given to webhook deliveries that carried an Idempotency-Key, for replaying. */
export class WebhookAnswerRepository {
  constructor(private readonly sql: Sql) {}

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
