import type { VigilEvent } from '../core/index.ts';
import type { CommittedEvent, EventStore, WriteReceipt } from '../store/index.ts';

/** A stage after the store: sees committed events once, in commit order. */
export interface CommittedConsumer {
  readonly name: string;
  /**
   * Processes a run of events that directly follows the last one processed. It must save its
   * checkpoint (the last position) in the same commit as its output, so a crash never loses or
   * repeats work.
   */
  process(events: CommittedEvent[]): Promise<void>;
}

export interface FeedOptions {
  /** Most events handed to the consumer at once. */
  batch: number;
  /** How often to look for events committed by another process (e.g. `vigil ingest` on the same folder). */
  pollMs: number;
  onError?: (error: unknown) => void;
}

/**
 * Feeds committed events to a consumer in commit order. Events come straight from ingest when
 * they follow on; after a restart, a gap, or writes by another process, they are read back from
 * the store from the consumer's checkpoint. `pending()` is committed minus processed.
 */
export class CommittedFeed {
  private processed = 0;
  private known = 0;
  private readonly queue: CommittedEvent[][] = [];
  private running = false;
  private stopped = false;
  private wake: (() => void) | null = null;
  private idleWaiters: Array<() => void> = [];
  private poller: NodeJS.Timeout | null = null;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly store: Pick<EventStore, 'readCommitted' | 'lastPosition' | 'checkpoint'>,
    private readonly consumer: CommittedConsumer,
    private readonly options: FeedOptions,
  ) {}

  async start(): Promise<void> {
    this.processed = await this.store.checkpoint(this.consumer.name);
    this.known = Math.max(this.processed, await this.store.lastPosition());
    this.poller = setInterval(() => {
      void this.store.lastPosition().then((last) => this.learn(last), this.options.onError);
    }, this.options.pollMs);
    this.poller.unref();
    this.loop = this.run();
  }

  /** Hands over just-committed events (the fast path: no read-back). */
  offer(events: VigilEvent[], receipt: WriteReceipt): void {
    if (receipt.firstPosition === null || receipt.lastPosition === null || this.stopped) return;
    // Rowids of one request are consecutive: the writer inserts them in one go.
    const first = receipt.firstPosition;
    this.queue.push(events.map((event, i) => ({ position: first + i, event })));
    this.learn(receipt.lastPosition);
  }

  pending(): number {
    return Math.max(0, this.known - this.processed);
  }

  position(): number {
    return this.processed;
  }

  /** Resolves when everything known to be committed has been processed. */
  idle(): Promise<void> {
    if (this.pending() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.poller) clearInterval(this.poller);
    this.wake?.();
    await this.loop;
  }

  private learn(last: number): void {
    if (last > this.known) this.known = last;
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const next = await this.nextRun();
      if (next === null) {
        for (const resolve of this.idleWaiters.splice(0)) resolve();
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      try {
        await this.consumer.process(next);
        this.processed = next[next.length - 1]!.position;
      } catch (error) {
        this.options.onError?.(error);
        // Back off, then retry from the checkpoint (the queue may be gone: read back).
        this.queue.length = 0;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** The next run of events after `processed`: from the queue when it follows on, else from the store. */
  private async nextRun(): Promise<CommittedEvent[] | null> {
    // Drop what is already processed (e.g. read back from the store before it was offered).
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      const last = head[head.length - 1]!.position;
      if (last <= this.processed) this.queue.shift();
      else {
        if (head[0]!.position <= this.processed) this.queue[0] = head.filter((e) => e.position > this.processed);
        break;
      }
    }
    const head = this.queue[0];
    if (head && head[0]!.position === this.processed + 1) {
      const run: CommittedEvent[] = [];
      while (this.queue.length > 0 && run.length < this.options.batch) {
        const batch = this.queue[0]!;
        const expected = run.length > 0 ? run[run.length - 1]!.position + 1 : this.processed + 1;
        if (batch[0]!.position !== expected) break;
        run.push(...this.queue.shift()!);
      }
      return run;
    }
    if (this.known > this.processed) {
      const read = await this.store.readCommitted(this.processed, this.options.batch);
      if (read.length > 0) return read;
      // Known but not visible yet (another connection's commit): wait for the next wake-up.
      this.known = this.processed;
    }
    return null;
  }
}
