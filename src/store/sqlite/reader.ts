import type { Worker } from 'node:worker_threads';
import { VigilError } from '../../core/index.ts';
import { startTsWorker } from './worker-url.ts';

interface Pending {
  resolve: (rows: unknown[][]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A read-only connection in its own thread. A query over its time limit is answered with 503 at
 * once and a fresh thread takes the queue. better-sqlite3 cannot interrupt a running statement,
 * so the old thread is terminated and ends when that statement returns; Vigil's statements are
 * finite scans, so that moment comes.
 */
export class SqliteReader {
  private worker!: Worker;
  private ready!: Promise<void>;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly cacheMb: number,
    private readonly timeoutMs: number,
  ) {
    this.spawn();
  }

  private spawn(): void {
    const worker = startTsWorker(new URL('./reader-worker.ts', import.meta.url), { file: this.file, cacheMb: this.cacheMb });
    this.worker = worker;
    this.ready = new Promise((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', () => {
        worker.off('error', reject);
        resolve();
      });
    });
    this.ready.catch(() => undefined);
    worker.on('message', (reply: { id?: number; rows?: unknown[][]; error?: string }) => {
      if (reply.id === undefined) return;
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      clearTimeout(waiting.timer);
      if (reply.error !== undefined) waiting.reject(new VigilError('query_failed', reply.error, 400));
      else waiting.resolve(reply.rows ?? []);
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', () => {
      if (this.worker === worker) this.failAll(new Error('reader thread exited'));
    });
  }

  async all(sql: string, params: unknown[]): Promise<unknown[][]> {
    if (this.closed) throw new VigilError('closing', 'store is closing', 503);
    await this.ready;
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.timeout(id), this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.worker.postMessage({ id, sql, params });
    });
  }

  private timeout(id: number): void {
    const waiting = this.pending.get(id);
    if (!waiting) return;
    // Everything queued behind the slow query is lost with the thread: fail them all, restart.
    const old = this.worker;
    const error = new VigilError('query_timeout', `query stopped after ${this.timeoutMs} ms`, 503);
    this.failAll(error);
    this.spawn();
    void old.terminate();
  }

  private failAll(error: Error): void {
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.reject(error);
      this.pending.delete(id);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.failAll(new VigilError('closing', 'store is closing', 503));
    await this.worker.terminate();
  }
}
