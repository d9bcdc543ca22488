// Batches messages for the sink and turns the sink's pace into backpressure.
//
// - A batch closes at maxMessages or maxDelayMs after its first message.
// - At most maxInFlight batches are handed to the sink at once. While maxInFlight or more batches
//   are outstanding (in flight + closed but waiting), or a rejected batch waits for its retry, the
//   batcher is "pressured": the listener pauses its TCP sockets until it is not.
// - A rejected batch is not dropped: it goes back to the head of the queue and is retried after an
//   exponential backoff (retryBaseMs doubling up to retryMaxMs), forever.
// - Callers that cannot be paused (UDP) use offer(), which refuses a message when the backlog not
//   yet handed to the sink is over its bound; the caller counts and reports the drop.

export interface BatcherOptions {
  maxMessages: number;
  maxDelayMs: number;
  maxInFlight: number;
  /** offer() refuses once this many messages wait (pending + closed batches, not in flight). */
  maxQueuedMessages: number;
  /** offer() refuses once this many bytes wait. */
  maxQueuedBytes: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export interface BatcherHooks {
  /** Called when pressure starts (true) or ends (false). */
  onPressure?(pressured: boolean): void;
  /** Called when the sink rejected a batch that will be retried after delayMs. */
  onRetry?(err: unknown, batchSize: number, attempt: number, delayMs: number): void;
}

interface Batch<T> {
  items: T[];
  bytes: number;
}

export class Batcher<T> {
  private pending: T[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly waiting: Batch<T>[] = [];
  private waitingMessages = 0;
  private waitingBytes = 0;
  private inFlight = 0;
  private backoff: NodeJS.Timeout | undefined;
  private attempt = 0;
  private pressuredNow = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly opts: BatcherOptions,
    private readonly sink: (batch: T[]) => Promise<void>,
    private readonly hooks: BatcherHooks = {},
  ) {}

  get pressured(): boolean {
    return this.pressuredNow;
  }

  /** Batches handed to the sink and not settled yet. */
  get inFlightBatches(): number {
    return this.inFlight;
  }

  /** Messages not yet handed to the sink. */
  get queuedMessages(): number {
    return this.pending.length + this.waitingMessages;
  }

  /** Add a message that must not be dropped (its producer is paused under pressure). */
  add(item: T, bytes: number): void {
    this.pending.push(item);
    this.pendingBytes += bytes;
    if (this.pending.length >= this.opts.maxMessages) {
      this.flush();
    } else if (this.pending.length === 1) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, this.opts.maxDelayMs);
    }
  }

  /** Add a message unless the backlog is over its bound; false means the caller dropped it. */
  offer(item: T, bytes: number): boolean {
    if (
      this.queuedMessages >= this.opts.maxQueuedMessages ||
      this.pendingBytes + this.waitingBytes + bytes > this.opts.maxQueuedBytes
    ) {
      return false;
    }
    this.add(item, bytes);
    return true;
  }

  /** Close the current batch now and hand it on. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.length === 0) return;
    this.waiting.push({ items: this.pending, bytes: this.pendingBytes });
    this.waitingMessages += this.pending.length;
    this.waitingBytes += this.pendingBytes;
    this.pending = [];
    this.pendingBytes = 0;
    this.dispatch();
    this.updatePressure();
  }

  /** Flush, then resolve once every message has been accepted by the sink. */
  drain(): Promise<void> {
    this.flush();
    if (this.idle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private idle(): boolean {
    return this.pending.length === 0 && this.waiting.length === 0 && this.inFlight === 0;
  }

  private dispatch(): void {
    while (!this.backoff && this.inFlight < this.opts.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.shift()!;
      this.waitingMessages -= batch.items.length;
      this.waitingBytes -= batch.bytes;
      this.inFlight++;
      this.send(batch);
    }
  }

  private send(batch: Batch<T>): void {
    let p: Promise<void>;
    try {
      p = Promise.resolve(this.sink(batch.items));
    } catch (err) {
      p = Promise.reject(err);
    }
    p.then(
      () => {
        this.inFlight--;
        this.attempt = 0;
        this.settled();
      },
      (err: unknown) => {
        this.inFlight--;
        // Back to the head of the queue: retried first, never dropped.
        this.waiting.unshift(batch);
        this.waitingMessages += batch.items.length;
        this.waitingBytes += batch.bytes;
        if (!this.backoff) {
          this.attempt++;
          const delay = Math.min(this.opts.retryMaxMs, this.opts.retryBaseMs * 2 ** (this.attempt - 1));
          this.hooks.onRetry?.(err, batch.items.length, this.attempt, delay);
          this.backoff = setTimeout(() => {
            this.backoff = undefined;
            this.dispatch();
            this.updatePressure();
          }, delay);
        }
        this.settled();
      },
    );
  }

  private settled(): void {
    this.dispatch();
    this.updatePressure();
    if (this.idle() && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private updatePressure(): void {
    const now = this.backoff !== undefined || this.inFlight + this.waiting.length >= this.opts.maxInFlight;
    if (now !== this.pressuredNow) {
      this.pressuredNow = now;
      this.hooks.onPressure?.(now);
    }
  }
}
