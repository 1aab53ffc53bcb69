import type { ContactChangeSet, ContactsPort, InboundFact } from '@sopflow/connectors';
import type { Contact } from '@sopflow/core';
import type { Database } from '../persistence';
import type { ContactWrite } from '../persistence/contacts';
import type { ContactChanges } from './contact-changes';
import type { EventOutcome, EventRouter } from './events';

type ContactEventFact = Extract<InboundFact, { kind: 'contact-event' }>;

const listOf = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/**
 * A contact as a provider's changes leave it (pure): attributes set (null removes), values added
 * to or taken out of list attributes once each, the name only when it had none, and the tags the
 * provider keeps replaced by its new list while every other tag stays.
 */
export function applyContactChangeSet(contact: Contact, changes: ContactChangeSet): Contact {
  const attributes: Record<string, unknown> = { ...contact.attributes };
  for (const [key, value] of Object.entries(changes.attributes ?? {})) {
    if (value === null) delete attributes[key];
    else attributes[key] = value;
  }
  for (const [key, values] of Object.entries(changes.addToLists ?? {}))
    attributes[key] = [...new Set([...listOf(attributes[key]), ...values])];
  for (const [key, values] of Object.entries(changes.removeFromLists ?? {})) {
    const drop = new Set(values);
    attributes[key] = listOf(attributes[key]).filter((v) => !drop.has(v));
  }
  let tags = contact.tags;
  if (changes.providerTags) {
    const { attribute, tags: now } = changes.providerTags;
    const before = new Set(listOf(contact.attributes[attribute]));
    tags = [...new Set([...contact.tags.filter((t) => !before.has(t)), ...now])];
    attributes[attribute] = [...new Set(now)];
  }
  const name = contact.name || changes.nameIfUnset;
  return { ...contact, ...(name ? { name } : {}), attributes, tags };
}

/**
 * Events providers report about contacts they name by an address (a WeCom customer adding a staff
 * member): the contact is found by the address, or created with it; the event's changes are
 * applied once (keyed by the event's id) and pushed to the contact's running flows, the channel
 * opted in or out when the provider says so; then the event
 * is posted, so a flow it starts reads the changed contact. Also the contacts port connectors'
 * jobs change contacts through.
 */
export class ContactEvents implements ContactsPort {
  constructor(
    private readonly store: Pick<Database, 'contacts'>,
    private readonly events: Pick<EventRouter, 'post'>,
    private readonly changes: Pick<ContactChanges, 'push'>,
  ) {}

  async take(fact: ContactEventFact): Promise<{ contactId: string; outcome: EventOutcome }> {
    const contact = await this.store.contacts.findOrCreateByAddress(
      fact.address.kind,
      fact.address.value,
      fact.newContactId,
    );
    // Keyed by the event: a redelivery, or a retry after a crash between here and the post, changes nothing again.
    if (fact.changes) await this.apply(contact.id, fact.changes, `inbound:${fact.id}`);
    // Applied on every delivery: opting in or out again is harmless.
    if (fact.subscription) {
      const { channel, subscribed } = fact.subscription;
      const written = subscribed
        ? await this.store.contacts.resubscribe(contact.id, channel)
        : await this.store.contacts.unsubscribe(contact.id, channel);
      if (written) await this.changes.push([written]);
    }
    const outcome = await this.events.post({
      id: fact.id,
      contactId: contact.id,
      name: fact.name,
      payload: fact.payload,
    });
    return { contactId: contact.id, outcome };
  }

  async change(address: { kind: string; value: string }, changes: ContactChangeSet): Promise<boolean> {
    const contactId = await this.store.contacts.idByAddress(address.kind, [address.value]);
    if (!contactId) return false;
    return (await this.apply(contactId, changes)) !== undefined;
  }

  private async apply(
    contactId: string,
    changes: ContactChangeSet,
    idempotencyKey?: string,
  ): Promise<ContactWrite | undefined> {
    const written = await this.store.contacts.change(contactId, idempotencyKey, (contact) =>
      applyContactChangeSet(contact, changes),
    );
    if (written?.changed) await this.changes.push([written]);
    return written;
  }
}
