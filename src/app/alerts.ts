import { badRequest, parseQuery, parseTime, QuerySyntaxError, type Alert, type QueryNode } from '../core/index.ts';
import type { AlertsFacade, SearchParams } from '../api/index.ts';
import type { Page, Store } from '../store/index.ts';

/** Alert search: the events' query language over alert fields. */
export class AlertsService implements AlertsFacade {
  constructor(
    private readonly store: Store,
    private readonly limits: { defaultLimit: number; maxLimit: number },
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async search(params: SearchParams & { status?: string }): Promise<Page<Alert>> {
    let query: QueryNode;
    try {
      query = parseQuery(params.q ?? '');
    } catch (error) {
      if (error instanceof QuerySyntaxError) throw badRequest(`q: ${error.message}`, 'q', { position: error.position, expected: error.expected });
      throw error;
    }
    if (params.status) {
      if (params.status !== 'firing' && params.status !== 'resolved') throw badRequest("status: expected 'firing' or 'resolved'", 'status');
      const status: QueryNode = { type: 'term', field: 'status', value: params.status, quoted: true, wildcard: false, pos: 0 };
      query = query.type === 'all' ? status : { type: 'and', children: [query, status] };
    }
    const now = this.clock();
    const time = (name: 'from' | 'to') => {
      const value = params[name];
      if (!value) return undefined;
      try {
        return parseTime(value, now).getTime();
      } catch (error) {
        throw badRequest(`${name}: ${(error as Error).message}`, name);
      }
    };
    const limit = params.limit ?? this.limits.defaultLimit;
    if (!Number.isInteger(limit) || limit < 1 || limit > this.limits.maxLimit) throw badRequest(`limit: must be an integer from 1 to ${this.limits.maxLimit}`, 'limit');
    return this.store.searchAlerts({ query, from: time('from'), to: time('to'), limit, cursor: params.cursor });
  }

  get(id: string): Promise<Alert | null> {
    return this.store.getAlert(id);
  }
}
