import type { Alert, Asset, AuditEntry, AuditRecord, Change, Delivery, DeliveryStatus, ThreadRef, FreezePolicy, Incident, Indicator, IndicatorType, ObservedChange, RetroHunt, Watchlist, LedgerDelta, NotificationRecord, QueryNode, Role, Service, Silence, TimelineEntry, VigilEvent } from '../core/index.ts';

/** A record that could not be accepted, kept with the reason so nothing disappears. */
export interface DeadLetter {
  received_at: string;
  input: { type: string; name: string; address?: string };
  reason: string;
  /** The payload as received (text; binary payloads are base64 with `encoding: 'base64'`). */
  payload: string;
  encoding?: 'utf8' | 'base64';
}

export interface StoredDeadLetter extends DeadLetter {
  id: number;
}

/** One group of writes that commits atomically. */
export interface WriteBatch {
  events: VigilEvent[];
  deadLetters: DeadLetter[];
  /** Alerts to insert or replace (by id). */
  alerts?: Alert[];
  /** Incidents to insert or replace (by id), their new timeline entries and notifications. */
  incidents?: Incident[];
  timeline?: TimelineEntry[];
  notifications?: NotificationRecord[];
  /** Noise-ledger counts to add. */
  ledger?: LedgerDelta[];
  /** A consumer's position in the committed-event stream, saved in the same commit as its output. */
  checkpoint?: { name: string; position: number };
}

/** Where the batch's events landed in commit order (null when it had none). */
export interface WriteReceipt {
  firstPosition: number | null;
  lastPosition: number | null;
}

/** An event with its position in commit order. */
export interface CommittedEvent {
  position: number;
  event: VigilEvent;
}

export interface AlertSearch {
  query: QueryNode;
  from?: number;
  to?: number;
  limit: number;
  cursor?: string;
}

