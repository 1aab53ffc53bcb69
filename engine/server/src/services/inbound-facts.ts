import {
  type Connector,
  type ConnectorRegistry,
  type InboundFact,
  isOptInReply,
  isOptOutReply,
} from '@sopflow/connectors';
import { ContactErasedError, type Database } from '../persistence';
import type { ConnectorJobs } from './connector-jobs';
import type { ContactEvents } from './contact-events';
import type { Contacts } from './contacts';
import type { EventRouter } from './events';
import type { Groups } from './groups';
import type { MessageStatuses } from './message-status';

type ContactEventFact = Extract<InboundFact, { kind: 'contact-event' }>;

export interface InboundFactsOptions {
  /**
   * Contact events processed at once; those of one contact (one address) go one after another, in
   * the order they came. Kept with `jobConcurrency` under the pool's 10 connections: a callback's
   * own insert must not queue behind the background's queries. @default 6
   */
  concurrency?: number;
  /**
   * Jobs contact events ask for (WeCom's read of the customer) run at once, apart from the events'
   * slots, so a slow provider read never holds up the flows the next events start. @default 2
   */
  jobConcurrency?: number;
  /** How long a kept fact is its process's before a sweep may take it. @default 60 s */
  leaseMs?: number;
  /** How often unprocessed facts (a stopped process's, a failed try's) are looked for. @default 10 s */
  sweepEveryMs?: number;
}

/** A failed try of a fact waits this long before the next, doubling up to `MAX_RETRY_MS`. */
const FIRST_RETRY_MS = 2_000;
const MAX_RETRY_MS = 300_000;
/** At stop, how long processing under way may finish; what does not is taken by the next start's sweep. */
const STOP_GRACE_MS = 5_000;

/**
 * What providers' callbacks report, acted on the same for every provider: a reply with an opt-out
 * word unsubscribes the contact from the channel, any other reply is a `message.received` event; an
 * event about a contact named by an address (a WeCom customer adding staff, an Official Account
 * follow) changes the contact and is posted for it (`ContactEvents`); a member joining or leaving a
 * customer group is a `member.joined` / `member.left` event; a report of what became of a message
 * moves it along its lifecycle (`MessageStatuses`); a connector may ask for one of its jobs to run in
 * the background.
 *
 * Contact events are kept in Postgres before the provider is answered and processed after (`accept`):
 * WeCom retries a callback not answered within 5 s, and under a burst of adds the contact, the
 * event and the flows it starts would hold the answers past that. A fact is kept once per provider
 * event id, so a redelivery is answered at once and processed never again; one whose processing
 * failed, or whose process stopped, is taken again by a sweep.
 */
