import type { InputInfo, RawRecord } from './event.ts';

/** One record as a source hands it on: parsed, or already known to be bad (kept as a dead letter). */
export type IncomingRecord = (
  | { raw: RawRecord }
  | { error: string; payload: string; encoding?: 'utf8' | 'base64' }
) & {
  /** Where the client can find the record (line or element index, 0-based); defaults to its place in the batch. */
  index?: number;
};

export interface IngestRejection {
  /** Position of the record in what the client sent (0-based). */
  index: number;
  error: string;
}

export interface IngestOutcome {
  accepted: number;
  rejected: IngestRejection[];
}

/**
 * Where sources deliver records. Resolves once accepted records are durably stored and rejected
 * ones are in the dead-letter store; rejects (VigilError 503) when the pipeline is full.
 */
export interface IngestSink {
  ingest(records: IncomingRecord[], input: InputInfo): Promise<IngestOutcome>;
}
