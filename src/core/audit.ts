/** Who did what to which object, before and after: hash-chained so tampering shows. */
export interface AuditRecord {
  /** 1, 2, 3... in the order written. */
  seq: number;
  at: string;
  /** The token name of the caller (or `cli:<user>` for local commands). */
  actor: string;
  /** e.g. asset.create, service.update, token.revoke */
  action: string;
  object_type: string;
  object_id: string;
  before: unknown;
  after: unknown;
  /** Hash of the previous record ('' for the first). */
  prev_hash: string;
  /** sha256 over prev_hash and the canonical JSON of every other field. */
  hash: string;
}

export type AuditEntry = Pick<AuditRecord, 'actor' | 'action' | 'object_type' | 'object_id' | 'before' | 'after'>;

/** JSON with object keys sorted at every level, so the same record always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

/** The text a record's hash covers. */
export const auditHashInput = (record: Omit<AuditRecord, 'hash'>): string => `${record.prev_hash}\n${canonicalJson(record)}`;