export class InboundFacts {
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly sweepEveryMs: number;
  /** Facts kept and not yet processed in this process, by row id. */
  private readonly taking = new Set<string>();
  /** The last fact queued per contact address: the next one of that address waits for it. */
  private readonly lastOfAddress = new Map<string, Promise<void>>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly eventSlots: Slots;
  private readonly jobSlots: Slots;
  private sweeper: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly deps: {
      store: Pick<Database, 'contacts' | 'inboundFacts'>;
      contacts: Pick<Contacts, 'optOut' | 'optIn'>;
      events: Pick<EventRouter, 'post'>;
      contactEvents: Pick<ContactEvents, 'take'>;
      connectorJobs: Pick<ConnectorJobs, 'startNow' | 'runNow'>;
      groups: Pick<Groups, 'accept' | 'forget'>;
      messageStatuses: Pick<MessageStatuses, 'recordMessageStatus'>;
      registry: Pick<ConnectorRegistry, 'get'>;
    },
    options: InboundFactsOptions = {},
  ) {
    this.concurrency = options.concurrency ?? 6;
    this.eventSlots = new Slots(this.concurrency);
    this.jobSlots = new Slots(options.jobConcurrency ?? 2);
    this.leaseMs = options.leaseMs ?? 60_000;
    this.sweepEveryMs = options.sweepEveryMs ?? 10_000;
  }

  /**
   * Takes what a provider's callback reported: a contact event is kept, and answered for as soon as
   * it is (processed in the background); anything else is acted on before this returns.
   */
  async accept(connector: Connector<unknown>, fact: InboundFact): Promise<void> {
    if (fact.kind !== 'contact-event') {
      try {
        return await this.take(connector, fact);
      } catch (error) {
        if (!(error instanceof ContactErasedError)) throw error;
        console.warn(`${connector.name}: a ${fact.kind} fact about an erased contact was dropped.`);
        return;
      }
    }
    const kept = await this.deps.store.inboundFacts.keep(connector.name, fact.id, fact, this.leaseMs);
    if (kept.fresh) this.queue(kept.id, connector, fact);
  }

  /** Looks for unprocessed facts now and every `sweepEveryMs`, until `stop`. */
  startSweeping(): void {
    const sweep = () => {
      this.sweeping ??= this.sweep()
        .catch((error: unknown) => console.warn('Inbound facts: the sweep failed:', errorText(error)))
        .finally(() => {
          this.sweeping = undefined;
        });
    };
    sweep();
    this.sweeper = setInterval(sweep, this.sweepEveryMs);
    this.sweeper.unref();
  }

  /** Resolves once every fact queued in this process so far has been processed (or has failed). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /**
   * Stops sweeping and waits a little for processing under way; facts left are kept, and taken by
   * the next sweep of this or another process once their lease runs out.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweeper) clearInterval(this.sweeper);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([this.settled(), this.sweeping]),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, STOP_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
  }

  private async sweep(): Promise<void> {
    if (this.stopped) return;
    const due = await this.deps.store.inboundFacts.claimDue<ContactEventFact>(
      this.concurrency,
      this.leaseMs,
      [...this.taking],
    );
    for (const row of due) {
      const connector = this.deps.registry.get(row.connector);
      if (connector) this.queue(row.id, connector, row.fact, row.attempts);
      else
        await this.deps.store.inboundFacts.retryLater(
          row.id,
          `No connector "${row.connector}" is registered.`,
          MAX_RETRY_MS,
        );
    }
  }

  /** Processes a kept fact after the last one of its address. */
  private queue(id: string, connector: Connector<unknown>, fact: ContactEventFact, attempts = 0): void {
    this.taking.add(id);
    const address = `${fact.address.kind}:${fact.address.value}`;
    const previous = this.lastOfAddress.get(address) ?? Promise.resolve();
    const done: Promise<void> = previous
      .then(() => this.process(id, connector, fact, attempts))
      .finally(() => {
        this.taking.delete(id);
        this.inFlight.delete(done);
        if (this.lastOfAddress.get(address) === done) this.lastOfAddress.delete(address);
      });
    this.lastOfAddress.set(address, done);
    this.inFlight.add(done);
  }

  private async process(id: string, connector: Connector<unknown>, fact: ContactEventFact, attempts: number) {
    const { inboundFacts } = this.deps.store;
    try {
      await this.eventSlots.use(() => this.take(connector, fact));
      const job = fact.runJob;
      if (job) await this.jobSlots.use(() => this.runAfterEvent(connector, fact, job));
      await inboundFacts.markProcessed(id);
    } catch (error) {
      if (error instanceof ContactErasedError) {
        // An erased contact is not brought back by a provider's late word about them.
        console.warn(`${connector.name}: a ${fact.name} about an erased contact was dropped.`);
        await inboundFacts.markProcessed(id);
        return;
      }
      const retryInMs = Math.min(FIRST_RETRY_MS * 2 ** attempts, MAX_RETRY_MS);
      console.warn(
        `${fact.name} (${fact.id}) from ${connector.name} not processed; tried again in ${retryInMs / 1000} s:`,
        errorText(error),
      );
      await inboundFacts.retryLater(id, errorText(error), retryInMs).catch(() => {
        // Its lease runs out all the same: the next sweep takes it.
      });
    }
  }

  private async take(connector: Connector<unknown>, fact: InboundFact): Promise<void> {
    switch (fact.kind) {
      case 'reply':
        return this.takeReply(connector, fact);
      case 'contact-event':
        // Its job (`runJob`) runs after, in slots of its own (`process`).
        await this.deps.contactEvents.take(fact);
        return;
      case 'job':
        // Started in the background: the provider wants its answer before such a job would return.
        if (!(await this.runInBackground(connector, fact.job, fact.only)))
          console.warn(`${connector.name} asked for its ${fact.job} job, but no channel is routed to it.`);
        return;
      case 'group-dissolved':
        await this.deps.groups.forget(fact.chatId);
        return;
      case 'message-status': {
        const outcome = await this.deps.messageStatuses.recordMessageStatus(
          { connector: connector.name, providerMessageId: fact.providerMessageId },
          {
            status: fact.status,
            ...(fact.at === undefined ? {} : { at: new Date(fact.at) }),
            ...(fact.code === undefined ? {} : { code: fact.code }),
            ...(fact.detail === undefined ? {} : { detail: fact.detail }),
          },
        );
        // Answered as taken all the same: a provider retries a refused report, to no avail.
        if (outcome.kind === 'unknown-message')
          console.warn(
            `${connector.name} reported ${fact.status} for message ${fact.providerMessageId}, which sopflow did not send; ignored.`,
          );
        return;
      }
      case 'group-members': {
        const outcome = await this.deps.groups.accept(fact.chatId, fact.events);
        // Who changed, or of what kind, is for the provider's own read of the group to say.
        if (!fact.runJob || (fact.events.length > 0 && outcome.unresolved === 0)) return;
        if (!(await this.runInBackground(connector, fact.runJob, fact.chatId)))
          console.warn(
            `Customer group ${fact.chatId} changed, but no channel is routed to ${connector.name}, whose ` +
              `${fact.runJob} job reads who: members of unknown kind are not taken for customers.`,
          );
      }
    }
  }

  /**
   * A reply names its sender by the address kind it gives, else by the kind of the connector it
   * came through (a phone for SMS).
   */
  private async takeReply(connector: Connector<unknown>, reply: Extract<InboundFact, { kind: 'reply' }>) {
    const kind = reply.addressKind ?? connector.address?.name;
    if (!kind) return;
    const contactId = await this.deps.store.contacts.idByAddress(kind, reply.from);
    if (!contactId) return;
    if (isOptOutReply(reply.text)) {
      await this.deps.contacts.optOut(contactId, reply.channel);
      return;
    }
    if (reply.honoursOptIn && isOptInReply(reply.text))
      await this.deps.contacts.optIn(contactId, reply.channel);
    await this.deps.events.post({
      id: reply.id,
      contactId,
      name: 'message.received',
      payload: { ...reply.payload, channel: reply.channel, text: reply.text },
    });
  }

  /**
   * Runs the job a contact event asks for, for its contact, here: its provider has had its answer.
   * A run that fails is started as a workflow instead, whose retries take it on; the event itself
   * is processed, so it is not taken again for the job's sake.
   */
  private async runAfterEvent(connector: Connector<unknown>, fact: ContactEventFact, job: string) {
    const only = fact.address.value;
    let ran: string[];
    try {
      ran = await this.deps.connectorJobs.runNow(connector.name, job, only);
    } catch (error) {
      console.warn(
        `${job} (${connector.name}) for ${only} failed; started in the background:`,
        errorText(error),
      );
      ran = await this.deps.connectorJobs.startNow(connector.name, job, only);
    }
    if (ran.length === 0)
      console.warn(
        `${fact.name} for ${only}: no channel is routed to ${connector.name}, whose ` +
          `${job} job reads the contact's details; they are not read.`,
      );
  }

  /**
   * Starts a connector's job for one item in the background: the provider wants its answer before
   * such a read would return (WeCom retries after 5 s). Returns whether any routed channel runs it.
   */
  private async runInBackground(connector: Connector<unknown>, job: string, only: string) {
    return (await this.deps.connectorJobs.startNow(connector.name, job, only)).length > 0;
  }
}

/** At most `size` tasks at once; the others wait in the order they came. */
class Slots {
  private used = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async use<T>(task: () => Promise<T>): Promise<T> {
    if (this.used >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.used++;
    try {
      return await task();
    } finally {
      this.used--;
      this.waiting.shift()?.();
    }
  }
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
