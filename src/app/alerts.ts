import { badRequest, type Alert, type QueryNode } from '../core/index.ts';
import { checkSearchParams } from './search-params.ts';
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
    const checked = checkSearchParams(params, this.limits, this.clock());
    let query = checked.query;
    if (params.status) {
      if (params.status !== 'firing' && params.status !== 'resolved') throw badRequest("status: expected 'firing' or 'resolved'", 'status');
      const status: QueryNode = { type: 'term', field: 'status', value: params.status, quoted: true, wildcard: false, pos: 0 };
      query = query.type === 'all' ? status : { type: 'and', children: [query, status] };
    }
    return this.store.searchAlerts({ query, from: checked.from, to: checked.to, limit: checked.limit, cursor: checked.cursor });
  }

  get(id: string): Promise<Alert | null> {
    return this.store.getAlert(id);
  }
}
