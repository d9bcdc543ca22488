import { ORIGINAL_TEXT, type IncomingRecord, IngestOutcome, IngestRejection, IngestSink, InputInfo, VigilEvent } from '../core/index.ts';
import { newId } from '../lib/index.ts';
import { normalizeRecord } from '../normalize/index.ts';
import { stringifyBounded } from '../sources/http/index.ts';
import type { DeadLetter, EventStore, WriteReceipt } from '../store/index.ts';
import { checkRecordLimits, type RecordLimits } from './record-limits.ts';

export interface IngestCounters {
  received(input: InputInfo, n: number): void;
  accepted(input: InputInfo, n: number): void;
  rejected(input: InputInfo, n: number): void;
}

/** Longest payload kept in a dead letter; the reason says when it was cut. */
const MAX_DEAD_LETTER_PAYLOAD = 1024 * 1024;

/** normalise → store: what every source's records go through. */
export class IngestPipeline implements IngestSink {
  /** Called with each batch's events once they are committed, in commit order. */
  onCommitted?: (events: VigilEvent[], receipt: WriteReceipt) => void;

  constructor(
    private readonly store: Pick<EventStore, 'write'>,
    private readonly limits: RecordLimits,
    private readonly counters?: IngestCounters,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async ingest(records: IncomingRecord[], input: InputInfo): Promise<IngestOutcome> {
    const receivedAt = this.clock();
    const ingested = receivedAt.toISOString();
    const events: VigilEvent[] = [];
    const deadLetters: DeadLetter[] = [];
    const rejected: IngestRejection[] = [];
    const reject = (index: number, error: string, payload: string, encoding: 'utf8' | 'base64' = 'utf8') => {
      rejected.push({ index, error });
      const cut = payload.length > MAX_DEAD_LETTER_PAYLOAD;
      deadLetters.push({
        received_at: ingested,
        input,
        reason: cut ? `${error} (payload cut to ${MAX_DEAD_LETTER_PAYLOAD} characters)` : error,
        payload: cut ? payload.slice(0, MAX_DEAD_LETTER_PAYLOAD) : payload,
        encoding,
      });
    };

    for (let position = 0; position < records.length; position++) {
      const record = records[position]!;
      const index = record.index ?? position;
      if ('error' in record) {
        reject(index, record.error, record.payload, record.encoding);
        continue;
      }
      const { raw } = record;
      if (raw.kind === 'object') {
        const problem = checkRecordLimits(raw.value, this.limits);
        if (problem) {
          reject(index, problem, raw.text ?? stringifyBounded(raw.value));
          continue;
        }
      }
      const result = normalizeRecord(raw, { input, receivedAt });
      if (!result.ok) {
        reject(index, result.error, raw.kind === 'text' ? raw.value : (raw.text ?? stringifyBounded(raw.value)));
        continue;
      }
      const normalized = result.value;
      // Vigil's own id and input win over same-named fields of the record (still in `original`).
      const event = { id: '', ...normalized } as VigilEvent;
      event.id = newId(receivedAt.getTime());
      event.input = input;
      event.event = { ...(normalized.event ?? {}), ingested };
      if (raw.kind === 'object' && raw.text !== undefined && event.original === raw.value) {
        (event as { [ORIGINAL_TEXT]?: string })[ORIGINAL_TEXT] = raw.text;
      }
      events.push(event);
    }

    this.counters?.received(input, records.length);
    const receipt = await this.store.write({ events, deadLetters });
    if (events.length > 0) this.onCommitted?.(events, receipt);
    this.counters?.accepted(input, events.length);
    if (rejected.length > 0) this.counters?.rejected(input, rejected.length);
    return { accepted: events.length, rejected };
  }
}