export interface RuleHits {
  rule_id: string;
  hits: number;
  last_hit: string | null;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface EventSearch {
  query: QueryNode;
  /** Inclusive lower bound of @timestamp, ms since epoch. */
  from?: number;
  /** Exclusive upper bound of @timestamp, ms since epoch. */
  to?: number;
  sort?: string;
  limit: number;
  cursor?: string;
}

export interface FieldCount {
  value: string | number | boolean | null;
  count: number;
}

export interface HistogramBucket {
  start: string;
  count: number;
}

/** Events: appended in commit order, searched with the query language. */
export interface EventStore {
  /** Resolves once the batch is committed to durable storage; rejects with VigilError 503 when full. */
  write(batch: WriteBatch): Promise<WriteReceipt>;
  /** Committed events after a position, in commit order (for consumers catching up). */
  readCommitted(after: number, limit: number): Promise<CommittedEvent[]>;
  /** Position of the last committed event (0 when none). */
  lastPosition(): Promise<number>;
  /** A consumer's saved position (0 when it has none). */
  checkpoint(name: string): Promise<number>;
  /** Records handed to write() but not yet committed. */
  pendingWrites(): number;
  search(request: EventSearch): Promise<Page<VigilEvent>>;
  get(id: string): Promise<VigilEvent | null>;
  topValues(field: string, request: Omit<EventSearch, 'limit' | 'cursor' | 'sort'>, limit: number): Promise<FieldCount[]>;
  count(request: Omit<EventSearch, 'limit' | 'cursor' | 'sort'>): Promise<number>;
  histogram(request: Omit<EventSearch, 'limit' | 'cursor' | 'sort'>, bucketMs: number): Promise<HistogramBucket[]>;
  /**
   * Retention: deletes events ingested before the given time (ms), oldest first, never past
   * `maxPosition` (events a consumer after the store has not processed yet); returns how many.
   * Ingest time, not event time, so a replay of last year's logs is kept like fresh data.
   */
  deleteBefore(time: number, maxPosition?: number): Promise<number>;
  stats(): Promise<{ events: number; dead_letters: number; oldest: string | null; newest: string | null; bytes: number }>;
}

/** Alerts: written with the events' consumer checkpoint, listed, and counted per rule. */
export interface AlertStore {
  searchAlerts(request: AlertSearch): Promise<Page<Alert>>;
  getAlert(id: string): Promise<Alert | null>;
  ruleHits(): Promise<RuleHits[]>;
}

export interface IncidentSearch {
  query: QueryNode;
  /** Statuses to include (empty: all). */
  statuses: string[];
  /** Bounds on detected_at, ms. */
  from?: number;
  to?: number;
  sort?: string;
  limit: number;
  cursor?: string;
}

/** A row of the noise ledger, summed over the hours asked for. */
export type LedgerRow = Omit<LedgerDelta, 'hour'>;

/** What triage needs back after a restart. */
export interface TriageSnapshot {
  incidents: Array<{ incident: Incident; alerts: Alert[] }>;
  /** Alerts without an incident (suppressed) seen since the given time. */
  looseAlerts: Alert[];
  silences: Silence[];
  ruleCounts: Array<{ rule_id: string; hour: number; count: number }>;
  nextSeq: number;
}

/** Incidents, their timelines, silences, notifications and the noise ledger. */
export interface IncidentStore {
  searchIncidents(request: IncidentSearch): Promise<Page<Incident>>;
  getIncident(id: string): Promise<Incident | null>;
  /** Every alert of an incident (most recent first, up to `limit`). */
  incidentAlerts(id: string, limit: number): Promise<Alert[]>;
  incidentTimeline(id: string, limit: number, after?: number): Promise<Page<TimelineEntry & { seq: number }>>;
  incidentNotifications(id: string): Promise<NotificationRecord[]>;
  /** Incidents detected in [from, to), for response statistics. */
  incidentsDetectedBetween(from: number, to: number): Promise<Incident[]>;
  /** Open incidents with their alerts, recent loose alerts, silences, rule counts and the next INC number. */
  triageSnapshot(looseSince: number, ruleCountsSince: number): Promise<TriageSnapshot>;
  putSilence(silence: Silence): Promise<void>;
  getSilence(id: string): Promise<Silence | null>;
  listSilences(): Promise<Silence[]>;
  /** The ledger summed per rule, source, service, stage and reason over hours in [from, to). */
  ledger(from: number, to: number): Promise<LedgerRow[]>;
}

export interface ChangeSearch {
  /** Changes whose window overlaps [from, to), ms. */
  from?: number;
  to?: number;
  statuses: string[];
  limit: number;
  /** Sequence number to continue after. */
  after?: number;
}

/** Change records (CHG-n) with their timelines, freeze policies made through the API, observed changes. */
export interface ChangeStore {
  /** Stores a new change under the next CHG number (assigned here) with its first timeline entries. */
  createChange(change: Omit<Change, 'id'>, timeline: Array<{ at: string }>): Promise<Change>;
  /** Replaces changes (by id) and appends timeline entries, in one transaction. */
  saveChanges(changes: Change[], timeline: Array<{ change_id: string; at: string }>): Promise<void>;
  getChange(id: string): Promise<Change | null>;
  searchChanges(request: ChangeSearch): Promise<Page<Change>>;
  changeTimeline(id: string): Promise<Array<Record<string, unknown>>>;
  putPolicy(policy: FreezePolicy): Promise<void>;
  deletePolicy(name: string): Promise<boolean>;
  listPolicies(): Promise<FreezePolicy[]>;
  putChangeEvent(event: ObservedChange): Promise<void>;
  searchChangeEvents(request: { from?: number; to?: number; asset?: string; matched?: string; limit: number; after?: number }): Promise<Page<ObservedChange>>;
  /**
   * What a change explains: incidents naming it among their related changes, and alerts with an
   * event time in [from, to) naming it (the window the change could explain), newest first.
   */
  relatedToChange(id: string, from: number, to: number, limit: number): Promise<{ incidents: Incident[]; alerts: Alert[] }>;
}

export interface IndicatorSearch {
  type?: IndicatorType;
  source?: string;
  /** Values starting with this text. */
  prefix?: string;
  /** Only indicators still valid at this time (ms); expired ones are kept until deleted. */
  validAt?: number;
  limit: number;
  /** Indicator id to continue after. */
  after?: string;
}

/** What storing a list of indicators did, by id: new ones and changed ones start a retro-hunt. */
export interface IndicatorWrite {
  added: string[];
  updated: string[];
  unchanged: number;
}

/** A feed's position and health, kept across restarts. */
export interface FeedState {
  name: string;
  cursor: { etag: string | null; last_modified: string | null; added_after: string | null };
  status: Record<string, unknown>;
}

/** Threat intelligence: indicators with their sightings, feed positions, watchlists, retro-hunts. */
export interface IntelStore {
  /** Inserts or replaces indicators by id in one transaction; sightings are kept. */
  putIndicators(indicators: Array<Omit<Indicator, 'sightings' | 'last_sighting'>>): Promise<IndicatorWrite>;
  getIndicator(id: string): Promise<Indicator | null>;
  searchIndicators(request: IndicatorSearch): Promise<Page<Indicator>>;
  /** Deletes by id; returns the ids that existed. */
  deleteIndicators(ids: string[]): Promise<string[]>;
  countIndicators(): Promise<number>;
  /** Every stored indicator, in batches (to load the matcher). */
  indicatorBatches(size: number): AsyncIterable<Indicator[]>;
  /** Adds sightings: per indicator a count and the event time of the latest. */
  recordSightings(sightings: Array<{ id: string; count: number; last: string }>): Promise<void>;
  getFeedState(name: string): Promise<FeedState | null>;
  putFeedState(state: FeedState): Promise<void>;
  putWatchlist(watchlist: Watchlist): Promise<void>;
  getWatchlist(name: string): Promise<Watchlist | null>;
  listWatchlists(): Promise<Watchlist[]>;
  deleteWatchlist(name: string): Promise<boolean>;
  putRetroHunt(hunt: RetroHunt): Promise<void>;
  getRetroHunt(id: string): Promise<RetroHunt | null>;
  listRetroHunts(limit: number): Promise<RetroHunt[]>;
  /** Stored events with @timestamp in [from, to), in commit order after position `after` (for retro-hunts). */
  eventsBetween(from: number, to: number, after: number, limit: number): Promise<CommittedEvent[]>;
  countEventsBetween(from: number, to: number): Promise<number>;
}

export interface DeliverySearch {
  status?: DeliveryStatus;
  /** Folded messages of one digest. */
  digest_id?: string;
  channel?: string;
  incident_id?: string;
  limit: number;
  /** Row number to continue after (newest first). */
  before?: number;
}

/** The notification outbox, channels' per-incident threads, policies made through the API. */
export interface NotifyStore {
  /** Notification records after a position (commit order), for the notifier to route. */
  notificationsAfter(position: number, limit: number): Promise<Array<{ position: number; record: NotificationRecord }>>;
  /** The latest notification of an incident before a position (to tell an escalation from an update). */
  previousNotification(incidentId: string, before: number): Promise<NotificationRecord | null>;
  /** Inserts deliveries (ignoring ids already there) and moves a checkpoint, in one transaction. */
  enqueueDeliveries(deliveries: Delivery[], checkpoint?: { name: string; position: number }): Promise<void>;
  /** Replaces a delivery (by id). */
  saveDelivery(delivery: Delivery): Promise<void>;
  /** Replaces deliveries (by id) in one transaction. */
  saveDeliveries(deliveries: Delivery[]): Promise<void>;
  getDelivery(id: string): Promise<Delivery | null>;
  /** Deliveries in one of these states due at or before `at` (ms), oldest first. */
  dueDeliveries(statuses: DeliveryStatus[], at: number, limit: number): Promise<Delivery[]>;
  searchDeliveries(request: DeliverySearch): Promise<Page<Delivery>>;
  getThread(channel: string, incidentId: string): Promise<ThreadRef | null>;
  putThread(channel: string, incidentId: string, ref: ThreadRef): Promise<void>;
  /** The incident a channel's thread belongs to (a Jira issue key back to INC-n). */
  findThread(channel: string, key: string, value: string): Promise<string | null>;
  putNotifyPolicy(name: string, policy: unknown): Promise<void>;
  deleteNotifyPolicy(name: string): Promise<boolean>;
  listNotifyPolicies(): Promise<unknown[]>;
}

/** Assets and services, by name. */
export interface InventoryStore {
  putAsset(asset: Asset): Promise<void>;
  getAsset(name: string): Promise<Asset | null>;
  listAssets(limit: number, after?: string): Promise<Page<Asset>>;
  deleteAsset(name: string): Promise<boolean>;
  putService(service: Service): Promise<void>;
  getService(name: string): Promise<Service | null>;
  listServices(limit: number, after?: string): Promise<Page<Service>>;
  allServices(): Promise<Service[]>;
  deleteService(name: string): Promise<boolean>;
}

/** The audit trail: appended atomically onto the hash chain, listed, and read whole to verify. */
export interface AuditStore {
  /** Appends the entry to the chain (computing seq, time, prev_hash and hash) and returns it. */
  appendAudit(entry: AuditEntry, hash: (record: Omit<AuditRecord, 'hash'>) => string): Promise<AuditRecord>;
  listAudit(limit: number, after?: number): Promise<Page<AuditRecord>>;
  /** Every record in order, as stored (for verification). */
  auditRecords(): AsyncIterable<AuditRecord>;
}

export interface DeadLetterStore {
  listDeadLetters(limit: number, cursor?: string): Promise<Page<StoredDeadLetter>>;
}

export interface TokenRecord {
  id: string;
  name: string;
  role: Role;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface TokenStore {
  createToken(record: { id: string; name: string; role: Role; hash: string }): Promise<TokenRecord>;
  findTokenByHash(hash: string): Promise<TokenRecord | null>;
  listTokens(): Promise<TokenRecord[]>;
  /** Revokes by id or name; returns the revoked record, or null when none matched. */
  revokeToken(idOrName: string): Promise<TokenRecord | null>;
  touchToken(id: string, at: Date): void;
  countTokens(): Promise<number>;
}

/** The whole storage backend as the composition root sees it. */
export interface Store extends EventStore, AlertStore, IncidentStore, ChangeStore, IntelStore, NotifyStore, InventoryStore, AuditStore, DeadLetterStore, TokenStore {
  readonly kind: string;
  close(): Promise<void>;
}
