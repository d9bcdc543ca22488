import type { Alert, AlertLevel, Asset, Change, FreezePolicy, IncomingAlert, ObservedChange, Incident, IncidentStatus, IngestSink, Observable, Service, Silence, TimelineEntry, VigilEvent } from '../core/index.ts';
import type { RuleInfo } from '../detect/index.ts';
import type { FieldCount, HistogramBucket, Page, StoredDeadLetter, TokenRecord } from '../store/index.ts';

/** Query parameters of event searches, as the API and the CLI take them. */
export interface SearchParams {
  q?: string;
  from?: string;
  to?: string;
  sort?: string;
  limit?: number;
  cursor?: string;
}

/** What the API needs for events; the composition root provides it. */
export interface EventsFacade extends IngestSink {
  search(params: SearchParams): Promise<Page<VigilEvent>>;
  get(id: string): Promise<VigilEvent | null>;
  topValues(field: string, params: SearchParams): Promise<FieldCount[]>;
  histogram(params: SearchParams & { interval?: string }): Promise<{ interval_ms: number; buckets: HistogramBucket[] }>;
  deadLetters(limit: number, cursor?: string): Promise<Page<StoredDeadLetter>>;
}

export interface AlertsFacade {
  search(params: SearchParams & { status?: string; incident_id?: string; suppressed?: string }): Promise<Page<Alert>>;
  get(id: string): Promise<Alert | null>;
}

/** A detection rule as the API shows it: what the rule set says of it, plus hit count and last hit. */
export interface RuleSummary extends RuleInfo {
  enabled: boolean;
  hits: number;
  last_hit: string | null;
}

export interface RulesFacade {
  list(): Promise<{ items: RuleSummary[]; rejected: Array<{ file: string; rule_id: string | null; reason: string }> }>;
  /** The ATT&CK enterprise matrix (tactics in order, techniques), for coverage views. */
  attackMatrix(): unknown;
}

/** Mutations name the actor (the caller's token name) for the audit trail. */
export interface InventoryFacade {
  createAsset(input: Record<string, unknown>, actor: string): Promise<Asset>;
  updateAsset(name: string, patch: Record<string, unknown>, actor: string): Promise<Asset>;
  deleteAsset(name: string, actor: string): Promise<void>;
  getAsset(name: string): Promise<Asset | null>;
  listAssets(limit: number, after?: string): Promise<Page<Asset>>;
  createService(input: Record<string, unknown>, actor: string): Promise<Service>;
  updateService(name: string, patch: Record<string, unknown>, actor: string): Promise<Service>;
  deleteService(name: string, actor: string): Promise<void>;
  getService(name: string): Promise<Service | null>;
  listServices(limit: number, after?: string): Promise<Page<Service>>;
  import(data: { services?: unknown[]; assets?: unknown[] }, actor: string): Promise<unknown>;
}

export interface AuditFacade {
  list(limit: number, after?: number): Promise<Page<import('../core/index.ts').AuditRecord>>;
  verify(): Promise<{ ok: boolean; records: number; broken: { seq: number; reason: string } | null }>;
}

export interface TokensFacade {
  create(role: string, name?: string, actor?: string): Promise<{ token: string; record: TokenRecord }>;
  list(): Promise<TokenRecord[]>;
  revoke(idOrName: string, actor?: string): Promise<TokenRecord>;
  verify(token: string): Promise<TokenRecord | null>;
}

export interface StatusReport {
  version: string;
  started_at: string;
  uptime_seconds: number;
  store: { kind: string; events: number; dead_letters: number; oldest: string | null; newest: string | null; bytes: number };
  pipeline: { pending: number; pending_writes: number; pending_detection?: number; detected_position?: number };
  inputs: Record<string, unknown>;
}

export interface OpsFacade {
  status(): Promise<StatusReport>;
  metrics(): Promise<{ contentType: string; body: string }>;
}

/** Alerts from outside (Vigil's shape, Alertmanager, PagerDuty) into triage. */
export interface AlertIntakeFacade {
  ingest(alerts: IncomingAlert[]): Promise<{ alerts: number; incidents: string[]; notifications: number }>;
}

/** Incidents: lists and pages, and what people do to them (each change names its actor). */
export interface IncidentsFacade {
  list(params: SearchParams & { status?: string }): Promise<Page<Incident>>;
  get(id: string): Promise<(Incident & { alerts: Alert[] }) | null>;
  timeline(id: string, limit: number, after?: number): Promise<Page<TimelineEntry & { seq: number }>>;
  patch(id: string, patch: { status?: IncidentStatus; assignee?: string | null; severity?: AlertLevel; title?: string; reason?: string }, actor: string): Promise<Incident>;
  note(id: string, text: string, actor: string): Promise<TimelineEntry>;
  addTask(id: string, input: { title: string; assignee?: string | null }, actor: string): Promise<Incident>;
  updateTask(id: string, taskId: string, patch: { status?: 'open' | 'done'; assignee?: string | null; title?: string }, actor: string): Promise<Incident>;
  addObservable(id: string, input: Pick<Observable, 'type' | 'value'> & Partial<Pick<Observable, 'ioc' | 'tags'>>, actor: string): Promise<Incident>;
  merge(targetId: string, sourceId: string, actor: string): Promise<Incident>;
  split(id: string, alertIds: string[], actor: string): Promise<Incident>;
  noise(params: { from?: string; to?: string }): Promise<unknown>;
  response(params: { from?: string; to?: string; period?: string }): Promise<unknown>;
}

