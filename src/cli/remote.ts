import type { VigilEvent, IngestOutcome, Incident, IncidentStatus, Silence, SilenceState, TimelineEntry, Change, FreezePolicy } from '../core/index.ts';
import type { SearchParams } from '../api/index.ts';
import type { FieldCount, Page, TokenRecord } from '../store/index.ts';
import type { IncidentDetail } from '../app/index.ts';

export class RemoteError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The same operations as the local facades, over the REST API. */
export class RemoteClient {
  private readonly base: string;

  constructor(
    url: string,
    private readonly token: string,
  ) {
    this.base = url.replace(/\/+$/, '');
  }

  private async call<T>(method: string, path: string, body?: { data: string | Buffer; type: string }, retries = 5): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(this.base + path, {
          method,
          headers: { authorization: `Bearer ${this.token}`, ...(body ? { 'content-type': body.type } : {}) },
          body: body?.data,
        });
      } catch (error) {
        throw new RemoteError(0, 'unreachable', `cannot reach ${this.base}: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`);
      }
      if (response.status === 503 && attempt < retries) {
        const wait = Number(response.headers.get('retry-after') ?? '1');
        await new Promise((r) => setTimeout(r, Math.min(30, Math.max(0.1, wait)) * 1000));
        continue;
      }
      const text = await response.text();
      const parsed = text ? JSON.parse(text) : undefined;
      if (!response.ok) {
        const error = parsed?.error ?? {};
        throw new RemoteError(response.status, error.code ?? 'http_error', `${response.status} ${error.message ?? response.statusText}`);
      }
      return parsed as T;
    }
  }

  ingestNdjson(lines: string): Promise<IngestOutcome> {
    return this.call('POST', '/api/v1/events', { data: lines, type: 'application/x-ndjson' });
  }

  ingestText(lines: string): Promise<IngestOutcome> {
    return this.call('POST', '/api/v1/events', { data: lines, type: 'text/plain' });
  }

  search(params: SearchParams): Promise<Page<VigilEvent>> {
    return this.call('GET', `/api/v1/events?${toQuery(params)}`);
  }

  topValues(field: string, params: SearchParams): Promise<{ items: FieldCount[] }> {
    return this.call('GET', `/api/v1/events/fields/${encodeURIComponent(field)}/top?${toQuery(params)}`);
  }

  createToken(role: string, name?: string): Promise<{ token: string; record: TokenRecord }> {
    return this.call('POST', '/api/v1/tokens', { data: JSON.stringify({ role, ...(name ? { name } : {}) }), type: 'application/json' });
  }

  listTokens(): Promise<{ items: TokenRecord[] }> {
    return this.call('GET', '/api/v1/tokens');
  }

  importInventory(data: { services: unknown[]; assets: unknown[] }): Promise<import('../app/index.ts').ImportReport> {
    return this.call('POST', '/api/v1/inventory/import', { data: JSON.stringify(data), type: 'application/json' });
  }

  importIntel(text: string, query: Record<string, string>): Promise<import('../app/index.ts').IndicatorReport> {
    return this.call('POST', `/api/v1/intel/import?${new URLSearchParams(query)}`, { data: text, type: 'text/plain' });
  }

  testChannel(name: string): Promise<{ channel: string; ok: boolean; error: string | null }> {
    return this.call('POST', `/api/v1/notify/channels/${encodeURIComponent(name)}/test`, { data: '{}', type: 'application/json' });
  }

  verifyAudit(): Promise<{ ok: boolean; records: number; broken: { seq: number; reason: string } | null }> {
    return this.call('GET', '/api/v1/audit/verify');
  }

  revokeToken(id: string): Promise<TokenRecord> {
    return this.call('DELETE', `/api/v1/tokens/${encodeURIComponent(id)}`);
  }

  listIncidents(params: { status?: string; q?: string; sort?: string; limit?: number; cursor?: string }): Promise<Page<Incident>> {
    return this.call('GET', `/api/v1/incidents?${toQuery(params as SearchParams)}`);
  }

  getIncident(id: string): Promise<IncidentDetail> {
    return this.call('GET', `/api/v1/incidents/${encodeURIComponent(id)}`);
  }

  patchIncident(id: string, patch: { status?: IncidentStatus; assignee?: string | null; severity?: string; title?: string; reason?: string }): Promise<Incident> {
    return this.call('PATCH', `/api/v1/incidents/${encodeURIComponent(id)}`, { data: JSON.stringify(patch), type: 'application/json' });
  }

  addIncidentNote(id: string, text: string): Promise<TimelineEntry> {
    return this.call('POST', `/api/v1/incidents/${encodeURIComponent(id)}/notes`, { data: JSON.stringify({ text }), type: 'application/json' });
  }

  listSilences(): Promise<{ items: Array<Silence & { state: SilenceState }>; next_cursor: string | null }> {
    return this.call('GET', '/api/v1/silences');
  }

  createSilence(body: { matchers: string[]; starts_at?: string; ends_at?: string; duration?: string; comment: string }): Promise<Silence> {
    return this.call('POST', '/api/v1/silences', { data: JSON.stringify(body), type: 'application/json' });
  }

  expireSilence(id: string): Promise<Silence> {
    return this.call('DELETE', `/api/v1/silences/${encodeURIComponent(id)}`);
  }

  createChange(body: Record<string, unknown>): Promise<Change> {
    return this.call('POST', '/api/v1/changes', { data: JSON.stringify(body), type: 'application/json' });
  }

  listChanges(params: { from?: string; to?: string; status?: string; limit?: number; cursor?: string }): Promise<Page<Change>> {
    return this.call('GET', `/api/v1/changes?${toQuery(params as SearchParams)}`);
  }

  getChange(id: string): Promise<Change & { timeline: Array<{ at: string; kind: string; actor: string; text: string; data?: Record<string, unknown> }> }> {
    return this.call('GET', `/api/v1/changes/${encodeURIComponent(id)}`);
  }

  changeAction(id: string, action: 'request' | 'approve' | 'start' | 'complete' | 'fail' | 'rollback' | 'cancel', comment?: string): Promise<Change> {
    return this.call('POST', `/api/v1/changes/${encodeURIComponent(id)}/${action}`, { data: JSON.stringify(comment !== undefined ? { comment } : {}), type: 'application/json' });
  }

  listChangePolicies(): Promise<{ items: FreezePolicy[]; next_cursor: string | null }> {
    return this.call('GET', '/api/v1/change-policies');
  }
}

const toQuery = (params: SearchParams): string =>
  new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)] as [string, string])).toString();
