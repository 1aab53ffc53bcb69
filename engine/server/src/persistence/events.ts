import type { Sql } from 'postgres';
import { type ErasureRef, ErasureRepository, erasureRefUnder } from './erasures';

/** Contact events as received, and whether each was processed. */
export class EventRepository {
  constructor(
    private readonly sql: Sql,
    /** Recognises erased contacts' ids: their events are refused (ContactErasedError), not stored. */
    private readonly erasureRef: ErasureRef = erasureRefUnder(undefined),
  ) {}

  /**
   * Records an event. A client-given id seen before for the same contact and event name makes it
   * a duplicate, unless that earlier delivery never finished processing: then it is processed
   * again. The same id for another contact or another name is another event.
   */
  async record(e: { eventId?: string; contactId: string; name: string; payload: Record<string, unknown> }) {
    await ErasureRepository.refuseErased(this.sql, this.erasureRef, [e.contactId]);
    const [row] = await this.sql<{ id: string; processed: boolean }[]>`
      insert into events (event_id, contact_id, name, payload)
      values (${e.eventId ?? null}, ${e.contactId}, ${e.name}, ${this.sql.json(e.payload as never)})
      on conflict (contact_id, name, event_id) do update set event_id = excluded.event_id
      returning id, processed_at is not null as processed`;
    return { id: row!.id, duplicate: row!.processed };
  }

  async markProcessed(id: string) {
    await this.sql`update events set processed_at = now() where id = ${id}`;
  }
}
