export interface WriterOptions {
  file: string;
  cacheMb: number;
  synchronous: 'full' | 'normal';
  /** Most event rows in one transaction. */
  maxBatch: number;
}

export type WriterRequest =
  | { t: 'write'; seq: number; rows: unknown[]; dead: unknown[] }
  | { t: 'delete-before'; seq: number; ts: number }
  | { t: 'close' };

export type WriterReply =
  | { t: 'ready' }
  | { t: 'done'; seqs: number[] }
  | { t: 'failed'; seqs: number[]; error: string }
  | { t: 'deleted'; seq: number; count: number }
  | { t: 'closed' };