export interface SilencesFacade {
  list(): Promise<Silence[]>;
  get(id: string): Promise<Silence>;
  create(body: unknown, actor: string): Promise<Silence>;
  expire(id: string, actor: string): Promise<Silence>;
}

/** Change records, freeze policies and the calendar (each change names its actor). */
export interface ChangesFacade {
  create(body: unknown, actor: string): Promise<Change>;
  get(id: string): Promise<(Change & { timeline: unknown[] }) | null>;
  list(params: { from?: string; to?: string; status?: string; limit?: number; cursor?: string }): Promise<Page<Change>>;
  update(id: string, body: unknown, actor: string): Promise<Change>;
  act(id: string, action: 'request' | 'approve' | 'start' | 'complete' | 'fail' | 'rollback' | 'cancel', actor: string, comment?: string): Promise<Change>;
  policies(): Promise<FreezePolicy[]>;
  createPolicy(body: unknown, actor: string): Promise<FreezePolicy>;
  deletePolicy(name: string, actor: string): Promise<void>;
  calendar(params: { from?: string; to?: string }): Promise<unknown>;
  ics(params: { from?: string; to?: string }): Promise<string>;
  /** Observed changes from the API; the answer names what each matched and the alerts raised. */
  observeEvents(body: unknown): Promise<unknown>;
  observePagerDuty(body: unknown): Promise<{ ok: true } | { errors: string[] }>;
  observeGithub(request: { event: string; delivery?: string; signature?: string; contentType: string }, raw: Buffer): Promise<{ status: number; body: unknown }>;
  listObserved(params: { from?: string; to?: string; asset?: string; limit?: number; cursor?: string }): Promise<Page<ObservedChange>>;
  /** What a change explains: incidents and alerts naming it, and the observed changes matched to it. */
  explains(id: string): Promise<{ incidents: Incident[]; alerts: Alert[]; observed: ObservedChange[] }>;
}

/** Threat intelligence: indicators, imports, feeds, retro-hunts and watchlists. */
export interface IntelFacade {
  add(entries: unknown[], actor: string, options: { source?: string; retroHunt?: boolean }): Promise<unknown>;
  import(text: string, format: 'stix' | 'misp' | 'csv' | 'lines', source: string, actor: string, options: { type?: import('../core/index.ts').IndicatorType; confidence?: number; retroHunt?: boolean }): Promise<unknown>;
  list(params: { type?: string; source?: string; prefix?: string; valid?: boolean; limit?: number; cursor?: string }): Promise<Page<import('../core/index.ts').Indicator>>;
  get(id: string): Promise<import('../core/index.ts').Indicator>;
  delete(ids: string[], actor: string): Promise<string[]>;
  deleteSource(source: string, actor: string): Promise<number>;
  feeds(): unknown[];
  pullFeed(name: string): Promise<unknown>;
  hunts(limit: number): Promise<unknown[]>;
  hunt(id: string): Promise<unknown>;
  startHunt(ids: string[], actor: string): Promise<unknown>;
  watchlists(): Promise<import('../core/index.ts').Watchlist[]>;
  watchlist(name: string): Promise<import('../core/index.ts').Watchlist>;
  putWatchlist(name: string, body: unknown, actor: string): Promise<{ created: boolean; watchlist: import('../core/index.ts').Watchlist }>;
  deleteWatchlist(name: string, actor: string): Promise<void>;
}

/** Notifications: channels, policies, the outbox's deliveries, and what comes back from the tools. */
export interface NotifyFacade {
  channels(): unknown[];
  test(name: string, actor: string): Promise<{ channel: string; ok: boolean; error: string | null }>;
  policies(): unknown[];
  putPolicy(body: unknown, actor: string): Promise<unknown>;
  deletePolicy(name: string, actor: string): Promise<void>;
  deliveries(params: { status?: string; channel?: string; incident?: string; limit?: number; cursor?: string }): Promise<Page<unknown>>;
  delivery(id: string): Promise<unknown>;
  resend(id: string, actor: string): Promise<unknown>;
  /** Raw requests from Slack, PagerDuty and Jira, verified by their signatures. */
  inbound(kind: 'slack_command' | 'slack_interaction' | 'pagerduty' | 'jira', request: { raw: Buffer; headers: Record<string, string | string[] | undefined> }): Promise<{ status: number; body: unknown }>;
}

/** What changed, pushed to UI clients over server-sent events. */
export interface LiveFeed {
  subscribe(listener: (event: { type: string; data: unknown }) => void): () => void;
}

export interface ApiDeps {
  events: EventsFacade;
  changes?: ChangesFacade;
  intel?: IntelFacade;
  notify?: NotifyFacade;
  alerts?: AlertsFacade;
  intake?: AlertIntakeFacade;
  incidents?: IncidentsFacade;
  silences?: SilencesFacade;
  inventory?: InventoryFacade;
  audit?: AuditFacade;
  rules?: RulesFacade;
  tokens: TokensFacade;
  ops: OpsFacade;
  limits: { maxBodyBytes: number };
  /** The built web UI (index.html and assets/), served at `/`; absent: `/` says how to build it. */
  uiDir?: string;
  /** Live updates for the UI: incidents as triage commits them. */
  live?: LiveFeed;
  logger?: import('../lib/index.ts').Logger | boolean;
}
