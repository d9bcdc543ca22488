import type Database from 'better-sqlite3';
import type { Indicator, RetroHunt, Watchlist } from '../../core/index.ts';
import type { CommittedEvent, FeedState, IndicatorSearch, IndicatorWrite, IntelStore, Page } from '../ports.ts';
import type { SqliteReader } from './reader.ts';
import type { VigilEvent } from '../../core/index.ts';

type StoredIndicator = Omit<Indicator, 'sightings' | 'last_sighting'>;

/** Fields whose change makes an indicator worth a new retro-hunt (not its timestamps or source). */
const SEARCHED_FIELDS = ['valid_from', 'valid_until'] as const;

/**
 * The intel half of the SQLite store: indicators (sightings in their own columns, so counting a
 * sighting never rewrites the document), feed cursors, watchlists and retro-hunt records.
 */
export class SqliteIntel implements IntelStore {
  constructor(
    private readonly db: Database.Database,
    private readonly reader: SqliteReader,
  ) {}

  async putIndicators(indicators: StoredIndicator[]): Promise<IndicatorWrite> {
    const result: IndicatorWrite = { added: [], updated: [], unchanged: 0 };
    const find = this.db.prepare('SELECT doc FROM indicators WHERE id = ?').pluck();
    const upsert = this.db.prepare(
      'INSERT INTO indicators (id, type, source, valid_until, doc) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT(id) DO UPDATE SET type = excluded.type, source = excluded.source, valid_until = excluded.valid_until, doc = excluded.doc',
    );
    this.db.transaction(() => {
      for (const indicator of indicators) {
        const before = find.get(indicator.id) as string | undefined;
        let doc: StoredIndicator = indicator;
        if (before !== undefined) {
          const known = JSON.parse(before) as StoredIndicator;
          // Restating an indicator keeps when it was first known.
          doc = { ...indicator, created_at: known.created_at };
          if (sameIndicator(known, doc)) {
            result.unchanged++;
            continue;
          }
          if (SEARCHED_FIELDS.some((field) => known[field] !== doc[field]) || known.confidence !== doc.confidence) result.updated.push(indicator.id);
          else result.unchanged++;
        } else result.added.push(indicator.id);
        const until = doc.valid_until ? Date.parse(doc.valid_until) : null;
        upsert.run(doc.id, doc.type, doc.source, Number.isFinite(until) ? until : null, JSON.stringify(doc));
      }
    }).immediate();
    return result;
  }

  async getIndicator(id: string): Promise<Indicator | null> {
    const row = this.db.prepare('SELECT doc, sightings, last_sighting FROM indicators WHERE id = ?').raw(true).get(id) as [string, number, string | null] | undefined;
    return row ? withSightings(row) : null;
  }

  async searchIndicators(request: IndicatorSearch): Promise<Page<Indicator>> {
    const parts = ['id > ?'];
    const params: unknown[] = [request.after ?? ''];
    // The id starts with the type: a type is a range of the primary key.
    if (request.type) parts.push('id >= ? AND id < ?'), params.push(`${request.type}:`, `${request.type};`);
    if (request.source) parts.push('source = ?'), params.push(request.source);
    if (request.prefix && request.type) parts.push('id >= ? AND id < ?'), params.push(`${request.type}:${request.prefix}`, `${request.type}:${request.prefix}\uffff`);
    else if (request.prefix) parts.push("substr(id, instr(id, ':') + 1, ?) = ?"), params.push(request.prefix.length, request.prefix);
    if (request.validAt !== undefined) parts.push('(valid_until IS NULL OR valid_until > ?)'), params.push(request.validAt);
    const rows = this.db
      .prepare(`SELECT doc, sightings, last_sighting, id FROM indicators WHERE ${parts.join(' AND ')} ORDER BY id LIMIT ?`)
      .raw(true)
      .all(...params, request.limit + 1) as Array<[string, number, string | null, string]>;
    const more = rows.length > request.limit;
    const page = more ? rows.slice(0, request.limit) : rows;
    return { items: page.map(withSightings), next_cursor: more ? page[page.length - 1]![3] : null };
  }

  async deleteIndicators(ids: string[]): Promise<string[]> {
    const remove = this.db.prepare('DELETE FROM indicators WHERE id = ?');
    const deleted: string[] = [];
    this.db.transaction(() => {
      for (const id of ids) if (remove.run(id).changes > 0) deleted.push(id);
    }).immediate();
    return deleted;
  }

  async countIndicators(): Promise<number> {
    return Number(this.db.prepare('SELECT count(*) FROM indicators').pluck().get());
  }

