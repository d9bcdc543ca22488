import type { Worker } from 'node:worker_threads';
import { overloaded, VigilError } from '../../core/index.ts';
import type { WriteBatch, WriteReceipt } from '../ports.ts';
import { EVENT_ROW_WIDTH, pushAlertRow, pushDeadLetterRow, pushEventRow, pushIncidentRow, pushLedgerRow, pushNotificationRow, pushTimelineRow } from './rows.ts';
import type { WriterOptions, WriterReply, WriterRequest } from './writer-protocol.ts';
import { startTsWorker } from './worker-url.ts';

interface Waiter {
  resolve: (value: number | [number, number]) => void;
  reject: (error: Error) => void;
  rows: number;
}

/** Main-thread handle of the writer thread: hands batches over and awaits their commit. */
export class SqliteWriter {
  private readonly worker: Worker;
  private readonly waiters = new Map<number, Waiter>();
  private seq = 0;
  private inFlight = 0;
  private closed = false;
  private readonly ready: Promise<void>;
  private closedPromise?: Promise<void>;
  private onClosed?: () => void;

  constructor(
    options: WriterOptions,
    private readonly maxPending: number,
  ) {
    this.worker = startTsWorker(new URL('./writer-worker.ts', import.meta.url), { ...options });
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (reply: WriterReply) => {
        if (reply.t === 'ready') {
          this.worker.off('error', reject);
          resolve();
        }
      };
      this.worker.on('message', onMessage);
      this.worker.once('error', reject);
    });
    this.worker.on('message', (reply: WriterReply) => this.handle(reply));
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', (code) => {
      if (!this.closed) this.failAll(new Error(`writer thread exited with code ${code}`));
      this.onClosed?.();
    });
  }

  start(): Promise<void> {
    return this.ready;
  }

  pending(): number {
    return this.inFlight;
  }

  /** Resolves when the batch is committed. Throws 503 at once when too much is already pending. */
  write(batch: WriteBatch): Promise<WriteReceipt> {
    if (this.closed) return Promise.reject(new VigilError('closing', 'store is closing', 503));
    const count = batch.events.length;
    if (count > 0 && this.inFlight + count > this.maxPending && this.inFlight > 0) {
      return Promise.reject(overloaded(1));
    }
    const rows: unknown[] = [];
    for (const event of batch.events) pushEventRow(rows, event);
    const dead: unknown[] = [];
    for (const item of batch.deadLetters) pushDeadLetterRow(dead, item);
    const alerts: unknown[] = [];
    for (const alert of batch.alerts ?? []) pushAlertRow(alerts, alert);
    const incidents: unknown[] = [];
    for (const incident of batch.incidents ?? []) pushIncidentRow(incidents, incident);
    const timeline: unknown[] = [];
    for (const entry of batch.timeline ?? []) pushTimelineRow(timeline, entry);
    const notifications: unknown[] = [];
    for (const record of batch.notifications ?? []) pushNotificationRow(notifications, record);
    const ledger: unknown[] = [];
    for (const delta of batch.ledger ?? []) pushLedgerRow(ledger, delta);
    const request = { t: 'write' as const, seq: ++this.seq, rows, dead, alerts, incidents, timeline, notifications, ledger, checkpoint: batch.checkpoint };
    return this.send(request, rows.length / EVENT_ROW_WIDTH).then((range) => {
      const [first, last] = range as [number, number];
      return first === 0 ? { firstPosition: null, lastPosition: null } : { firstPosition: first, lastPosition: last };
    });
  }

  deleteBefore(ts: number, maxPosition?: number): Promise<number> {
    return this.send({ t: 'delete-before', seq: ++this.seq, ts, maxPosition }, 0) as Promise<number>;
  }

  close(): Promise<void> {
    if (this.closedPromise) return this.closedPromise;
    this.closed = true;
    this.closedPromise = new Promise<void>((resolve) => {
      this.onClosed = resolve;
      this.worker.postMessage({ t: 'close' } satisfies WriterRequest);
    }).then(() => undefined);
    return this.closedPromise;
  }

  private send(request: Extract<WriterRequest, { seq: number }>, rows: number): Promise<number | [number, number]> {
    return new Promise((resolve, reject) => {
      this.waiters.set(request.seq, { resolve, reject, rows });
      this.inFlight += rows;
      this.worker.postMessage(request);
    });
  }

  private settle(seq: number, outcome: { value?: number | [number, number]; error?: Error }): void {
    const waiter = this.waiters.get(seq);
    if (!waiter) return;
    this.waiters.delete(seq);
    this.inFlight -= waiter.rows;
    if (outcome.error) waiter.reject(outcome.error);
    else waiter.resolve(outcome.value ?? 0);
  }

  private handle(reply: WriterReply): void {
    switch (reply.t) {
      case 'done': {
        reply.seqs.forEach((seq, i) => this.settle(seq, { value: reply.ranges[i] ?? [0, 0] }));
        return;
      }
      case 'failed':
        for (const seq of reply.seqs) this.settle(seq, { error: new VigilError('store_failed', `store write failed: ${reply.error}`, 503) });
        return;
      case 'deleted':
        this.settle(reply.seq, { value: reply.count });
        return;
      case 'closed':
        void this.worker.terminate();
        return;
      default:
        return;
    }
  }

  private failAll(error: Error): void {
    for (const seq of [...this.waiters.keys()]) this.settle(seq, { error: new VigilError('store_failed', `store write failed: ${error.message}`, 503) });
  }
}

