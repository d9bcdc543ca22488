import { auditHashInput, type AuditEntry, type AuditRecord } from '../core/index.ts';
import { sha256Hex } from '../lib/index.ts';
import type { AuditStore, Page } from '../store/index.ts';

export interface AuditVerdict {
  ok: boolean;
  records: number;
  /** The first record that breaks the chain, and how. */
  broken: { seq: number; reason: string } | null;
}

const hashOf = (record: Omit<AuditRecord, 'hash'>): string => sha256Hex(auditHashInput(record));

/** The hash-chained audit trail: every change made through the API or the CLI. */
export class AuditTrail {
  constructor(private readonly store: AuditStore) {}

  record(entry: AuditEntry): Promise<AuditRecord> {
    return this.store.appendAudit(entry, hashOf);
  }

  list(limit: number, after?: number): Promise<Page<AuditRecord>> {
    return this.store.listAudit(limit, after);
  }

  /** Walks the chain from the start; names the first record that was changed, removed or reordered. */
  async verify(): Promise<AuditVerdict> {
    let expectedSeq = 1;
    let previousHash = '';
    let records = 0;
    for await (const record of this.store.auditRecords()) {
      records++;
      const { hash, ...rest } = record;
      if (Number.isNaN(record.seq)) return { ok: false, records, broken: { seq: expectedSeq, reason: 'record is unreadable or its sequence number was changed' } };
      if (record.seq !== expectedSeq) return { ok: false, records, broken: { seq: expectedSeq, reason: `record ${expectedSeq} is missing (next is ${record.seq})` } };
      if (record.prev_hash !== previousHash) return { ok: false, records, broken: { seq: record.seq, reason: `prev_hash does not match record ${record.seq - 1}` } };
      if (hashOf(rest) !== hash) return { ok: false, records, broken: { seq: record.seq, reason: 'content does not match its hash (the record was changed)' } };
      previousHash = hash;
      expectedSeq++;
    }
    return { ok: true, records, broken: null };
  }
}
