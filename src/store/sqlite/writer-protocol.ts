export interface WriterOptions {
  file: string;
  cacheMb: number;
  synchronous: 'full' | 'normal';
  /** Most event rows in one transaction. */
  maxBatch: number;
}

export type WriterRequest =
  | {
      t: 'write';
      seq: number;
      rows: unknown[];
      dead: unknown[];
      alerts: unknown[];
      incidents: unknown[];
      timeline: unknown[];
      notifications: unknown[];
      ledger: unknown[];
      checkpoint?: { name: string; position: number };
    }
  | { t: 'delete-before'; seq: number; ts: number; maxPosition?: number }
  | { t: 'close' };

export type WriterReply =
  | { t: 'ready' }
  /** Committed; `ranges` gives each request's first and last event rowid (0, 0 when it had none). */
  | { t: 'done'; seqs: number[]; ranges: Array<[number, number]> }
  | { t: 'failed'; seqs: number[]; error: string }
  | { t: 'deleted'; seq: number; count: number }
  | { t: 'closed' };
