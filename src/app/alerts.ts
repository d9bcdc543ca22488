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

  async search(params: SearchParams & { status?: string; incident_id?: string; suppressed?: string }): Promise<Page<Alert>> {
    const checked = checkSearchParams(params, this.limits, this.clock());
    let query = checked.query;
    const and = (node: QueryNode) => {
      query = query.type === 'all' ? node : { type: 'and', children: [query, node] };
    };
    const term = (field: string, value: string): QueryNode => ({ type: 'term', field, value, quoted: true, wildcard: false, pos: 0 });
    if (params.status) {
      if (params.status !== 'firing' && params.status !== 'resolved') throw badRequest("status: expected 'firing' or 'resolved'", 'status');
      and(term('status', params.status));
    }
    if (params.incident_id) and(term('incident_id', params.incident_id));
    if (params.suppressed !== undefined && params.suppressed !== 'all') {
      if (params.suppressed !== 'true' && params.suppressed !== 'false') throw badRequest("suppressed: expected 'true', 'false' or 'all'", 'suppressed');
      const exists: QueryNode = { type: 'exists', field: 'suppressed_by', pos: 0 } as QueryNode;
      and(params.suppressed === 'true' ? exists : { type: 'not', child: exists } as QueryNode);
    }
    return this.store.searchAlerts({ query, from: checked.from, to: checked.to, limit: checked.limit, cursor: checked.cursor });
  }

  get(id: string): Promise<Alert | null> {
    return this.store.getAlert(id);
  }
}
