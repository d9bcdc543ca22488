import { badRequest, type IncomingRecord, type IngestOutcome, type InputInfo } from '../core/index.ts';
import { checkSearchParams } from './search-params.ts';
import type { EventsFacade, SearchParams } from '../api/index.ts';
import type { EventSearch, Store } from '../store/index.ts';
import type { IngestPipeline } from './ingest.ts';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const NICE_INTERVALS = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86_400, 7 * 86_400].map((s) => s * 1000);

export function parseInterval(text: string): number {
  const match = /^(\d+)([smhdw])$/.exec(text.trim());
  if (!match) throw badRequest(`interval: expected a number and a unit (s, m, h, d, w), like 5m; got '${text}'`, 'interval');
  const ms = Number(match[1]) * UNITS[match[2]!]!;
  if (ms < 1000) throw badRequest('interval: must be at least 1s', 'interval');
  return ms;
}

/** Search, fetch and facets over stored events: the facade the API and the CLI share. */
export class EventsService implements EventsFacade {
  constructor(
    private readonly store: Store,
    private readonly pipeline: IngestPipeline,
    private readonly limits: { defaultLimit: number; maxLimit: number },
    private readonly clock: () => Date = () => new Date(),
  ) {}

  ingest(records: IncomingRecord[], input: InputInfo): Promise<IngestOutcome> {
    return this.pipeline.ingest(records, input);
  }

  private request(params: SearchParams): EventSearch {
    return checkSearchParams(params, this.limits, this.clock());
  }

  search(params: SearchParams) {
    return this.store.search(this.request(params));
  }

  get(id: string) {
    return this.store.get(id);
  }

  topValues(field: string, params: SearchParams) {
    const request = this.request({ ...params, limit: undefined });
    const limit = Math.min(params.limit ?? 10, 100);
    return this.store.topValues(field, request, limit);
  }

  async histogram(params: SearchParams & { interval?: string }) {
    const request = this.request({ ...params, limit: undefined });
    const to = request.to ?? this.clock().getTime();
    const from = request.from ?? to - 86_400_000;
    let interval = params.interval ? parseInterval(params.interval) : NICE_INTERVALS.find((ms) => (to - from) / ms <= 120) ?? 30 * 86_400_000;
    if ((to - from) / interval > 2000) throw badRequest('interval: gives more than 2000 buckets for this range', 'interval');
    const buckets = await this.store.histogram({ ...request, from, to }, interval);
    return { interval_ms: interval, buckets };
  }

  deadLetters(limit: number, cursor?: string) {
    return this.store.listDeadLetters(limit, cursor);
  }
}
