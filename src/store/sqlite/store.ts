import type Database from 'better-sqlite3';
import { badRequest, type Alert, type Asset, type AuditEntry, type AuditRecord, type Change, type FreezePolicy, type Incident, type Indicator, type RetroHunt, type Watchlist, type Delivery, type DeliveryStatus, type ThreadRef, type ObservedChange, type NotificationRecord, type Service, type Silence, type TimelineEntry, type VigilEvent } from '../../core/index.ts';
import type { AlertSearch, ChangeSearch, DeliverySearch, FeedState, IndicatorSearch, IndicatorWrite, IncidentSearch, LedgerRow, TriageSnapshot, CommittedEvent, EventSearch, FieldCount, HistogramBucket, Page, RuleHits, Store, StoredDeadLetter, TokenRecord, WriteBatch, WriteReceipt } from '../ports.ts';
import { KEYED_FIELDS, keyMatch } from './keys.ts';
import { openDatabase } from './open.ts';
import { compileSort, compileWhere, cursorWhere, encodeCursor, EVENTS_QUERY_SCHEMA, fieldExpression, type QuerySchema } from './query-sql.ts';
import { SqliteIntel } from './intel.ts';
import { SqliteNotify } from './notify.ts';
import { SqliteReader } from './reader.ts';
import { SqliteWriter } from './writer.ts';

export interface SqliteStoreOptions {
  cacheMb: number;
  synchronous: 'full' | 'normal';
  maxPending: number;
  maxBatch: number;
  queryTimeoutMs: number;
}

/** The events table's search schema, with the exact-value key index narrowing the common filters. */
export const EVENTS_SCHEMA: QuerySchema = {
  ...EVENTS_QUERY_SCHEMA,
  exactIndex: {
    table: 'events_keys',
    match: (field, value, prefix) => (field in KEYED_FIELDS && value !== '' ? keyMatch(field, value, prefix) : null),
  },
};

/** The alerts table's search schema: the same language over alert fields. */
export const ALERTS_SCHEMA: QuerySchema = {
  table: 'a',
  docColumn: 'doc',
  rowid: 'rid',
  columns: {
    '@timestamp': { column: 'ts', kind: 'time', notNull: true },
    last_seen: { column: 'ts', kind: 'time', notNull: true },
    id: { column: 'id', kind: 'text', collation: 'binary', notNull: true },
    'rule.id': { column: 'rule_id', kind: 'text', collation: 'binary', notNull: true },
    'rule.level': { column: 'level', kind: 'text', notNull: true },
    status: { column: 'status', kind: 'text', notNull: true },
    fingerprint: { column: 'fingerprint', kind: 'text', collation: 'binary', notNull: true },
    incident_id: { column: 'incident_id', kind: 'text' },
    suppressed_by: { column: 'suppressed_by', kind: 'text', collation: 'binary' },
    source: { column: 'source', kind: 'text', notNull: true },
  },
  docFields: { count: { kind: 'number' }, first_seen: { kind: 'time' }, created_at: { kind: 'time' }, resolved_at: { kind: 'time' } },
};

/** The incidents table's search schema. */
export const INCIDENTS_SCHEMA: QuerySchema = {
  table: 'i',
  docColumn: 'doc',
  rowid: 'seq',
  columns: {
    '@timestamp': { column: 'detected_at', kind: 'time', notNull: true },
    detected_at: { column: 'detected_at', kind: 'time', notNull: true },
    first_seen: { column: 'first_seen', kind: 'time', notNull: true },
    last_seen: { column: 'last_seen', kind: 'time', notNull: true },
    updated_at: { column: 'updated_at', kind: 'time', notNull: true },
    id: { column: 'id', kind: 'text', collation: 'binary', notNull: true },
    status: { column: 'status', kind: 'text', notNull: true },
    priority: { column: 'priority', kind: 'text', notNull: true },
    score: { column: 'score', kind: 'number', notNull: true },
    severity: { column: 'severity', kind: 'text', notNull: true },
    assignee: { column: 'assignee', kind: 'text' },
  },
  docFields: { alert_count: { kind: 'number' }, occurrence_count: { kind: 'number' }, acknowledged_at: { kind: 'time' }, resolved_at: { kind: 'time' } },
};

type Filter = Omit<EventSearch, 'limit' | 'cursor' | 'sort'>;

