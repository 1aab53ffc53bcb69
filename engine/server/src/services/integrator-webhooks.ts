import type { DueDelivery, IntegratorWebhookRepository } from '../persistence';
import { SIGNATURE_HEADER, signWebhook } from '../webhook-signature';

/** The header every delivery names its event in: integrators deduplicate on it. */
export const EVENT_ID_HEADER = 'x-sopflow-event-id';
export const EVENT_TYPE_HEADER = 'x-sopflow-event-type';

export interface DispatcherOptions {
  /** How long one delivery may take before it counts as failed. @default 10 000 ms */
  timeoutMs?: number;
  /** Deliveries of one subscription in flight at once (each of a different contact). @default 4 */
  concurrency?: number;
  /** How often due deliveries are looked for. @default 500 ms */
  pollMs?: number;
  /** The wait before the first retry; doubled after each failed attempt. @default 5 000 ms */
  retryBaseMs?: number;
  /** The longest wait between attempts. @default 1 hour */
  retryMaxMs?: number;
  /** Attempts before a delivery is given up on (`failed`, replayable from the log). @default 20 */
  maxAttempts?: number;
}

/**
 * The wait after the `attempts`-th failed attempt: doubling from `baseMs` up to `maxMs`, with up
 * to a fifth taken off at random so endpoints that come back are not hit by every retry at once.
 */
export function retryDelay(attempts: number, baseMs: number, maxMs: number, random = Math.random()): number {
  const full = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(full * (1 - 0.2 * random));
}

/**
 * Delivers integrators' events. Each subscription has a lane of its own: a slow or dead endpoint
 * holds only its own lane (bounded by the timeout and its concurrency), never another
 * subscription's nor a flow (flows only write rows). Runs in every worker process; workers share
 * the work through leases in Postgres (`takeDue`), and a key's events go out one after another.
 */
export class IntegratorWebhookDispatcher {
  private readonly lanes = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The last failure to look for work, logged once until looking works again (Postgres away). */
  private pollFailure: string | undefined;
  private readonly timeoutMs: number;
  private readonly concurrency: number;
  private readonly pollMs: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly maxAttempts: number;

  constructor(
    private readonly store: IntegratorWebhookRepository,
    options: DispatcherOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.concurrency = options.concurrency ?? 4;
    this.pollMs = options.pollMs ?? 500;
    this.retryBaseMs = options.retryBaseMs ?? 5_000;
    this.retryMaxMs = options.retryMaxMs ?? 3_600_000;
    this.maxAttempts = options.maxAttempts ?? 20;
  }

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  /** Stops looking for work and waits for the deliveries in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.allSettled(this.lanes.values());
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.poll()
        .then(() => {
          this.pollFailure = undefined;
        })
        .catch((error) => {
          const failure = String((error as Error).message);
          if (failure !== this.pollFailure) console.error('integrator webhooks:', error);
          this.pollFailure = failure;
        })
        .finally(() => this.schedule());
    }, this.pollMs);
  }

  /** Starts a lane for each subscription with work due that has none running here. */
  async poll(): Promise<void> {
    for (const subscription of await this.store.subscriptionsDue()) {
      if (this.lanes.has(subscription.id) || this.stopped) continue;
      const lane = this.drain(subscription)
        .catch((error) => console.error(`integrator webhooks (${subscription.id}):`, error))
        .finally(() => this.lanes.delete(subscription.id));
      this.lanes.set(subscription.id, lane);
    }
  }

  /** Delivers a subscription's due deliveries until none is due. */
  private async drain(subscription: { id: string; url: string; secret: string }): Promise<void> {
    // The lease outlives the request, so no other worker sends the same delivery meanwhile.
    const leaseMs = this.timeoutMs * 2 + 5_000;
    for (;;) {
      if (this.stopped) return;
      const due = await this.store.takeDue(subscription.id, this.concurrency, leaseMs);
      if (due.length === 0) return;
      await Promise.all(due.map((delivery) => this.deliver(subscription, delivery)));
    }
  }

  private async deliver(subscription: { url: string; secret: string }, delivery: DueDelivery): Promise<void> {
    const body = JSON.stringify(delivery.event);
    let responseCode: number | null = null;
    let error: string;
    try {
      const response = await fetch(subscription.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'sopflow-webhooks',
          [SIGNATURE_HEADER]: signWebhook(subscription.secret, body),
          [EVENT_ID_HEADER]: delivery.event.id,
          [EVENT_TYPE_HEADER]: delivery.event.type,
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      responseCode = response.status;
      // Only the status counts; the body is read (bounded by the timeout) so the connection is freed.
      const text = await response.text().catch(() => '');
      if (response.ok) {
        await this.store.markDelivered(delivery.subscriptionId, delivery.seq, response.status);
        return;
      }
      error = `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
    } catch (e) {
      const failure = e as Error;
      error =
        failure.name === 'TimeoutError'
          ? `No answer within ${this.timeoutMs} ms.`
          : `${failure.message}${failure.cause instanceof Error ? `: ${failure.cause.message}` : ''}`;
    }
    const attempts = delivery.attempts + 1;
    await this.store.markAttemptFailed(delivery.subscriptionId, delivery.seq, {
      responseCode,
      error,
      retryInMs:
        attempts >= this.maxAttempts ? undefined : retryDelay(attempts, this.retryBaseMs, this.retryMaxMs),
    });
  }
}
