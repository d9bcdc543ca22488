import type { Delivery, NotifyMessage } from '../core/index.ts';
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

const OPEN = new Set(['new', 'acknowledged', 'investigating', 'contained']);

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

  constructor(
    private readonly store: Store,
    private readonly options: SenderOptions,
  ) {}

  /** Attempts cut short by a crash are due again. */
  async recover(): Promise<number> {
    const stuck = await this.store.dueDeliveries('sending', Number.MAX_SAFE_INTEGER, 100_000);
    for (const delivery of stuck) await this.store.saveDelivery({ ...delivery, status: 'pending' });
    return stuck.length;
  }

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
  }

  private async drain(): Promise<void> {
    for (;;) {
      const now = this.options.now().getTime();
      const due = [...(await this.store.dueDeliveries('pending', now, 500)), ...(await this.store.dueDeliveries('held', now, 500))];
      if (due.length === 0 || this.stopped) return;
      const byChannel = new Map<string, Delivery[]>();
      for (const delivery of due) {
        let list = byChannel.get(delivery.channel);
        if (!list) byChannel.set(delivery.channel, (list = []));
        list.push(delivery);
      }
      await Promise.all([...byChannel.values()].map(async (list) => {
        for (const delivery of list) {
          if (this.stopped) return;
          await this.deliver(delivery);
        }
      }));
      if (due.length < 500) return;
    }
  }

  /** One attempt at one delivery, recorded before and after. */
  async deliver(delivery: Delivery): Promise<Delivery> {
    const channel = this.options.channels().get(delivery.channel);
    const now = this.options.now();
    if (!channel) return this.finish(delivery, 'failed', `no channel named ${delivery.channel} is configured`);
    if (delivery.condition === 'unacknowledged' && delivery.incident_id) {
      const incident = await this.store.getIncident(delivery.incident_id);
      if (!incident || incident.acknowledged_at || !OPEN.has(incident.status)) return this.finish(delivery, 'cancelled', 'acknowledged before the escalation was due');
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
    const attempt: Delivery = { ...delivery, status: 'sending', attempts: delivery.attempts + 1 };
    await this.store.saveDelivery(attempt);
    const thread = delivery.incident_id ? await this.store.getThread(delivery.channel, delivery.incident_id) : null;
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const result = await channel.send(message, thread, { fetch: this.options.fetch ?? fetch, now: this.options.now, signal });
      if (result.thread && delivery.incident_id) await this.store.putThread(delivery.channel, delivery.incident_id, result.thread);
      for (const f of folded) await this.store.saveDelivery({ ...f, status: 'digested', sent_at: now.toISOString() });
      const sent: Delivery = { ...attempt, status: 'sent', sent_at: this.options.now().toISOString(), last_error: null, message };
      await this.store.saveDelivery(sent);
      return sent;
    } catch (error) {
      const problem = error instanceof DeliveryError ? error : new DeliveryError(error instanceof Error ? error.message : String(error), true);
      const reason = signal.aborted ? `timed out after ${this.options.timeoutMs} ms` : problem.message;
      if (!problem.retryable || attempt.attempts >= this.options.maxAttempts) {
        return this.finish(attempt, 'failed', `${reason}${problem.retryable ? ` (gave up after ${attempt.attempts} attempts)` : ''}`);
      }
      const backoff = backoffDelay(attempt.attempts - 1, this.options.baseBackoffMs ?? 2000, this.options.maxBackoffMs ?? 300_000);
      const wait = Math.max(backoff, problem.retryAfterMs ?? 0, 250);
      const retry: Delivery = { ...attempt, status: 'pending', last_error: reason, next_attempt_at: new Date(this.options.now().getTime() + wait).toISOString() };
      await this.store.saveDelivery(retry);
      return retry;
    }
  }

  private async finish(delivery: Delivery, status: 'failed' | 'cancelled', reason: string): Promise<Delivery> {
    const done: Delivery = { ...delivery, status, last_error: reason };
    await this.store.saveDelivery(done);
    if (status === 'failed') {
      this.options.logger.warn({ delivery: delivery.id, channel: delivery.channel, reason }, 'notification given up');
      await this.options.onFailed?.(done).catch((error) => this.options.logger.error({ err: error }, 'failure not recorded on the incident'));
    }
    return done;
  }
}
