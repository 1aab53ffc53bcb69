import type { Sql } from 'postgres';

/** The final answers given to webhook deliveries that carried an Idempotency-Key, for replaying. */
export class WebhookAnswerRepository {
  constructor(private readonly sql: Sql) {}

  async find(flowId: string, key: string): Promise<{ status: number; response: unknown } | undefined> {
    const [seen] = await this.sql<{ status: number; response: unknown }[]>`
      select status, response from webhook_deliveries where flow_id = ${flowId} and idempotency_key = ${key}`;
    return seen;
  }

  /** Keeps the first answer for the key; a later one for the same key is dropped. */
  async keep(flowId: string, key: string, status: number, response: unknown): Promise<void> {
    await this.sql`
      insert into webhook_deliveries (flow_id, idempotency_key, status, response)
      values (${flowId}, ${key}, ${status}, ${this.sql.json(response as never)})
      on conflict do nothing`;
  }
}