  async *indicatorBatches(size: number): AsyncIterable<Indicator[]> {
    let after = '';
    const select = this.db.prepare('SELECT doc, sightings, last_sighting, id FROM indicators WHERE id > ? ORDER BY id LIMIT ?').raw(true);
    for (;;) {
      const rows = select.all(after, size) as Array<[string, number, string | null, string]>;
      if (rows.length === 0) return;
      after = rows[rows.length - 1]![3];
      yield rows.map(withSightings);
      if (rows.length < size) return;
    }
  }

  async recordSightings(sightings: Array<{ id: string; count: number; last: string }>): Promise<void> {
    if (sightings.length === 0) return;
    const update = this.db.prepare(
      'UPDATE indicators SET sightings = sightings + ?, last_sighting = CASE WHEN last_sighting IS NULL OR last_sighting < ? THEN ? ELSE last_sighting END WHERE id = ?',
    );
    this.db.transaction(() => {
      for (const s of sightings) update.run(s.count, s.last, s.last, s.id);
    }).immediate();
  }

  async getFeedState(name: string): Promise<FeedState | null> {
    const row = this.db.prepare('SELECT cursor, status FROM intel_feeds WHERE name = ?').raw(true).get(name) as [string, string] | undefined;
    return row ? { name, cursor: JSON.parse(row[0]) as FeedState['cursor'], status: JSON.parse(row[1]) as FeedState['status'] } : null;
  }

  async putFeedState(state: FeedState): Promise<void> {
    this.db
      .prepare('INSERT INTO intel_feeds (name, cursor, status) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET cursor = excluded.cursor, status = excluded.status')
      .run(state.name, JSON.stringify(state.cursor), JSON.stringify(state.status));
  }

  async putWatchlist(watchlist: Watchlist): Promise<void> {
    this.db.prepare('INSERT INTO watchlists (name, doc) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET doc = excluded.doc').run(watchlist.name, JSON.stringify(watchlist));
  }

  async getWatchlist(name: string): Promise<Watchlist | null> {
    const doc = this.db.prepare('SELECT doc FROM watchlists WHERE name = ?').pluck().get(name) as string | undefined;
    return doc ? (JSON.parse(doc) as Watchlist) : null;
  }

  async listWatchlists(): Promise<Watchlist[]> {
    return (this.db.prepare('SELECT doc FROM watchlists ORDER BY name').pluck().all() as string[]).map((doc) => JSON.parse(doc) as Watchlist);
  }

  async deleteWatchlist(name: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM watchlists WHERE name = ?').run(name).changes > 0;
  }

  async putRetroHunt(hunt: RetroHunt): Promise<void> {
    this.db.prepare('INSERT INTO retro_hunts (id, doc) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET doc = excluded.doc').run(hunt.id, JSON.stringify(hunt));
  }

  async getRetroHunt(id: string): Promise<RetroHunt | null> {
    const doc = this.db.prepare('SELECT doc FROM retro_hunts WHERE id = ?').pluck().get(id) as string | undefined;
    return doc ? (JSON.parse(doc) as RetroHunt) : null;
  }

  async listRetroHunts(limit: number): Promise<RetroHunt[]> {
    return (this.db.prepare('SELECT doc FROM retro_hunts ORDER BY seq DESC LIMIT ?').pluck().all(limit) as string[]).map((doc) => JSON.parse(doc) as RetroHunt);
  }

  async eventsBetween(from: number, to: number, after: number, limit: number): Promise<CommittedEvent[]> {
    // Off the main thread: a retro-hunt reads up to millions of rows while the API keeps answering.
    const rows = await this.reader.all('SELECT rid, doc FROM events WHERE rid > ? AND ts >= ? AND ts < ? ORDER BY rid LIMIT ?', [after, from, to, limit]);
    return rows.map((row) => ({ position: Number(row[0]), event: JSON.parse(row[1] as string) as VigilEvent }));
  }

  async countEventsBetween(from: number, to: number): Promise<number> {
    const rows = await this.reader.all('SELECT count(*) FROM events WHERE ts >= ? AND ts < ?', [from, to]);
    return Number(rows[0]?.[0] ?? 0);
  }
}

function withSightings(row: [string, number, string | null, ...unknown[]]): Indicator {
  return { ...(JSON.parse(row[0]) as StoredIndicator), sightings: Number(row[1]), last_sighting: row[2] };
}

/** The same statement again: equal but for when it was made. */
function sameIndicator(a: StoredIndicator, b: StoredIndicator): boolean {
  return JSON.stringify({ ...a, updated_at: '' }) === JSON.stringify({ ...b, updated_at: '' });
}