/**
 * The embedded store: one SQLite file in WAL mode. Writes go through one writer thread in group
 * commits; searches run in a reader thread with a time limit; small lookups use this thread.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  /** Seconds from handing a batch to the writer until its commit, for metrics. */
  onWriteLatency?: (seconds: number) => void;
  private statsCache: { at: number; value: Awaited<ReturnType<Store['stats']>> } | null = null;
  private readonly touched = new Map<string, string>();
  private readonly touchTimer: NodeJS.Timeout;
  private readonly intel: SqliteIntel;
  private readonly notify: SqliteNotify;

  private constructor(
    private readonly db: Database.Database,
    private readonly writer: SqliteWriter,
    private readonly reader: SqliteReader,
  ) {
    this.intel = new SqliteIntel(db, reader);
    this.notify = new SqliteNotify(db);
    this.touchTimer = setInterval(() => this.flushTouches(), 30_000);
    this.touchTimer.unref();
  }

  static async open(file: string, options: SqliteStoreOptions): Promise<SqliteStore> {
    const db = openDatabase(file, { cacheMb: Math.min(options.cacheMb, 64), synchronous: options.synchronous });
    const writer = new SqliteWriter({ file, cacheMb: options.cacheMb, synchronous: options.synchronous, maxBatch: options.maxBatch }, options.maxPending);
    try {
      await writer.start();
    } catch (error) {
      db.close();
      throw error;
    }
    const reader = new SqliteReader(file, options.cacheMb, options.queryTimeoutMs);
    return new SqliteStore(db, writer, reader);
  }

  // ---- events ------------------------------------------------------------------------------

  async write(batch: WriteBatch): Promise<WriteReceipt> {
    // Nothing to write when every list is empty and no checkpoint moves (whatever the batch grows to hold).
    const empty = !batch.checkpoint && Object.values(batch).every((value) => !Array.isArray(value) || value.length === 0);
    if (empty) {
      return { firstPosition: null, lastPosition: null };
    }
    const started = performance.now();
    const receipt = await this.writer.write(batch);
    this.onWriteLatency?.((performance.now() - started) / 1000);
    return receipt;
  }

  async readCommitted(after: number, limit: number): Promise<CommittedEvent[]> {
    const rows = await this.reader.all('SELECT rid, doc FROM events WHERE rid > ? ORDER BY rid LIMIT ?', [after, limit]);
    return rows.map((row) => ({ position: Number(row[0]), event: JSON.parse(row[1] as string) as VigilEvent }));
  }

  async lastPosition(): Promise<number> {
    return Number(this.db.prepare('SELECT coalesce(max(rid), 0) FROM events').pluck().get());
  }

  async checkpoint(name: string): Promise<number> {
    return Number(this.db.prepare('SELECT position FROM checkpoints WHERE name = ?').pluck().get(name) ?? 0);
  }

  pendingWrites(): number {
    return this.writer.pending();
  }

  private where(filter: Filter): { sql: string; params: unknown[] } {
    const compiled = compileWhere(filter.query, EVENTS_SCHEMA);
    const parts = [compiled.sql];
    const params = [...compiled.params];
    if (filter.from !== undefined) {
      parts.push('e.ts >= ?');
      params.push(filter.from);
    }
    if (filter.to !== undefined) {
      parts.push('e.ts < ?');
      params.push(filter.to);
    }
    return { sql: parts.join(' AND '), params };
  }

  async search(request: EventSearch): Promise<Page<VigilEvent>> {
    const sort = compileSort(request.sort, EVENTS_SCHEMA);
    const where = this.where(request);
    if (request.cursor) {
      const after = cursorWhere(request.cursor, sort);
      where.sql += ` AND ${after.sql}`;
      where.params.push(...after.params);
    }
    const sql = `SELECT e.doc, e.${sort.column}, e.rid FROM events e WHERE ${where.sql} ORDER BY ${sort.orderBy} LIMIT ?`;
    const rows = await this.reader.all(sql, [...where.params, request.limit + 1]);
    const more = rows.length > request.limit;
    const page = more ? rows.slice(0, request.limit) : rows;
    const last = page[page.length - 1];
    return {
      items: page.map((row) => JSON.parse(row[0] as string) as VigilEvent),
      next_cursor: more && last ? encodeCursor({ [sort.column]: last[1], [sort.rowidColumn]: last[2] }, sort) : null,
    };
  }

  async get(id: string): Promise<VigilEvent | null> {
    const row = this.db.prepare('SELECT doc FROM events WHERE id = ?').pluck().get(id) as string | undefined;
    return row ? (JSON.parse(row) as VigilEvent) : null;
  }

  async count(filter: Filter): Promise<number> {
    const where = this.where(filter);
    const rows = await this.reader.all(`SELECT count(*) FROM events e WHERE ${where.sql}`, where.params);
    return Number(rows[0]?.[0] ?? 0);
  }

  async topValues(field: string, filter: Filter, limit: number): Promise<FieldCount[]> {
    if (!/^[\w@.-]{1,256}$/.test(field)) throw badRequest(`field: not a field name: '${field}'`, 'field');
    const where = this.where(filter);
    const column = EVENTS_SCHEMA.columns[field];
    let sql: string;
    let params: unknown[];
    if (column && !column.firstOfArray && column.kind === 'text') {
      sql = `SELECT e.${column.column} AS v, count(*) AS c FROM events e WHERE ${where.sql} AND e.${column.column} IS NOT NULL
             GROUP BY v ORDER BY c DESC, v LIMIT ?`;
      params = [...where.params, limit];
    } else {
      // Any other field: every value of the document path, array elements counted one by one.
      const expression = fieldExpression(field, EVENTS_SCHEMA);
      if (expression.column && !column?.firstOfArray) {
        sql = `SELECT ${expression.sql} AS v, count(*) AS c FROM events e WHERE ${where.sql} GROUP BY v ORDER BY c DESC LIMIT ?`;
        params = [...expression.params, ...where.params, limit];
      } else {
        sql = `SELECT j.value AS v, count(*) AS c FROM events e, json_each(e.doc, ?) j
               WHERE ${where.sql} AND j.type IN ('text', 'integer', 'real', 'true', 'false')
               GROUP BY v ORDER BY c DESC, v LIMIT ?`;
        params = [jsonPath(field), ...where.params, limit];
      }
    }
    const rows = await this.reader.all(sql, params);
    return rows.map((row) => ({ value: row[0] as FieldCount['value'], count: Number(row[1]) }));
  }

  async histogram(filter: Filter & { from: number; to: number }, bucketMs: number): Promise<HistogramBucket[]> {
    const where = this.where(filter);
    const rows = await this.reader.all(
      `SELECT CAST((e.ts - ?) / ? AS INTEGER) AS b, count(*) FROM events e WHERE ${where.sql} GROUP BY b ORDER BY b`,
      [filter.from, bucketMs, ...where.params],
    );
    const counts = new Map(rows.map((row) => [Number(row[0]), Number(row[1])]));
    const buckets: HistogramBucket[] = [];
    for (let b = 0, start = filter.from; start < filter.to; b++, start += bucketMs) {
      buckets.push({ start: new Date(start).toISOString(), count: counts.get(b) ?? 0 });
    }
    return buckets;
  }

  deleteBefore(time: number, maxPosition?: number): Promise<number> {
    return this.writer.deleteBefore(time, maxPosition);
  }

  async stats() {
    if (this.statsCache && Date.now() - this.statsCache.at < 5000) return this.statsCache.value;
    const [counts] = await this.reader.all(
      `SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM dead_letters), (SELECT min(ts) FROM events), (SELECT max(ts) FROM events),
              (SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size())`,
      [],
    );
    const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(Number(v)).toISOString());
    const value = {
      events: Number(counts![0]),
      dead_letters: Number(counts![1]),
      oldest: iso(counts![2]),
      newest: iso(counts![3]),
      bytes: Number(counts![4]),
    };
    this.statsCache = { at: Date.now(), value };
    return value;
  }

  // ---- alerts ------------------------------------------------------------------------------

  async searchAlerts(request: AlertSearch): Promise<Page<Alert>> {
    const sort = compileSort('-@timestamp', ALERTS_SCHEMA);
    const compiled = compileWhere(request.query, ALERTS_SCHEMA);
    const parts = [compiled.sql];
    const params = [...compiled.params];
    if (request.from !== undefined) parts.push('a.ts >= ?'), params.push(request.from);
    if (request.to !== undefined) parts.push('a.ts < ?'), params.push(request.to);
    if (request.cursor) {
      const after = cursorWhere(request.cursor, sort);
      parts.push(after.sql);
      params.push(...after.params);
    }
    const rows = await this.reader.all(
      `SELECT a.doc, a.ts, a.rid FROM alerts a WHERE ${parts.join(' AND ')} ORDER BY ${sort.orderBy} LIMIT ?`,
      [...params, request.limit + 1],
    );
    const more = rows.length > request.limit;
    const page = more ? rows.slice(0, request.limit) : rows;
    const last = page[page.length - 1];
    return {
      items: page.map((row) => JSON.parse(row[0] as string) as Alert),
      next_cursor: more && last ? encodeCursor({ ts: last[1], rid: last[2] }, sort) : null,
    };
  }

  async getAlert(id: string): Promise<Alert | null> {
    const row = this.db.prepare('SELECT doc FROM alerts WHERE id = ?').pluck().get(id) as string | undefined;
    return row ? (JSON.parse(row) as Alert) : null;
  }

  async ruleHits(): Promise<RuleHits[]> {
    // Occurrences, not distinct alerts: a rule that fired 500 times on one host has 500 hits.
    const rows = await this.reader.all(
      `SELECT rule_id, sum(coalesce(json_extract(doc, '$.count'), 1)), max(ts) FROM alerts GROUP BY rule_id`,
      [],
    );
    return rows.map((row) => ({ rule_id: String(row[0]), hits: Number(row[1]), last_hit: row[2] === null ? null : new Date(Number(row[2])).toISOString() }));
  }

  // ---- incidents ---------------------------------------------------------------------------

  async searchIncidents(request: IncidentSearch): Promise<Page<Incident>> {
    const sort = compileSort(request.sort ?? '-score', INCIDENTS_SCHEMA);
    const compiled = compileWhere(request.query, INCIDENTS_SCHEMA);
    const parts = [compiled.sql];
    const params = [...compiled.params];
    if (request.statuses.length > 0) {
      parts.push(`i.status IN (${request.statuses.map(() => '?').join(',')})`);
      params.push(...request.statuses);
    }
    if (request.from !== undefined) parts.push('i.detected_at >= ?'), params.push(request.from);
    if (request.to !== undefined) parts.push('i.detected_at < ?'), params.push(request.to);
    if (request.cursor) {
      const after = cursorWhere(request.cursor, sort);
      parts.push(after.sql);
      params.push(...after.params);
    }
    const rows = await this.reader.all(
      `SELECT i.doc, i.${sort.column}, i.seq FROM incidents i WHERE ${parts.join(' AND ')} ORDER BY ${sort.orderBy} LIMIT ?`,
      [...params, request.limit + 1],
    );
    const more = rows.length > request.limit;
    const page = more ? rows.slice(0, request.limit) : rows;
    const last = page[page.length - 1];
    return {
      items: page.map((row) => JSON.parse(row[0] as string) as Incident),
      next_cursor: more && last ? encodeCursor({ [sort.column]: last[1], seq: last[2] }, sort) : null,
    };
  }

  async getIncident(id: string): Promise<Incident | null> {
    const doc = this.db.prepare('SELECT doc FROM incidents WHERE id = ?').pluck().get(id) as string | undefined;
    return doc ? (JSON.parse(doc) as Incident) : null;
  }

  async incidentAlerts(id: string, limit: number): Promise<Alert[]> {
    const docs = this.db.prepare('SELECT doc FROM alerts WHERE incident_id = ? ORDER BY ts DESC, rid DESC LIMIT ?').pluck().all(id, limit) as string[];
    return docs.map((doc) => JSON.parse(doc) as Alert);
  }

  async incidentTimeline(id: string, limit: number, after = 0): Promise<Page<TimelineEntry & { seq: number }>> {
    const rows = this.db
      .prepare('SELECT rid, doc FROM incident_timeline WHERE incident_id = ? AND rid > ? ORDER BY rid LIMIT ?')
      .raw(true)
      .all(id, after, limit + 1) as Array<[number, string]>;
    const more = rows.length > limit;
    const items = (more ? rows.slice(0, limit) : rows).map(([rid, doc]) => ({ seq: rid, ...(JSON.parse(doc) as TimelineEntry) }));
    return { items, next_cursor: more ? String(items[items.length - 1]!.seq) : null };
  }

  async incidentNotifications(id: string): Promise<NotificationRecord[]> {
    const docs = this.db.prepare('SELECT doc FROM notifications WHERE incident_id = ? ORDER BY rid').pluck().all(id) as string[];
    return docs.map((doc) => JSON.parse(doc) as NotificationRecord);
  }

  async incidentsDetectedBetween(from: number, to: number): Promise<Incident[]> {
    const rows = await this.reader.all('SELECT doc FROM incidents WHERE detected_at >= ? AND detected_at < ? ORDER BY detected_at', [from, to]);
    return rows.map((row) => JSON.parse(row[0] as string) as Incident);
  }

  async triageSnapshot(looseSince: number, ruleCountsSince: number): Promise<TriageSnapshot> {
    const open = this.db
      .prepare(`SELECT doc FROM incidents WHERE status IN ('new', 'acknowledged', 'investigating', 'contained') ORDER BY seq`)
      .pluck()
      .all() as string[];
    const alertsOf = this.db.prepare('SELECT doc FROM alerts WHERE incident_id = ? ORDER BY rid').pluck();
    const incidents = open.map((doc) => {
      const incident = JSON.parse(doc) as Incident;
      return { incident, alerts: (alertsOf.all(incident.id) as string[]).map((a) => JSON.parse(a) as Alert) };
    });
    const looseAlerts = (this.db.prepare('SELECT doc FROM alerts WHERE incident_id IS NULL AND suppressed_by IS NOT NULL AND ts >= ? ORDER BY rid').pluck().all(looseSince) as string[]).map(
      (doc) => JSON.parse(doc) as Alert,
    );
    const ruleCounts = (
      this.db.prepare(`SELECT rule_id, hour, sum(count) FROM noise_ledger WHERE stage = 'detections' AND hour >= ? GROUP BY rule_id, hour`).raw(true).all(ruleCountsSince) as Array<
        [string, number, number]
      >
    ).map(([rule_id, hour, count]) => ({ rule_id, hour, count }));
    const nextSeq = Number(this.db.prepare('SELECT coalesce(max(seq), 0) + 1 FROM incidents').pluck().get());
    return { incidents, looseAlerts, silences: await this.listSilences(), ruleCounts, nextSeq };
  }

  async putSilence(silence: Silence): Promise<void> {
    this.db
      .prepare('INSERT INTO silences (id, ends_at, doc) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET ends_at = excluded.ends_at, doc = excluded.doc')
      .run(silence.id, Date.parse(silence.ends_at), JSON.stringify(silence));
  }

  async getSilence(id: string): Promise<Silence | null> {
    const doc = this.db.prepare('SELECT doc FROM silences WHERE id = ?').pluck().get(id) as string | undefined;
    return doc ? (JSON.parse(doc) as Silence) : null;
  }

  async listSilences(): Promise<Silence[]> {
    return (this.db.prepare('SELECT doc FROM silences ORDER BY id').pluck().all() as string[]).map((doc) => JSON.parse(doc) as Silence);
  }

  async ledger(from: number, to: number): Promise<LedgerRow[]> {
    const rows = await this.reader.all(
      `SELECT rule_id, source, service, stage, reason, sum(count) FROM noise_ledger WHERE hour >= ? AND hour < ?
       GROUP BY rule_id, source, service, stage, reason`,
      [from, to],
    );
    return rows.map((row) => ({
      rule_id: String(row[0]),
      source: String(row[1]),
      service: String(row[2]),
      stage: row[3] as LedgerRow['stage'],
      reason: row[4] as LedgerRow['reason'],
      count: Number(row[5]),
    }));
  }

  // ---- changes -----------------------------------------------------------------------------

  async createChange(change: Omit<Change, 'id'>, timeline: Array<{ at: string }>): Promise<Change> {
    // One immediate transaction: the next number is taken and used before anyone else can.
    return this.db.transaction(() => {
      const seq = Number(this.db.prepare('SELECT coalesce(max(seq), 0) + 1 FROM changes').pluck().get());
      const stored: Change = { id: `CHG-${seq}`, ...change };
      this.db
        .prepare('INSERT INTO changes (seq, id, status, type, start_at, end_at, doc) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(seq, stored.id, stored.status, stored.type, Date.parse(stored.window.start), Date.parse(stored.window.end), JSON.stringify(stored));
      const insert = this.db.prepare('INSERT INTO change_timeline (change_id, at, doc) VALUES (?, ?, ?)');
      for (const entry of timeline) insert.run(stored.id, Date.parse(entry.at), JSON.stringify({ ...entry, change_id: stored.id }));
      return stored;
    }).immediate();
  }

  async saveChanges(changes: Change[], timeline: Array<{ change_id: string; at: string }>): Promise<void> {
    const update = this.db.prepare('UPDATE changes SET status = ?, type = ?, start_at = ?, end_at = ?, doc = ? WHERE id = ?');
    const insert = this.db.prepare('INSERT INTO change_timeline (change_id, at, doc) VALUES (?, ?, ?)');
    this.db.transaction(() => {
      for (const change of changes) update.run(change.status, change.type, Date.parse(change.window.start), Date.parse(change.window.end), JSON.stringify(change), change.id);
      for (const entry of timeline) insert.run(entry.change_id, Date.parse(entry.at), JSON.stringify(entry));
    }).immediate();
  }

  async getChange(id: string): Promise<Change | null> {
    const doc = this.db.prepare('SELECT doc FROM changes WHERE id = ?').pluck().get(id) as string | undefined;
    return doc ? (JSON.parse(doc) as Change) : null;
  }

  async searchChanges(request: ChangeSearch): Promise<Page<Change>> {
    const parts = ['seq > ?'];
    const params: unknown[] = [request.after ?? 0];
    if (request.from !== undefined) parts.push('end_at > ?'), params.push(request.from);
    if (request.to !== undefined) parts.push('start_at < ?'), params.push(request.to);
    if (request.statuses.length > 0) {
      parts.push(`status IN (${request.statuses.map(() => '?').join(',')})`);
      params.push(...request.statuses);
    }
    const rows = this.db
      .prepare(`SELECT seq, doc FROM changes WHERE ${parts.join(' AND ')} ORDER BY seq LIMIT ?`)
      .raw(true)
      .all(...params, request.limit + 1) as Array<[number, string]>;
    const more = rows.length > request.limit;
    const page = more ? rows.slice(0, request.limit) : rows;
    return { items: page.map((row) => JSON.parse(row[1]) as Change), next_cursor: more ? String(page[page.length - 1]![0]) : null };
  }

  async changeTimeline(id: string): Promise<Array<Record<string, unknown>>> {
    return (this.db.prepare('SELECT doc FROM change_timeline WHERE change_id = ? ORDER BY rid').pluck().all(id) as string[]).map((doc) => JSON.parse(doc) as Record<string, unknown>);
  }

  async putPolicy(policy: FreezePolicy): Promise<void> {
    this.db.prepare('INSERT INTO change_policies (name, doc) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET doc = excluded.doc').run(policy.name, JSON.stringify(policy));
  }

  async deletePolicy(name: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM change_policies WHERE name = ?').run(name).changes > 0;
  }

  async listPolicies(): Promise<FreezePolicy[]> {
    return (this.db.prepare('SELECT doc FROM change_policies ORDER BY name').pluck().all() as string[]).map((doc) => JSON.parse(doc) as FreezePolicy);
  }

  async putChangeEvent(event: ObservedChange): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO change_events (id, ts, asset, matched_change, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET matched_change = excluded.matched_change, doc = excluded.doc',
      )
      .run(event.id, Date.parse(event.timestamp), event.asset, event.matched_change, JSON.stringify(event));
  }

  async searchChangeEvents(request: { from?: number; to?: number; asset?: string; matched?: string; limit: number; after?: number }): Promise<Page<ObservedChange>> {
    const parts = ['rid > ?'];
    const params: unknown[] = [request.after ?? 0];
    if (request.matched !== undefined) parts.push('matched_change = ?'), params.push(request.matched);
    if (request.from !== undefined) parts.push('ts >= ?'), params.push(request.from);
    if (request.to !== undefined) parts.push('ts < ?'), params.push(request.to);
    if (request.asset !== undefined) parts.push('asset = ? COLLATE NOCASE'), params.push(request.asset);
    const rows = this.db
      .prepare(`SELECT rid, doc FROM change_events WHERE ${parts.join(' AND ')} ORDER BY rid LIMIT ?`)
      .raw(true)
      .all(...params, request.limit + 1) as Array<[number, string]>;
    const more = rows.length > request.limit;
    const page = more ? rows.slice(0, request.limit) : rows;
    return { items: page.map((row) => JSON.parse(row[1]) as ObservedChange), next_cursor: more ? String(page[page.length - 1]![0]) : null };
  }

  async relatedToChange(id: string, from: number, to: number, limit: number): Promise<{ incidents: Incident[]; alerts: Alert[] }> {
    const names = "EXISTS (SELECT 1 FROM json_each(doc, '$.related_changes') WHERE json_extract(value, '$.id') = ?)";
    const incidents = await this.reader.all(`SELECT doc FROM incidents WHERE ${names} ORDER BY detected_at DESC LIMIT ?`, [id, limit]);
    // Alerts only in the time the change could explain, so the scan stays short.
    const alerts = await this.reader.all(`SELECT doc FROM alerts WHERE ts >= ? AND ts < ? AND ${names} ORDER BY ts DESC LIMIT ?`, [from, to, id, limit]);
    return { incidents: incidents.map((r) => JSON.parse(r[0] as string) as Incident), alerts: alerts.map((r) => JSON.parse(r[0] as string) as Alert) };
  }

  // ---- threat intelligence (see intel.ts) -------------------------------------------------------

  putIndicators(indicators: Array<Omit<Indicator, 'sightings' | 'last_sighting'>>): Promise<IndicatorWrite> {
    return this.intel.putIndicators(indicators);
  }
  getIndicator(id: string): Promise<Indicator | null> {
    return this.intel.getIndicator(id);
  }
  searchIndicators(request: IndicatorSearch): Promise<Page<Indicator>> {
    return this.intel.searchIndicators(request);
  }
  deleteIndicators(ids: string[]): Promise<string[]> {
    return this.intel.deleteIndicators(ids);
  }
  countIndicators(): Promise<number> {
    return this.intel.countIndicators();
  }
  indicatorBatches(size: number): AsyncIterable<Indicator[]> {
    return this.intel.indicatorBatches(size);
  }
  recordSightings(sightings: Array<{ id: string; count: number; last: string }>): Promise<void> {
    return this.intel.recordSightings(sightings);
  }
  getFeedState(name: string): Promise<FeedState | null> {
    return this.intel.getFeedState(name);
  }
  putFeedState(state: FeedState): Promise<void> {
    return this.intel.putFeedState(state);
  }
  putWatchlist(watchlist: Watchlist): Promise<void> {
    return this.intel.putWatchlist(watchlist);
  }
  getWatchlist(name: string): Promise<Watchlist | null> {
    return this.intel.getWatchlist(name);
  }
  listWatchlists(): Promise<Watchlist[]> {
    return this.intel.listWatchlists();
  }
  deleteWatchlist(name: string): Promise<boolean> {
    return this.intel.deleteWatchlist(name);
  }
  putRetroHunt(hunt: RetroHunt): Promise<void> {
    return this.intel.putRetroHunt(hunt);
  }
  getRetroHunt(id: string): Promise<RetroHunt | null> {
    return this.intel.getRetroHunt(id);
  }
  listRetroHunts(limit: number): Promise<RetroHunt[]> {
    return this.intel.listRetroHunts(limit);
  }
  eventsBetween(from: number, to: number, after: number, limit: number): Promise<CommittedEvent[]> {
    return this.intel.eventsBetween(from, to, after, limit);
  }
  countEventsBetween(from: number, to: number): Promise<number> {
    return this.intel.countEventsBetween(from, to);
  }

  // ---- notifications (see notify.ts) --------------------------------------------------------

  notificationsAfter(position: number, limit: number): Promise<Array<{ position: number; record: NotificationRecord }>> {
    return this.notify.notificationsAfter(position, limit);
  }
  previousNotification(incidentId: string, before: number): Promise<NotificationRecord | null> {
    return this.notify.previousNotification(incidentId, before);
  }
  enqueueDeliveries(deliveries: Delivery[], checkpoint?: { name: string; position: number }): Promise<void> {
    return this.notify.enqueueDeliveries(deliveries, checkpoint);
  }
  saveDelivery(delivery: Delivery): Promise<void> {
    return this.notify.saveDelivery(delivery);
  }
  saveDeliveries(deliveries: Delivery[]): Promise<void> {
    return this.notify.saveDeliveries(deliveries);
  }
  getDelivery(id: string): Promise<Delivery | null> {
    return this.notify.getDelivery(id);
  }
  dueDeliveries(statuses: DeliveryStatus[], at: number, limit: number): Promise<Delivery[]> {
    return this.notify.dueDeliveries(statuses, at, limit);
  }
  searchDeliveries(request: DeliverySearch): Promise<Page<Delivery>> {
    return this.notify.searchDeliveries(request);
  }
  getThread(channel: string, incidentId: string): Promise<ThreadRef | null> {
    return this.notify.getThread(channel, incidentId);
  }
  putThread(channel: string, incidentId: string, ref: ThreadRef): Promise<void> {
    return this.notify.putThread(channel, incidentId, ref);
  }
  findThread(channel: string, key: string, value: string): Promise<string | null> {
    return this.notify.findThread(channel, key, value);
  }
  putNotifyPolicy(name: string, policy: unknown): Promise<void> {
    return this.notify.putNotifyPolicy(name, policy);
  }
  deleteNotifyPolicy(name: string): Promise<boolean> {
    return this.notify.deleteNotifyPolicy(name);
  }
  listNotifyPolicies(): Promise<unknown[]> {
    return this.notify.listNotifyPolicies();
  }

  // ---- inventory ---------------------------------------------------------------------------

  private page<T>(table: 'assets' | 'services', limit: number, after?: string): Page<T> {
    const rows = this.db
      .prepare(`SELECT name, doc FROM ${table} WHERE name > ? ORDER BY name LIMIT ?`)
      .raw(true)
      .all(after ?? '', limit + 1) as Array<[string, string]>;
    const more = rows.length > limit;
    const items = (more ? rows.slice(0, limit) : rows).map((row) => JSON.parse(row[1]) as T);
    return { items, next_cursor: more ? rows[limit - 1]![0] : null };
  }

  async putAsset(asset: Asset): Promise<void> {
    this.db.prepare('INSERT INTO assets (name, doc) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET doc = excluded.doc').run(asset.name, JSON.stringify(asset));
  }
  async getAsset(name: string): Promise<Asset | null> {
    const doc = this.db.prepare('SELECT doc FROM assets WHERE name = ?').pluck().get(name) as string | undefined;
    return doc ? (JSON.parse(doc) as Asset) : null;
  }
  async listAssets(limit: number, after?: string): Promise<Page<Asset>> {
    return this.page<Asset>('assets', limit, after);
  }
  async deleteAsset(name: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM assets WHERE name = ?').run(name).changes > 0;
  }
  async putService(service: Service): Promise<void> {
    this.db.prepare('INSERT INTO services (name, doc) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET doc = excluded.doc').run(service.name, JSON.stringify(service));
  }
  async getService(name: string): Promise<Service | null> {
    const doc = this.db.prepare('SELECT doc FROM services WHERE name = ?').pluck().get(name) as string | undefined;
    return doc ? (JSON.parse(doc) as Service) : null;
  }
  async listServices(limit: number, after?: string): Promise<Page<Service>> {
    return this.page<Service>('services', limit, after);
  }
  async allServices(): Promise<Service[]> {
    return (this.db.prepare('SELECT doc FROM services ORDER BY name').pluck().all() as string[]).map((d) => JSON.parse(d) as Service);
  }
  async deleteService(name: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM services WHERE name = ?').run(name).changes > 0;
  }

  // ---- audit -------------------------------------------------------------------------------

  async appendAudit(entry: AuditEntry, hash: (record: Omit<AuditRecord, 'hash'>) => string): Promise<AuditRecord> {
    // One immediate transaction: read the chain's end and append, so two writers cannot fork it.
    return this.db.transaction(() => {
      const last = this.db.prepare('SELECT seq, doc FROM audit ORDER BY seq DESC LIMIT 1').raw(true).get() as [number, string] | undefined;
      const record: Omit<AuditRecord, 'hash'> = {
        seq: (last?.[0] ?? 0) + 1,
        at: new Date().toISOString(),
        ...entry,
        before: entry.before ?? null,
        after: entry.after ?? null,
        prev_hash: last ? (JSON.parse(last[1]) as AuditRecord).hash : '',
      };
      const full: AuditRecord = { ...record, hash: hash(record) };
      this.db.prepare('INSERT INTO audit (seq, doc) VALUES (?, ?)').run(full.seq, JSON.stringify(full));
      return full;
    }).immediate();
  }

  async listAudit(limit: number, after?: number): Promise<Page<AuditRecord>> {
    const rows = this.db.prepare('SELECT doc FROM audit WHERE seq > ? ORDER BY seq LIMIT ?').pluck().all(after ?? 0, limit + 1) as string[];
    const items = rows.slice(0, limit).map((d) => JSON.parse(d) as AuditRecord);
    return { items, next_cursor: rows.length > limit ? String(items[items.length - 1]!.seq) : null };
  }

  async *auditRecords(): AsyncIterable<AuditRecord> {
    let after = 0;
    for (;;) {
      const rows = this.db.prepare('SELECT seq, doc FROM audit WHERE seq > ? ORDER BY seq LIMIT 1000').raw(true).all(after) as Array<[number, string]>;
      if (rows.length === 0) return;
      for (const [seq, doc] of rows) {
        let record: AuditRecord;
        try {
          record = JSON.parse(doc) as AuditRecord;
        } catch {
          record = { seq, at: '', actor: '', action: '', object_type: '', object_id: '', before: null, after: null, prev_hash: '', hash: '<unreadable>' };
        }
        yield { ...record, seq: record.seq === seq ? seq : Number.NaN };
      }
      after = rows[rows.length - 1]![0];
    }
  }

  // ---- dead letters ------------------------------------------------------------------------

  async listDeadLetters(limit: number, cursor?: string): Promise<Page<StoredDeadLetter>> {
    const before = cursor === undefined ? Number.MAX_SAFE_INTEGER : Number(cursor);
    if (!Number.isSafeInteger(before)) throw badRequest('cursor: not a cursor from this server', 'cursor');
    const rows = this.db
      .prepare(
        `SELECT id, received_at, input_type, input_name, input_address, reason, payload, encoding
         FROM dead_letters WHERE id < ? ORDER BY id DESC LIMIT ?`,
      )
      .all(before, limit + 1) as Array<Record<string, unknown>>;
    const more = rows.length > limit;
    const items = (more ? rows.slice(0, limit) : rows).map((r) => ({
      id: Number(r.id),
      received_at: String(r.received_at),
      input: { type: String(r.input_type), name: String(r.input_name), ...(r.input_address ? { address: String(r.input_address) } : {}) },
      reason: String(r.reason),
      payload: String(r.payload),
      encoding: r.encoding as 'utf8' | 'base64',
    }));
    return { items, next_cursor: more ? String(items[items.length - 1]!.id) : null };
  }

  // ---- tokens ------------------------------------------------------------------------------

  async createToken(record: { id: string; name: string; role: TokenRecord['role']; hash: string }): Promise<TokenRecord> {
    const created = new Date().toISOString();
    this.db
      .prepare('INSERT INTO tokens (id, name, role, hash, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(record.id, record.name, record.role, record.hash, created);
    return { id: record.id, name: record.name, role: record.role, created_at: created, last_used_at: null, revoked_at: null };
  }

  async findTokenByHash(hash: string): Promise<TokenRecord | null> {
    const row = this.db.prepare(`SELECT ${TOKEN_COLUMNS} FROM tokens WHERE hash = ?`).get(hash) as TokenRecord | undefined;
    return row ?? null;
  }

  async listTokens(): Promise<TokenRecord[]> {
    this.flushTouches();
    return this.db.prepare(`SELECT ${TOKEN_COLUMNS} FROM tokens ORDER BY created_at, id`).all() as TokenRecord[];
  }

  async revokeToken(idOrName: string): Promise<TokenRecord | null> {
    const now = new Date().toISOString();
    const row = this.db
      .prepare(`UPDATE tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ? OR name = ? RETURNING ${TOKEN_COLUMNS}`)
      .get(now, idOrName, idOrName) as TokenRecord | undefined;
    return row ?? null;
  }

  /** Last use is kept in memory and written every 30 s: no write per request. */
  touchToken(id: string, at: Date): void {
    this.touched.set(id, at.toISOString());
  }

  private flushTouches(): void {
    if (this.touched.size === 0) return;
    const update = this.db.prepare('UPDATE tokens SET last_used_at = ? WHERE id = ?');
    const entries = [...this.touched];
    this.touched.clear();
    try {
      this.db.transaction(() => {
        for (const [id, at] of entries) update.run(at, id);
      })();
    } catch {
      // Busy: try again on the next tick; last-use times are advisory.
      for (const [id, at] of entries) this.touched.set(id, at);
    }
  }

  async countTokens(): Promise<number> {
    return Number(this.db.prepare('SELECT count(*) FROM tokens').pluck().get());
  }

  async close(): Promise<void> {
    clearInterval(this.touchTimer);
    this.flushTouches();
    await this.writer.close();
    await this.reader.close();
    this.db.close();
  }
}

const TOKEN_COLUMNS = 'id, name, role, created_at, last_used_at, revoked_at';

/** A JSON path for a dotted field name: nested objects. */
function jsonPath(field: string): string {
  return '$' + field.split('.').map((part) => `."${part.replace(/["\\]/g, (c) => `\\${c}`)}"`).join('');
}
