import { isOpenStatus, type Delivery, type NotifyMessage } from '../core/index.ts';
import { backoffDelay, type Logger } from '../lib/index.ts';
import type { Store } from '../store/index.ts';
import { DeliveryError, type Channel } from './channel.ts';

export interface SenderOptions {
  channels: () => ReadonlyMap<string, Channel>;
  maxAttempts: number;
  timeoutMs: number;
  now: () => Date;
  fetch?: typeof fetch;
  /** Told when a delivery is given up (the incident's timeline says so). */
  onFailed?: (delivery: Delivery) => Promise<void>;
  logger: Logger;
  /** Backoff: first retry ceiling and cap (ms). */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

/** Deliveries in flight at once (different incidents or channels). */
const SENDERS = 16;
/** Outcomes per group commit, and the longest an outcome waits for its group. */
const GROUP = 32;
const FLUSH_MS = 20;

/**
 * Delivers the outbox: due deliveries in order, one at a time per channel (an incident's messages
 * arrive in order, a Slack post before its update) and channels side by side. A failure is
 * retried with exponential backoff and jitter, never sooner than the receiver's Retry-After;
 * every attempt carries the same idempotency key, so a retry after a crash does not double a
 * message at a receiver that honours it.
 */
export class OutboxSender {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private outcomes: Delivery[] = [];
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly options: SenderOptions,
  ) {}

  start(pollMs = 500): void {
    this.timer = setInterval(() => this.kick(), pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Sends what is due now (coalesced: a kick while running runs once more after). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((error) => this.options.logger.error({ err: error }, 'outbox run failed'))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.flush();
  }

  private async drain(): Promise<void> {
    for (;;) {
      const now = this.options.now().getTime();
      const due = await this.store.dueDeliveries(['pending', 'held'], now, 500);
      if (due.length === 0 || this.stopped) return;
      // One queue per channel and incident: an incident's messages stay in order (a Slack post
      // before its update), different incidents and channels go side by side.
      const queues = new Map<string, Delivery[]>();
      for (const delivery of due) {
        const key = `${delivery.channel}\u0000${delivery.incident_id ?? delivery.id}`;
        let queue = queues.get(key);
        if (!queue) queues.set(key, (queue = []));
        queue.push(delivery);
      }
      const pending = [...queues.values()];
      const worker = async () => {
        for (let queue = pending.shift(); queue; queue = pending.shift()) {
          for (const delivery of queue) {
            if (this.stopped) return;
            await this.record(await this.attempt(delivery));
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(SENDERS, pending.length) }, worker));
      await this.flush();
      if (due.length < 500) return;
    }
  }

  /**
   * Outcomes are written in small group commits (one transaction per GROUP outcomes or per few
   * milliseconds), not one fsync per message. A crash loses at most the unwritten outcomes, and
   * those deliveries go again under the same idempotency keys.
   */
  private async record(outcome: Delivery): Promise<void> {
    this.outcomes.push(outcome);
    if (this.outcomes.length >= GROUP) await this.flush();
    else this.flushTimer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  private async flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const batch = this.outcomes.splice(0);
    if (batch.length > 0) await this.store.saveDeliveries(batch);
  }

  /**
   * One attempt at one delivery; the caller records the outcome. Nothing is written before the
   * attempt: a crash during it leaves the delivery due, and it goes again under the same key.
   */
  private async attempt(delivery: Delivery): Promise<Delivery> {
    const channel = this.options.channels().get(delivery.channel);
    const now = this.options.now();
    if (!channel) return this.finish(delivery, 'failed', `no channel named ${delivery.channel} is configured`);
    if (delivery.condition === 'unacknowledged' && delivery.incident_id) {
      const incident = await this.store.getIncident(delivery.incident_id);
      if (!incident || incident.acknowledged_at || !isOpenStatus(incident.status)) return this.finish(delivery, 'cancelled', 'acknowledged before the escalation was due');
    }
    let message: NotifyMessage = delivery.message;
    let folded: Delivery[] = [];
    if (delivery.event === 'digest') {
      folded = (await this.store.searchDeliveries({ status: 'folded', digest_id: delivery.id, limit: 1000 })).items.reverse();
      if (folded.length === 0) return this.finish(delivery, 'cancelled', 'nothing was folded into it');
      message = {
        ...delivery.message,
        text: `${folded.length} more notification${folded.length === 1 ? '' : 's'} on ${delivery.channel} (over its rate limit)`,
        digest: folded.map((f) => ({ incident_id: f.incident_id ?? '', title: f.message.incident?.title ?? f.message.text, priority: (f.priority ?? 'P5') as never, event: f.event, at: f.message.at })),
      };
    }
    const attempt: Delivery = { ...delivery, attempts: delivery.attempts + 1 };
    const thread = delivery.incident_id ? await this.store.getThread(delivery.channel, delivery.incident_id) : null;
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const result = await channel.send(message, thread, { fetch: this.options.fetch ?? fetch, now: this.options.now, signal });
      if (result.thread && delivery.incident_id) await this.store.putThread(delivery.channel, delivery.incident_id, result.thread);
      await this.store.saveDeliveries(folded.map((f) => ({ ...f, status: 'digested' as const, sent_at: now.toISOString() })));
      return { ...attempt, status: 'sent', sent_at: this.options.now().toISOString(), last_error: null, message };
    } catch (error) {
      const problem = error instanceof DeliveryError ? error : new DeliveryError(error instanceof Error ? error.message : String(error), true);
      const reason = signal.aborted ? `timed out after ${this.options.timeoutMs} ms` : problem.message;
      if (!problem.retryable || attempt.attempts >= this.options.maxAttempts) {
        return this.finish(attempt, 'failed', `${reason}${problem.retryable ? ` (gave up after ${attempt.attempts} attempts)` : ''}`);
      }
      const backoff = backoffDelay(attempt.attempts - 1, this.options.baseBackoffMs ?? 2000, this.options.maxBackoffMs ?? 300_000);
      const wait = Math.max(backoff, problem.retryAfterMs ?? 0, 250);
      return { ...attempt, status: 'pending', last_error: reason, next_attempt_at: new Date(this.options.now().getTime() + wait).toISOString() };
    }
  }

  private async finish(delivery: Delivery, status: 'failed' | 'cancelled', reason: string): Promise<Delivery> {
    const done: Delivery = { ...delivery, status, last_error: reason };
    if (status === 'failed') {
      this.options.logger.warn({ delivery: delivery.id, channel: delivery.channel, reason }, 'notification given up');
      await this.options.onFailed?.(done).catch((error) => this.options.logger.error({ err: error }, 'failure not recorded on the incident'));
    }
    return done;
  }
}
